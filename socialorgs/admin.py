"""Read-only admin for the socialorgs app: states change through socialorgs.services (which
check who acts, keep the search vector and the credit record, and audit), and personal data is
read where the read is audit-logged (the officials' and the organisations' pages)."""

from django.contrib import admin

from socialorgs import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.SocialOrganisation)
class SocialOrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "kind", "domain", "division", "status", "standing"]
    list_filter = ["kind", "domain", "status", "standing", "is_charity"]
    search_fields = ["name", "credit_code"]
    # The legal representative's name is read on the 民政 official's page (audit-logged).
    exclude = ["legal_rep_name", "search_vector"]


@admin.register(models.ChainEntry)
class ChainEntryAdmin(ReadOnlyAdmin):
    """The chain is append-only; the admin shows what the public sees of it."""

    list_display = ["project", "seq", "kind", "amount_fen", "public_name", "occurred_on"]
    list_filter = ["kind"]
    # Real names, the donor's account (it would tie an anonymous gift to a person) and receipt
    # codes are read on the ledger desk or the officials' page, where the read is audited.
    exclude = [
        "donor_name",
        "beneficiary_name",
        "donor",
        "anonymous",
        "recorded_by",
        "receipt_code",
        "request_key",
        "private_digest",
    ]
