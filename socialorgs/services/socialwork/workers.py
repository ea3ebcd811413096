"""Certified social workers of an organisation: its owner or managers add, edit, deactivate
and reactivate them. The certificate number is unique across the registry."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from socialorgs.errors import SocialOrgConflict, SocialOrgError
from socialorgs.models import SocialOrganisation, SocialWorker
from socialorgs.services.common import (
    date_input,
    require_org_manager,
    require_org_member,
    required_text,
)
from socialorgs.services.socialwork.common import choice_input

CERTIFICATE_RE = re.compile(r"^[0-9A-Z][0-9A-Z-]{5,39}$")
# Why an organisation's account reads its social workers' names (portal.audit PURPOSE_LABELS).
STAFF_PURPOSE = "staff_management"


def _certificate(value) -> str:
    number = required_text(value, "certificate_number", 40).upper().replace(" ", "")
    if not CERTIFICATE_RE.match(number):
        raise SocialOrgError(
            _("证书编号应为 6 到 40 位数字、大写字母或连字符。"),
            code="invalid_certificate",
            field="certificate_number",
        )
    return number


def _taken() -> SocialOrgConflict:
    return SocialOrgConflict(
        _("该证书编号已登记，请核对。"), code="certificate_taken", field="certificate_number"
    )


def _clean(data: dict, *, partial: bool) -> dict:
    values = {}
    if not partial or "name" in data:
        values["name"] = required_text(data.get("name"), "name", 50)
    if not partial or "level" in data:
        values["level"] = choice_input(data.get("level"), SocialWorker.Level.choices, "level")
    if not partial or "certificate_number" in data:
        values["certificate_number"] = _certificate(data.get("certificate_number"))
    if not partial or "certified_on" in data:
        # A qualification is dated when it was obtained: never later than today.
        values["certified_on"] = date_input(data.get("certified_on"), "certified_on")
    if "active" in data:
        if not isinstance(data["active"], bool):
            raise SocialOrgError(_("应为是或否。"), code="invalid", field="active")
        values["active"] = data["active"]
    return values


def social_worker_add(
    *, organisation: SocialOrganisation, actor: User, data: dict, request=None
) -> SocialWorker:
    """Add a certified social worker to the organisation (owner or manager only)."""
    require_org_manager(actor, organisation)
    values = _clean(data, partial=False)
    values.pop("active", None)
    with transaction.atomic():
        if SocialWorker.objects.filter(certificate_number=values["certificate_number"]).exists():
            raise _taken()
        try:
            with transaction.atomic():
                worker = SocialWorker.objects.create(organisation=organisation, **values)
        except IntegrityError:
            raise _taken() from None
        audit_record(
            actor=actor,
            action="socialorgs.social_worker_added",
            target=worker,
            detail={"organisation": organisation.pk, "level": worker.level},
            request=request,
        )
    return worker


def social_worker_update(
    *, worker: SocialWorker, actor: User, data: dict, request=None
) -> SocialWorker:
    """Change a social worker's record, or deactivate (active=False) / reactivate them."""
    require_org_manager(actor, worker.organisation)
    values = _clean(data, partial=True)
    if not values:
        return worker
    with transaction.atomic():
        worker = SocialWorker.objects.select_for_update().get(pk=worker.pk)
        number = values.get("certificate_number")
        if (
            number
            and SocialWorker.objects.filter(certificate_number=number)
            .exclude(pk=worker.pk)
            .exists()
        ):
            raise _taken()
        changed = [name for name, value in values.items() if getattr(worker, name) != value]
        if not changed:
            return worker
        for name in changed:
            setattr(worker, name, values[name])
        try:
            with transaction.atomic():
                worker.save(update_fields=changed)
        except IntegrityError:
            raise _taken() from None
        audit_record(
            actor=actor,
            action="socialorgs.social_worker_updated",
            target=worker,
            detail={"organisation": worker.organisation_id, "fields": changed},
            request=request,
        )
    return worker


def social_workers_read(
    *, organisation: SocialOrganisation, actor: User, workers: list[SocialWorker], request=None
) -> None:
    """An account of the organisation reads its social workers' full names (the desk's list
    or one record): one audit entry naming the records read."""
    require_org_member(actor, organisation)
    if not workers:
        return
    audit_record(
        actor=actor,
        action="personal_data.read",
        target=organisation,
        detail={
            "fields": ["name"],
            "purpose": STAFF_PURPOSE,
            "social_workers": [w.pk for w in workers],
        },
        request=request,
    )
