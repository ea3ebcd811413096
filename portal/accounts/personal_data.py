"""Personal-data rights across apps: export everything about a person, erase it on request.

accounts imports no app, so each app registers its own section from its AppConfig.ready():

    personal_data.register("bookings", export=bookings_of, erase=anonymise_bookings_of)

An exporter returns JSON-serialisable data about the user; an eraser removes or pseudonymises
that app's personal data inside the caller's transaction (records needed for statistics stay,
detached from the person).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]

_sections: dict[str, tuple[Exporter, Eraser | None]] = {}

EXPORT_FORMAT = "portal.personal-data/1"


def register(section: str, *, export: Exporter, erase: Eraser | None = None) -> None:
    _sections[section] = (export, erase)


def sections() -> list[str]:
    return list(_sections)


def export_for(user) -> dict:
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "sections": {name: export(user) for name, (export, _erase) in _sections.items()},
    }


def erase_for(user) -> None:
    for _export, erase in _sections.values():
        if erase is not None:
            erase(user)


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
    from portal.audit.selectors import audit_entries_about

    return [
        {
            "at": _iso(e.at),
            "action": e.action,
            "by_role": e.actor_role,
            "target": f"{e.target_type}#{e.target_id}",
            "fields": e.detail.get("fields", []),
        }
        for e in audit_entries_about(subject=user)
    ]


def register_account_sections() -> None:
    register("account", export=_export_account)
    register("consents", export=_export_consents)
    register("access_log", export=_export_reads_by_others)
