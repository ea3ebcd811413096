"""The ratings app's section of a resident's data: their complaints.

Closing an account keeps complaint cases (supervision: a case feeds the provider's credit
record, which the provider may appeal), pointing at the pseudonymised account. When the
retention period is over, what the complainant wrote is removed (portal.accounts.services.
account_retention_purge calls purge_complaints); the case's facts, the officials' outcome and
the credit consequences stay.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ratings.models import Complaint, ComplaintFile, ComplaintMessage

PURGED_TEXT = _("（投诉人账户已注销，保留期满，内容已删除）")


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_complaints(user) -> list[dict]:
    return [
        {
            "reference": c.reference,
            "provider": c.subject_display,
            "category": c.category,
            "description": c.description,
            "desired_outcome": c.desired_outcome,
            "status": c.status,
            "outcome": c.outcome,
            "created_at": _iso(c.created_at),
            "closed_at": _iso(c.closed_at),
        }
        for c in Complaint.objects.filter(resident=user).select_related("provider")
    ]


def purge_complaints(user) -> None:
    """Remove what the complainant wrote and uploaded (inside the caller's transaction; the
    files leave storage only once it commits)."""
    text = str(PURGED_TEXT)
    Complaint.objects.filter(resident=user).update(description=text, desired_outcome="")
    ComplaintMessage.objects.filter(complaint__resident=user, author=user).update(text=text)
    files = ComplaintFile.objects.filter(complaint__resident=user)
    names = [name for name in files.values_list("file", flat=True) if name]
    files.delete()
    storage = ComplaintFile._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
