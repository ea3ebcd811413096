"""Reading the audit log."""

from __future__ import annotations

from django.db.models import QuerySet

from portal.audit.models import AuditEntry


def audit_entries_about(*, subject) -> QuerySet[AuditEntry]:
    """Entries recording what others did with this person's data (for their rights page)."""
    return AuditEntry.objects.filter(subject=subject).exclude(actor=subject).select_related("actor")
