"""Service staff and their certificates. ID numbers are validated, then kept only as a keyed
hash (to find the same person twice) and a masked form."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import official_covers
from portal.audit.services import audit_record
from portal.identifiers import validate_resident_id
from portal.privacy import id_number_digest, mask_id_number
from providers.errors import NotAllowed, ProviderError
from providers.models import Certificate, Provider, StaffMember
from providers.services.access import require_member

STAFF_FIELDS = (
    "name",
    "gender",
    "role",
    "years_of_experience",
    "languages",
    "health_certificate_expires",
    "background_check",
    "background_checked_on",
    "is_active",
)


def _staff_values(data: dict) -> dict:
    values = {k: data[k] for k in STAFF_FIELDS if k in data}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
        if not values["name"]:
            raise ProviderError(_("请填写姓名。"), code="required", field="name")
    if "gender" in values and values["gender"] not in StaffMember.Gender.values:
        raise ProviderError(_("请选择性别。"), code="invalid", field="gender")
    if "role" in values and values["role"] not in StaffMember.Role.values:
        raise ProviderError(_("未知的岗位。"), code="invalid", field="role")
    check = values.get("background_check")
    if check is not None and check not in StaffMember.BackgroundCheck.values:
        raise ProviderError(_("未知的核查状态。"), code="invalid", field="background_check")
    if check == StaffMember.BackgroundCheck.VERIFIED and not values.get("background_checked_on"):
        raise ProviderError(
            _("已核查的背景核查必须有核查日期。"), code="required", field="background_checked_on"
        )
    checked_on = values.get("background_checked_on")
    if checked_on and checked_on > timezone.localdate():
        raise ProviderError(
            _("核查日期不能晚于今天。"), code="invalid", field="background_checked_on"
        )
    return values


def staff_create(*, provider: Provider, actor, id_number: str, data: dict) -> StaffMember:
    require_member(actor, provider)
    id_number = (id_number or "").strip().upper()
    try:
        validate_resident_id(id_number)
    except ValidationError as exc:
        raise ProviderError(exc.messages[0], code=exc.code, field="id_number") from None
    for required in ("name", "gender", "role"):
        if not data.get(required):
            raise ProviderError(_("此项为必填项。"), code="required", field=required)
    values = _staff_values(data)
    try:
        with transaction.atomic():
            staff = StaffMember.objects.create(
                provider=provider,
                id_number_hash=id_number_digest(id_number),
                id_number_masked=mask_id_number(id_number),
                **values,
            )
            audit_record(actor=actor, action="staff.created", target=staff)
    except IntegrityError:
        raise ProviderError(
            _("该人员已在本机构登记。"), code="duplicate", field="id_number"
        ) from None
    return staff


def staff_update(*, staff: StaffMember, actor, data: dict) -> StaffMember:
    require_member(actor, staff.provider)
    values = _staff_values(data)
    for field, value in values.items():
        setattr(staff, field, value)
    staff.save(update_fields=list(values))
    audit_record(actor=actor, action="staff.updated", target=staff)
    return staff


def certificate_add(
    *,
    staff: StaffMember,
    actor,
    kind: str,
    number: str,
    issuer: str,
    level: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> Certificate:
    require_member(actor, staff.provider)
    if kind not in Certificate.Kind.values:
        raise ProviderError(_("未知的证书类型。"), code="invalid", field="kind")
    number, issuer = (number or "").strip(), (issuer or "").strip()
    if not number:
        raise ProviderError(_("请填写证书编号。"), code="required", field="number")
    if not issuer:
        raise ProviderError(_("请填写发证机构。"), code="required", field="issuer")
    if issued_on and expires_on and expires_on < issued_on:
        raise ProviderError(_("有效期至不能早于发证日期。"), code="invalid", field="expires_on")
    try:
        with transaction.atomic():
            certificate = Certificate.objects.create(
                staff=staff,
                kind=kind,
                number=number,
                issuer=issuer,
                level=(level or "").strip(),
                issued_on=issued_on,
                expires_on=expires_on,
            )
            audit_record(actor=actor, action="certificate.added", target=certificate)
    except IntegrityError:
        raise ProviderError(_("该证书编号已登记。"), code="duplicate", field="number") from None
    return certificate


def certificate_delete(*, certificate: Certificate, actor) -> None:
    """A member removes a certificate record (a mistake, or the person left)."""
    require_member(actor, certificate.staff.provider)
    with transaction.atomic():
        audit_record(actor=actor, action="certificate.deleted", target=certificate)
        certificate.delete()


def certificate_revoke(*, certificate: Certificate, official, reason: str) -> Certificate:
    """An official covering the organisation marks a certificate revoked (forged, withdrawn)."""
    provider = certificate.staff.provider
    if not official_covers(official, provider.division_id):
        raise NotAllowed(_("该机构不在您的管辖区域内。"), code="out_of_jurisdiction")
    reason = (reason or "").strip()
    if not reason:
        raise ProviderError(_("请填写理由。"), code="reason_required", field="reason")
    if certificate.revoked_at is not None:
        raise ProviderError(_("该证书已撤销。"), code="already_revoked")
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["revoked_at"])
    audit_record(
        actor=official, action="certificate.revoked", target=certificate, detail={"reason": reason}
    )
    return certificate
