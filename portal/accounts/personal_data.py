"""Personal-data rights across apps: export everything about a person, erase it on request.

accounts imports no app, so each app registers its own section from its AppConfig.ready():

    personal_data.register("bookings", _("预约"), export=bookings_of, erase=anonymise_bookings)

An exporter returns JSON-serialisable data about the user; an eraser removes or pseudonymises
that app's personal data inside the caller's transaction (records needed for statistics stay,
detached from the person).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_sections: dict[str, tuple[Any, Exporter, Eraser | None]] = {}
# Records an app keeps after the account is closed (for a legal or supervisory purpose) and
# pseudonymises when ACCOUNT_RETENTION_DAYS have passed: section -> purger.
_purgers: dict[str, Eraser] = {}

EXPORT_FORMAT = "portal.personal-data/1"


def register(section: str, label, *, export: Exporter, erase: Eraser | None = None) -> None:
    """Add a section (`label` is what people read on the my-data page)."""
    _sections[section] = (label, export, erase)


def sections() -> list[tuple[str, Any]]:
    """(key, label) of each section, in registration order."""
    return [(key, label) for key, (label, _export, _erase) in _sections.items()]


def export_for(user) -> dict:
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "sections": {name: export(user) for name, (_label, export, _erase) in _sections.items()},
    }


def erase_for(user) -> None:
    for _label, _export, erase in _sections.values():
        if erase is not None:
            erase(user)


def register_retention(section: str, *, purge: Eraser) -> None:
    """Add what to pseudonymise in `section` once a closed account's retention period is over
    (inside the caller's transaction, idempotent)."""
    _purgers[section] = purge


def purge_for(user) -> None:
    for purge in _purgers.values():
        purge(user)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _export_account(user) -> dict:
    return {
        "id": user.pk,
        "phone": user.phone,
        "name": user.name,
        "email": user.email,
        "role": user.role,
        "jurisdiction": user.jurisdiction_id,
        "department": user.department,
        "elder_mode": user.elder_mode,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
    }


def _export_consents(user) -> list[dict]:
    return [
        {
            "document": c.document,
            "version": c.version,
            "accepted_at": _iso(c.accepted_at),
            "withdrawn_at": _iso(c.withdrawn_at),
        }
        for c in user.consents.all()
    ]


def _export_reads_by_others(user) -> list[dict]:
    from portal.audit.selectors import actor_organisation, audit_entries_about
    from portal.privacy import mask_name

    return [
        {
            "at": _iso(e.at),
            "action": e.action,
            "by": mask_name(e.actor.name) if e.actor is not None else None,
            "by_role": e.actor_role,
            "organisation": actor_organisation(e),
            "target": f"{e.target_type}#{e.target_id}",
            "fields": e.detail.get("fields", []),
            "purpose": e.detail.get("purpose", ""),
        }
        for e in audit_entries_about(subject=user)
    ]


def _export_notifications(user) -> list[dict]:
    return [
        {"at": _iso(n.created_at), "kind": n.kind, "title": n.title, "body": n.body}
        for n in user.notifications.all()
    ]


def register_account_sections() -> None:
    register("account", _("账户信息"), export=_export_account)
    register("consents", _("同意记录"), export=_export_consents)
    register("access_log", _("他人查看我的信息的记录"), export=_export_reads_by_others)
    register("notifications", _("我的通知"), export=_export_notifications)
