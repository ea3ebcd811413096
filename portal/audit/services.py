"""Writing to the audit log."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.http import HttpRequest

from portal.audit.models import PURPOSE_LABELS, AuditEntry
from portal.netutils import client_ip


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    subject: Any = None,
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> AuditEntry:
    """Append one entry. `subject` is the person whose personal data was touched, if any."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        subject=subject,
        detail=detail or {},
        ip_address=client_ip(request),
    )


def audit_personal_data_read(
    *,
    viewer: Any,
    subject: Any,
    target: models.Model,
    fields: list[str],
    purpose: str,
    organisation: str = "",
    request=None,
) -> AuditEntry | None:
    """Log a read of someone's personal data by an official, provider staff or an admin:
    who (actor), whose (subject), what (target and `fields`), why (`purpose`, one of
    PURPOSE_LABELS) and, for provider staff, on behalf of which `organisation` (kept as it
    was then: people change employers, the record must not).

    A person reading their own data is not logged: the rule protects them from others.
    """
    if purpose not in PURPOSE_LABELS:
        raise ValueError(f"unknown purpose {purpose!r}: register it in PURPOSE_LABELS")
    if getattr(viewer, "pk", None) is not None and viewer.pk == getattr(subject, "pk", None):
        return None
    detail: dict[str, Any] = {"fields": list(fields), "purpose": purpose}
    if organisation:
        detail["organisation"] = organisation
    return audit_record(
        actor=viewer,
        action="personal_data.read",
        target=target,
        subject=subject,
        detail=detail,
        request=request,
    )


def audit_personal_data_reads(
    *,
    viewer: Any,
    target_model: type[models.Model],
    reads: Iterable[tuple[Any, Any]],
    fields: list[str],
    purpose: str,
    detail: dict | None = None,
    request: HttpRequest | None = None,
    batch_size: int = 1000,
) -> int:
    """audit_personal_data_read for many people at once (an export): one entry per
    (subject user id, target pk) pair of `reads`, written in bulk so that ten thousand people
    cost a few statements. `detail` adds to each entry's detail. The viewer's own data is
    not logged, as there. Returns the number of entries written."""
    if purpose not in PURPOSE_LABELS:
        raise ValueError(f"unknown purpose {purpose!r}: register it in PURPOSE_LABELS")
    actor = viewer if getattr(viewer, "is_authenticated", False) else None
    common = {
        "actor": actor,
        "actor_role": getattr(actor, "role", "") or "",
        "action": "personal_data.read",
        "target_type": target_model._meta.label_lower,
        "detail": {**(detail or {}), "fields": list(fields), "purpose": purpose},
        "ip_address": client_ip(request),
    }
    entries = (
        AuditEntry(subject_id=subject_id, target_id=str(target_pk), **common)
        for subject_id, target_pk in reads
        if subject_id is not None and subject_id != getattr(actor, "pk", None)
    )
    written = 0
    while batch := list(itertools.islice(entries, batch_size)):
        AuditEntry.objects.bulk_create(batch)
        written += len(batch)
    return written
