"""A resident's family members (for 子女代订) and saved addresses."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Division
from portal.accounts.permissions import is_resident
from portal.audit.services import audit_record
from portal.identifiers import normalize_mobile
from services.errors import BookingInputError
from services.models import Address, Booking, Dependant, FamilyDoctorContract, Plan


def _resident(user) -> None:
    if not is_resident(user):
        raise BookingInputError(_("只有居民可以管理家庭成员和地址。"), code="not_resident")


def dependant_add(*, owner, data: dict) -> Dependant:
    """Add a family member. The resident states their authority: the member's consent or
    guardianship; it is recorded with the time."""
    _resident(owner)
    authority = data.get("authority")
    if authority not in Dependant.Authority.values:
        raise BookingInputError(
            _("请说明代为预约的依据：本人同意或监护关系。"), code="authority", field="authority"
        )
    if data.get("relationship") not in Dependant.Relationship.values:
        raise BookingInputError(_("请选择关系。"), code="relationship", field="relationship")
    if not (data.get("name") or "").strip():
        raise BookingInputError(_("请填写姓名。"), code="required", field="name")
    phone = data.get("phone") or ""
    if phone:
        try:
            phone = normalize_mobile(phone)
        except ValidationError as exc:
            raise BookingInputError(exc.messages[0], code="phone", field="phone") from exc
    birth = data.get("birth_date")
    if birth and birth > timezone.localdate():
        raise BookingInputError(_("出生日期不能晚于今天。"), code="birth_date", field="birth_date")
    if owner.dependants.filter(removed_at__isnull=True).count() >= 20:
        raise BookingInputError(_("家庭成员最多 20 位。"), code="too_many")
    dependant = Dependant.objects.create(
        owner=owner,
        name=data["name"].strip(),
        relationship=data["relationship"],
        gender=data.get("gender") or "",
        birth_date=birth,
        phone=phone,
        care_notes=(data.get("care_notes") or "")[:300],
        authority=authority,
    )
    audit_record(actor=owner, action="dependant.add", target=dependant, subject=owner)
    return dependant


def dependant_remove(*, owner, dependant: Dependant) -> None:
    """Remove a member from the list: their plans stop and their family-doctor contracts end.
    Kept, hidden, for past bookings that refer to them; deleted when none does."""
    if dependant.owner_id != owner.pk:
        raise BookingInputError(_("没有这位家庭成员。"), code="not_found")
    with transaction.atomic():
        if dependant.bookings.filter(status__in=Booking.ACTIVE).exists():
            raise BookingInputError(
                _("这位家庭成员还有未完成的预约，请先取消。"), code="has_bookings"
            )
        Plan.objects.filter(dependant=dependant).update(status=Plan.Status.STOPPED)
        FamilyDoctorContract.objects.filter(
            dependant=dependant, status=FamilyDoctorContract.Status.ACTIVE
        ).update(status=FamilyDoctorContract.Status.TERMINATED)
        referenced = (
            dependant.bookings.exists()
            or Plan.objects.filter(dependant=dependant).exists()
            or FamilyDoctorContract.objects.filter(dependant=dependant).exists()
        )
        if not referenced:
            try:
                with transaction.atomic():
                    dependant.delete()
                return
            except ProtectedError:
                pass  # another app's record refers to them (a time-bank family account)
        dependant.removed_at = timezone.now()
        dependant.save(update_fields=["removed_at"])


def address_save(*, owner, data: dict, address: Address | None = None) -> Address:
    """Create or update a saved address; making it the default clears the old default."""
    _resident(owner)
    if address is not None and address.owner_id != owner.pk:
        raise BookingInputError(_("没有这个地址。"), code="not_found")
    division = Division.objects.filter(code=data.get("division")).first()
    if division is None:
        raise BookingInputError(_("请选择有效的所在区划。"), code="division", field="division")
    try:
        lat, lng = Decimal(str(data.get("latitude"))), Decimal(str(data.get("longitude")))
        if not (lat.is_finite() and lng.is_finite()):
            # "NaN" parses but cannot be compared (InvalidOperation below, a 500).
            raise ValueError("not a finite number")
    except (ArithmeticError, ValueError, TypeError) as exc:
        raise BookingInputError(
            _("请填写有效的经纬度。"), code="coordinates", field="latitude"
        ) from exc
    if not (
        Decimal("3.8") <= lat <= Decimal("53.6") and Decimal("73.4") <= lng <= Decimal("135.1")
    ):
        raise BookingInputError(
            _("坐标不在中国境内，请检查经纬度。"), code="coordinates", field="latitude"
        )
    if not (data.get("detail") or "").strip():
        raise BookingInputError(_("请填写详细地址。"), code="required", field="detail")
    with transaction.atomic():
        if address is None and not owner.addresses.exists():
            data = {**data, "is_default": True}
        if data.get("is_default"):
            owner.addresses.filter(is_default=True).update(is_default=False)
        address = address or Address(owner=owner)
        address.label = (data.get("label") or _("家")).strip()[:30]
        address.division = division
        address.detail = data["detail"].strip()[:200]
        address.latitude, address.longitude = (
            lat.quantize(Decimal("0.000001")),
            lng.quantize(Decimal("0.000001")),
        )
        address.is_default = bool(data.get("is_default")) or address.is_default
        address.save()
    return address


def address_delete(*, owner, address: Address) -> None:
    if address.owner_id != owner.pk:
        raise BookingInputError(_("没有这个地址。"), code="not_found")
    # Booking.address is SET_NULL: deleting it would leave a home visit without an address.
    if Booking.objects.filter(address=address, status__in=Booking.ACTIVE).exists():
        raise BookingInputError(
            _("还有未完成的上门预约使用这个地址，请先取消或完成。"), code="in_use"
        )
    address.delete()
