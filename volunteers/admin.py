"""Admin: read-mostly views for the platform administrator (states change through services)."""

from django.contrib import admin

from volunteers.models import Activity, HourRecord, Member, Organisation, Signup, Volunteer
from volunteers.services import activities_reindex


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
class HourRecordAdmin(admin.ModelAdmin):
    list_display = ["volunteer", "activity", "status", "minutes", "checked_in_at"]
    list_filter = ["status"]
    raw_id_fields = ["signup", "volunteer", "activity", "confirmed_by"]
