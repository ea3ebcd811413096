"""Admin: read-mostly views for the platform administrator (states change through services)."""

from django.contrib import admin

from volunteers.models import (
    Activity,
    Certificate,
    HourRecord,
    Member,
    Organisation,
    Signup,
    TimeBankAccount,
    TimeBankPosting,
    TimeBankRedemption,
    TimeBankService,
    TimeBankTransaction,
    Volunteer,
)
from volunteers.services import activities_reindex


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never written here: hours, certificates and the time bank change only
    through their services (an hour edited here would bypass the time bank's ledger, the
    audit log and the rule that nobody confirms their own hours)."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["number", "masked_name", "division", "created_at"]
    search_fields = ["number"]
    readonly_fields = ["number", "id_number_masked", "birth_date", "consented_at"]
    exclude = ["id_number_hash"]
    list_select_related = ["division"]


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "division", "status", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["status", "status_reason", "decided_at"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:  # its activities are found by its name
            activities_reindex(queryset=obj.activities.all())


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "domain", "starts_at", "status"]
    list_filter = ["domain", "status"]
    search_fields = ["title"]
    raw_id_fields = ["organisation", "created_by"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        activities_reindex(queryset=Activity.objects.filter(pk=obj.pk))


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["activity", "volunteer", "position", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["activity", "position", "volunteer"]


@admin.register(HourRecord)
class HourRecordAdmin(ReadOnlyAdmin):
    list_display = ["volunteer", "activity", "status", "minutes", "checked_in_at"]
    list_filter = ["status"]
    list_select_related = ["volunteer", "activity"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "volunteer", "period_start", "period_end", "minutes", "revoked_at"]
    search_fields = ["code"]
    list_select_related = ["volunteer"]


@admin.register(TimeBankAccount)
class TimeBankAccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "volunteer", "organisation", "balance_minutes", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["volunteer", "organisation"]
    # A family account's holder is a resident's family member: shown by number only.
    exclude = ["dependant"]
    readonly_fields = ["dependant_id"]


@admin.register(TimeBankTransaction)
class TimeBankTransactionAdmin(ReadOnlyAdmin):
    list_display = ["key", "kind", "memo", "created_at"]
    list_filter = ["kind"]
    search_fields = ["key"]


@admin.register(TimeBankPosting)
class TimeBankPostingAdmin(ReadOnlyAdmin):
    list_display = ["transaction", "account", "minutes"]
    list_select_related = ["transaction", "account"]


@admin.register(TimeBankService)
class TimeBankServiceAdmin(ReadOnlyAdmin):
    list_display = ["title", "organisation", "skill", "price_minutes"]
    list_select_related = ["organisation"]


@admin.register(TimeBankRedemption)
class TimeBankRedemptionAdmin(ReadOnlyAdmin):
    list_display = ["id", "service", "minutes", "wanted_on", "status", "created_at"]
    list_filter = ["status"]
    list_select_related = ["service"]
    # The note may name the person served; the requester is a resident.
    exclude = ["note", "requested_by"]
