"""Read-mostly admin for the socialorgs app: states change through socialorgs.services."""

from django.contrib import admin

from socialorgs import models


@admin.register(models.SocialOrganisation)
class SocialOrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "kind", "domain", "division", "status", "standing"]
    list_filter = ["kind", "domain", "status", "standing", "is_charity"]
    search_fields = ["name", "credit_code"]
    readonly_fields = ["credit_score", "credit_grade", "standing", "search_vector"]


@admin.register(models.ChainEntry)
class ChainEntryAdmin(admin.ModelAdmin):
    """The chain is append-only: the admin only reads it."""

    list_display = ["project", "seq", "kind", "amount_fen", "public_name", "occurred_on"]
    list_filter = ["kind"]
    # Real names and receipt codes are read on the ledger desk or the officials' page, where
    # the read is audit-logged; the admin shows what the public sees.
    exclude = ["donor_name", "beneficiary_name", "receipt_code", "request_key"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
