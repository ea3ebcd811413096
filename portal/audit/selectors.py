"""Reading the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.audit.models import AuditEntry
from portal.privacy import mask_name


def audit_entries_about(*, subject) -> QuerySet[AuditEntry]:
    """Entries recording what others did with this person's data (for their rights page)."""
    return (
        AuditEntry.objects.filter(subject=subject)
        .exclude(actor=subject)
        .select_related("actor", "actor__jurisdiction")
    )


@dataclass(frozen=True)
class AccessRow:
    """One line of "who saw my data": who (masked), for which body, what, why and when."""

    at: object
    who: str
    organisation: str
    role: str
    action: str
    what: str
    why: str


def _target_label(entry: AuditEntry) -> str:
    if not entry.target_type:
        return ""
    try:
        return str(apps.get_model(entry.target_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return entry.target_type


def actor_organisation(entry: AuditEntry) -> str:
    """The body the viewer acted for: the organisation recorded with a staff member's read, an
    official's department and jurisdiction, or the platform."""
    actor = entry.actor
    recorded = (entry.detail or {}).get("organisation", "")
    if recorded:
        return recorded
    if actor is None:
        return _("平台")
    if actor.is_official:
        place = actor.jurisdiction.name if actor.jurisdiction_id else ""
        return f"{place}{actor.get_department_display()}"
    if actor.is_platform_admin:
        return _("平台运营方")
    return ""


def access_log_for(*, subject, limit: int = 50) -> list[AccessRow]:
    """Who looked at or acted on this person's data, newest first, in words: the viewer's
    name is masked (they are people too) but their organisation or department is not."""
    rows = []
    for entry in audit_entries_about(subject=subject)[:limit]:
        actor = entry.actor
        what = "、".join(entry.field_labels)
        target = _target_label(entry)
        rows.append(
            AccessRow(
                at=entry.at,
                who=mask_name(actor.name) if actor is not None else _("系统"),
                organisation=actor_organisation(entry),
                role=str(actor.get_role_display()) if actor is not None else "",
                action=entry.action_label,
                what=f"{target}：{what}" if target and what else (what or target),
                why=entry.purpose_label,
            )
        )
    return rows
