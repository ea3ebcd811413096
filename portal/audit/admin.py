from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, even for administrators."""

    list_display = [
        "at",
        "actor",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "subject",
        "purpose",
    ]
    list_filter = ["action", "actor_role", "target_type", "at"]
    search_fields = ["action", "target_id"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]
    # People appear as User.__str__ (masked name and phone); the entry holds no clear values.
    raw_id_fields = ["actor", "subject"]
    actions = None

    @admin.display(description=_("用途"))
    def purpose(self, entry: AuditEntry) -> str:
        return entry.purpose_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
