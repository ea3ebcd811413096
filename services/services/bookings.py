"""Bookings: create with a conditional update on the slot, the state machine, reschedule,
cancellation by policy, staff assignment, and the expiry job.

The state machine is the TRANSITIONS table below and nothing else: every change of a booking's
status goes through `booking_transition`, which checks it, records who/when/why, moves the
money and notifies the other side.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import division_contains
from portal.accounts.permissions import is_resident, is_staff_of
from portal.audit.services import audit_record
from portal.notifications.services import notify
from services.errors import BookingError, BookingInputError
from services.models import (
    Address,
    Booking,
    BookingEvent,
    Dependant,
    FamilyDoctorContract,
    Listing,
    Payment,
    PrepaidPackage,
    Slot,
)
from services.services import payments

S = Booking.Status


class BookingForbidden(BookingError):
    status = 403


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str
    by: str  # "resident", "provider" or "system"
    label: str


TRANSITIONS: dict[str, Transition] = {
    "confirm": Transition((S.REQUESTED,), S.CONFIRMED, "provider", "确认"),
    "decline": Transition((S.REQUESTED,), S.CANCELLED_BY_PROVIDER, "provider", "婉拒"),
    "start": Transition((S.CONFIRMED,), S.IN_SERVICE, "provider", "开始服务"),
    "complete": Transition((S.IN_SERVICE,), S.COMPLETED, "provider", "完成服务"),
    "no_show": Transition((S.CONFIRMED,), S.NO_SHOW, "provider", "登记未到"),
    "cancel_by_provider": Transition(
        (S.REQUESTED, S.CONFIRMED), S.CANCELLED_BY_PROVIDER, "provider", "机构取消"
    ),
    "cancel": Transition((S.REQUESTED, S.CONFIRMED), S.CANCELLED_BY_RESIDENT, "resident", "取消"),
    "expire": Transition((S.REQUESTED,), S.EXPIRED, "system", "超时"),
}
PROVIDER_ACTIONS = [name for name, t in TRANSITIONS.items() if t.by == "provider"]
# What the provider's bulk API accepts: its transitions and staff assignment.
DESK_ACTIONS = [*PROVIDER_ACTIONS, "assign"]


def _new_reference() -> str:
    return f"BK{timezone.localdate():%y%m%d}{secrets.token_hex(4).upper()}"


# --- Create ------------------------------------------------------------------------------------


def booking_create(
    *,
    resident,
    slot_id: int,
    idempotency_key: str,
    dependant: Dependant | None = None,
    address: Address | None = None,
    note: str = "",
    use_package: bool = False,
    plan=None,
    now: dt.datetime | None = None,
) -> Booking:
    """Take one place in the slot and create the booking (and its pending payment) in one
    transaction. The same `idempotency_key` from the same resident returns the first booking:
    a double click makes one booking."""
    if not is_resident(resident):
        raise BookingForbidden(_("只有居民可以预约服务。"), code="not_resident")
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise BookingInputError(
            _("缺少或过长的幂等键（Idempotency-Key，1–64 个字符）。"),
            code="idempotency_key",
            field="idempotency_key",
        )
    existing = _existing(resident, key, slot_id)
    if existing is not None:
        return existing
    now = now or timezone.now()
    try:
        with transaction.atomic():
            booking = _create(
                resident=resident,
                slot_id=slot_id,
                key=key,
                dependant=dependant,
                address=address,
                note=note,
                use_package=use_package,
                plan=plan,
                now=now,
            )
    except IntegrityError as exc:
        # A concurrent request with the same key won the race: answer with its booking.
        existing = _existing(resident, key, slot_id)
        if existing is not None:
            return existing
        raise BookingError(_("预约未能保存，请重试。"), code="conflict") from exc
    except BookingError:
        # A concurrent request with the same key may have committed meanwhile and so taken the
        # last place (slot_full) or made the person busy at this time (person_busy): it is the
        # same booking, not a refusal.
        existing = _existing(resident, key, slot_id)
        if existing is not None:
            return existing
        raise
    transaction.on_commit(lambda: _notify(booking, "requested", actor=resident))
    return booking


def _existing(resident, key: str, slot_id) -> Booking | None:
    booking = Booking.objects.filter(resident=resident, idempotency_key=key).first()
    if booking is not None and booking.slot_id != slot_id:
        raise BookingInputError(
            _("同一个幂等键已用于另一个时段的预约。"),
            code="idempotency_key_reused",
            field="idempotency_key",
        )
    return booking


def _create(*, resident, slot_id, key, dependant, address, note, use_package, plan, now):
    slot = (
        Slot.objects.select_related("listing__provider", "listing__branch")
        .filter(pk=slot_id)
        .first()
    )
    if (
        slot is not None
        and slot.listing.status == Listing.Status.PUBLISHED
        and slot.listing.provider.standing != "normal"
    ):
        # Checked before visibility: a black-listed provider's listings are hidden at once, and
        # whoever still holds a slot id is told why rather than "no such slot".
        raise BookingError(_("该机构因信用问题暂停接受预约。"), code="provider_suspended")
    if slot is None or not slot.listing.is_public:
        raise BookingInputError(_("没有这个可预约时段。"), code="unknown_slot", field="slot")
    listing = slot.listing
    if slot.starts_at <= now:
        raise BookingError(_("这个时段已经开始或结束，不能预约。"), code="slot_past")
    _check_person(resident, dependant, listing, slot)
    address = _check_address(resident, address, listing)
    _check_no_overlap(resident, dependant, slot)

    contract = _contract_covering(resident, dependant, listing, slot)
    package = None
    price = listing.price_fen
    if contract is not None:
        price = 0
    elif use_package:
        package = _take_package_use(resident, listing, slot)
        price = 0

    # The one place where capacity is taken: a conditional update, so no interleaving of
    # requests can oversell (the check constraint on `remaining` is the second line).
    taken = Slot.objects.filter(pk=slot.pk, remaining__gt=0).update(remaining=F("remaining") - 1)
    if taken != 1:
        raise BookingError(_("该时段已约满，请选择其他时间。"), code="slot_full", field="slot")

    booking = Booking.objects.create(
        reference=_new_reference(),
        resident=resident,
        dependant=dependant,
        listing=listing,
        provider=listing.provider,
        slot=slot,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        address=address,
        price_fen=price,
        free_cancel_hours=listing.free_cancel_hours,
        late_cancel_fee_pct=listing.late_cancel_fee_pct,
        confirm_by=min(now + dt.timedelta(hours=listing.confirm_within_hours), slot.starts_at),
        note=note[:300],
        idempotency_key=key,
        plan=plan,
        contract=contract,
        package=package,
        created_at=now,
    )
    BookingEvent.objects.create(booking=booking, to_status=S.REQUESTED, actor=resident, at=now)
    if price > 0:
        payments.payment_open(booking=booking)
    return booking


def _check_person(resident, dependant, listing: Listing, slot: Slot) -> None:
    if dependant is None:
        return
    if dependant.owner_id != resident.pk or dependant.removed_at is not None:
        raise BookingInputError(
            _("只能为您添加的家庭成员预约。"), code="not_your_dependant", field="dependant"
        )
    if dependant.birth_date and (listing.age_min_months or listing.age_max_months):
        born = dependant.birth_date
        day = timezone.localtime(slot.starts_at).date()
        months = (day.year - born.year) * 12 + day.month - born.month - (day.day < born.day)
        if listing.age_min_months and months < listing.age_min_months:
            raise BookingInputError(
                _("服务对象的年龄低于该服务的要求。"), code="age", field="dependant"
            )
        if listing.age_max_months and months > listing.age_max_months:
            raise BookingInputError(
                _("服务对象的年龄超出该服务的范围。"), code="age", field="dependant"
            )


def _check_address(resident, address: Address | None, listing: Listing) -> Address | None:
    if listing.delivery_mode != Listing.DeliveryMode.AT_HOME:
        return None
    if address is None:
        raise BookingInputError(_("上门服务需要选择服务地址。"), code="address", field="address")
    if address.owner_id != resident.pk:
        raise BookingInputError(_("只能使用您保存的地址。"), code="address", field="address")
    areas = list(listing.service_divisions.values_list("code", flat=True)) or [
        listing.district or listing.branch.division_id
    ]
    if not any(division_contains(area, address.division_id) for area in areas):
        raise BookingInputError(
            _("该地址不在这项上门服务的服务范围内。"), code="out_of_area", field="address"
        )
    return address


def _check_no_overlap(resident, dependant, slot: Slot, *, moving: Booking | None = None) -> None:
    clash = Booking.objects.filter(
        resident=resident,
        dependant=dependant,
        status__in=Booking.ACTIVE,
        starts_at__lt=slot.ends_at,
        ends_at__gt=slot.starts_at,
    )
    if moving is not None:
        clash = clash.exclude(pk=moving.pk)
    clash = clash.exists()
    if clash:
        raise BookingError(_("服务对象在这个时间已有其他预约。"), code="person_busy")


def _contract_covering(resident, dependant, listing: Listing, slot: Slot):
    """An active family-doctor contract whose package includes this service: booked free."""
    day = timezone.localtime(slot.starts_at).date()
    return (
        FamilyDoctorContract.objects.filter(
            resident=resident,
            dependant=dependant,
            status=FamilyDoctorContract.Status.ACTIVE,
            starts_on__lte=day,
            ends_on__gte=day,
            package__provider_id=listing.provider_id,
            package__included_categories=listing.category_id,
        )
        .order_by("-starts_on")
        .first()
    )


def _take_package_use(resident, listing: Listing, slot: Slot) -> PrepaidPackage:
    day = timezone.localtime(slot.starts_at).date()
    package = (
        PrepaidPackage.objects.filter(
            resident=resident,
            listing=listing,
            status=PrepaidPackage.Status.ACTIVE,
            valid_until__gte=day,
            uses_left__gt=0,
        )
        .order_by("valid_until")
        .first()
    )
    if package is None:
        raise BookingInputError(
            _("您没有可用于该服务的次卡。"), code="no_package", field="use_package"
        )
    used = PrepaidPackage.objects.filter(pk=package.pk, uses_left__gt=0).update(
        uses_left=F("uses_left") - 1
    )
    if used != 1:
        raise BookingError(_("次卡次数已用完。"), code="package_used_up", field="use_package")
    return package


# --- Transitions -------------------------------------------------------------------------------


def booking_transition(*, booking: Booking, action: str, actor=None, reason: str = "") -> Booking:
    """Apply one named transition (TRANSITIONS). Illegal ones raise BookingError (409)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise BookingInputError(_("未知的操作。"), code="unknown_action", field="action")
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        _check_actor(booking, transition, actor)
        if booking.status not in transition.sources:
            raise BookingError(
                _("预约当前状态为“%(status)s”，不能%(action)s。")
                % {"status": booking.get_status_display(), "action": _(transition.label)},
                code="illegal_transition",
            )
        _before(booking, action)
        source = booking.status
        booking.status = transition.target
        booking.save(update_fields=["status", "updated_at"])
        event = BookingEvent.objects.create(
            booking=booking,
            from_status=source,
            to_status=transition.target,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason[:300],
        )
        _after(booking, source)
        transaction.on_commit(lambda: _notify(booking, transition.target, actor=actor, event=event))
    return booking


def _check_actor(booking: Booking, transition: Transition, actor) -> None:
    if transition.by == "system" and actor is None:
        # Jobs only: a person (e.g. a desk form posting action=expire) may not take them.
        return
    if transition.by == "resident" and getattr(actor, "pk", None) == booking.resident_id:
        return
    if transition.by == "provider" and is_staff_of(actor, booking.provider_id):
        return
    raise BookingForbidden(_("您无权进行此操作。"), code="forbidden")


def _before(booking: Booking, action: str) -> None:
    if action == "confirm" and not _paid(booking):
        raise BookingError(_("居民尚未完成支付，暂不能确认。"), code="unpaid")
    if action == "no_show" and timezone.now() < booking.starts_at:
        raise BookingError(_("服务时间还没到，不能登记未到。"), code="too_early")


def _paid(booking: Booking) -> bool:
    if booking.price_fen == 0:
        return True
    return booking.payments.filter(status=Payment.Status.HELD).exists()


def _after(booking: Booking, source: str) -> None:
    """Money and capacity for the state just entered."""
    target = booking.status
    if target == S.COMPLETED:
        if booking.package_id:
            payments.package_release_use(booking=booking)
        else:
            for payment in booking.payments.filter(status=Payment.Status.HELD):
                payments.payment_capture(payment=payment, key=f"capture:{booking.pk}")
        return
    if target == S.NO_SHOW:
        # The place was kept and the time has passed: the late-cancellation fee applies.
        _settle(booking, booking.late_cancel_fee_pct)
    elif target in (S.CANCELLED_BY_RESIDENT, S.CANCELLED_BY_PROVIDER, S.EXPIRED):
        late = target == S.CANCELLED_BY_RESIDENT and _late(booking)
        _settle(booking, booking.late_cancel_fee_pct if late else 0)
        # The place goes back to the slot for someone else.
        Slot.objects.filter(pk=booking.slot_id).update(remaining=F("remaining") + 1)


def _late(booking: Booking, now=None) -> bool:
    now = now or timezone.now()
    return now > booking.starts_at - dt.timedelta(hours=booking.free_cancel_hours)


def _settle(booking: Booking, fee_pct: int) -> None:
    """Release a `fee_pct` share to the provider and refund the rest (cancellation policy)."""
    if booking.package_id:
        if fee_pct:
            # A late cancellation with a package spends the use.
            payments.package_release_use(booking=booking)
        else:
            PrepaidPackage.objects.filter(pk=booking.package_id).update(
                uses_left=F("uses_left") + 1
            )
        return
    for payment in booking.payments.filter(
        status__in=[Payment.Status.HELD, Payment.Status.PENDING]
    ):
        fee = payment.amount_fen * fee_pct // 100 if payment.status == Payment.Status.HELD else 0
        if fee:
            payments.payment_capture(payment=payment, amount_fen=fee, key=f"fee:{booking.pk}")
        payments.payment_refund(
            payment=payment, amount_fen=payment.amount_fen - fee, reason=booking.status
        )


@dataclass(frozen=True)
class CancellationQuote:
    free: bool
    fee_fen: int
    refund_fen: int
    free_until: dt.datetime


def booking_cancellation_quote(*, booking: Booking, now=None) -> CancellationQuote:
    """What cancelling now would cost, shown before the resident confirms."""
    late = _late(booking, now)
    fee = booking.price_fen * booking.late_cancel_fee_pct // 100 if late else 0
    if booking.package_id:
        fee = 0
    paid = booking.price_fen if _paid(booking) else 0
    return CancellationQuote(
        free=not late,
        fee_fen=min(fee, paid),
        refund_fen=max(paid - fee, 0),
        free_until=booking.starts_at - dt.timedelta(hours=booking.free_cancel_hours),
    )


# --- Reschedule, staff ------------------------------------------------------------------------


def booking_reschedule(*, booking: Booking, new_slot_id: int, actor, now=None) -> Booking:
    """Move the booking to another slot of the same listing, atomically: the old place comes
    back only if the new one was taken. A confirmed booking goes back to the provider for
    confirmation of the new time."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if getattr(actor, "pk", None) != booking.resident_id:
            raise BookingForbidden(_("您无权进行此操作。"), code="forbidden")
        if booking.status not in (S.REQUESTED, S.CONFIRMED):
            raise BookingError(_("当前状态的预约不能改期。"), code="illegal_transition")
        if _late(booking, now):
            raise BookingError(
                _("已过免费改期时间（服务前 %(hours)s 小时），请联系机构。")
                % {"hours": booking.free_cancel_hours},
                code="too_late",
            )
        new_slot = Slot.objects.filter(pk=new_slot_id, listing_id=booking.listing_id).first()
        if new_slot is None or new_slot.pk == booking.slot_id:
            raise BookingInputError(
                _("请选择同一服务的另一个时段。"), code="unknown_slot", field="slot"
            )
        if new_slot.starts_at <= now:
            raise BookingError(_("这个时段已经开始或结束，不能预约。"), code="slot_past")
        _check_no_overlap(booking.resident_id, booking.dependant_id, new_slot, moving=booking)
        taken = Slot.objects.filter(pk=new_slot.pk, remaining__gt=0).update(
            remaining=F("remaining") - 1
        )
        if taken != 1:
            raise BookingError(_("该时段已约满，请选择其他时间。"), code="slot_full", field="slot")
        Slot.objects.filter(pk=booking.slot_id).update(remaining=F("remaining") + 1)
        old_start = booking.starts_at
        source = booking.status
        booking.slot = new_slot
        booking.starts_at, booking.ends_at = new_slot.starts_at, new_slot.ends_at
        booking.staff = None
        booking.status = S.REQUESTED
        hours = booking.listing.confirm_within_hours
        booking.confirm_by = min(now + dt.timedelta(hours=hours), new_slot.starts_at)
        booking.save()
        event = BookingEvent.objects.create(
            booking=booking,
            from_status=source,
            to_status=S.REQUESTED,
            actor=actor,
            reason=_("改期：%(old)s → %(new)s")
            % {
                "old": f"{timezone.localtime(old_start):%m-%d %H:%M}",
                "new": f"{timezone.localtime(new_slot.starts_at):%m-%d %H:%M}",
            },
        )
        transaction.on_commit(lambda: _notify(booking, "rescheduled", actor=actor, event=event))
    return booking


def booking_assign_staff(*, booking: Booking, staff, actor) -> Booking:
    """Assign a staff member of the provider; one person can't be in two bookings at once."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if not is_staff_of(actor, booking.provider_id):
            raise BookingForbidden(_("您无权进行此操作。"), code="forbidden")
        if staff is not None and (staff.provider_id != booking.provider_id or not staff.is_active):
            raise BookingInputError(
                _("请选择本机构在职的服务人员。"), code="unknown_staff", field="staff"
            )
        if not booking.is_active:
            raise BookingError(_("已结束的预约不能再指派人员。"), code="illegal_transition")
        booking.staff = staff
        try:
            with transaction.atomic():
                booking.save(update_fields=["staff", "updated_at"])
        except IntegrityError as exc:
            raise BookingError(
                _("该服务人员在这个时间已有其他预约。"), code="staff_busy", field="staff"
            ) from exc
        audit_record(
            actor=actor,
            action="booking.assign_staff",
            target=booking,
            detail={"staff": staff.pk if staff else None},
        )
    return booking


# --- Jobs -----------------------------------------------------------------------------------------


def bookings_expire(*, now=None) -> int:
    """Expire requested bookings past their confirmation deadline (unconfirmed or unpaid).
    Each in its own transaction; safe to run twice or concurrently."""
    now = now or timezone.now()
    count = 0
    due = Booking.objects.filter(status=S.REQUESTED, confirm_by__lt=now).values_list(
        "pk", flat=True
    )
    for pk in list(due[:5000]):
        try:
            booking_transition(
                booking=Booking(pk=pk), action="expire", reason=_("机构未在时限内确认或未支付")
            )
        except BookingError:
            continue  # confirmed or cancelled meanwhile
        count += 1
    return count


# --- Notices ------------------------------------------------------------------------------------

_NOTICE_TITLES = {
    "requested": _("新的预约待确认"),
    "rescheduled": _("预约已改期，请重新确认"),
    S.CONFIRMED: _("您的预约已确认"),
    S.IN_SERVICE: _("服务已开始"),
    S.COMPLETED: _("服务已完成"),
    S.CANCELLED_BY_RESIDENT: _("居民取消了预约"),
    S.CANCELLED_BY_PROVIDER: _("机构取消了您的预约"),
    S.NO_SHOW: _("预约登记为未到"),
    S.EXPIRED: _("预约因超时未确认已失效"),
}


def _notify(booking: Booking, what: str, *, actor=None, event=None) -> None:
    """Tell the other side: the provider's staff when the resident acted, else the resident."""
    to_provider = what in ("requested", "rescheduled", S.CANCELLED_BY_RESIDENT)
    if to_provider:
        recipients = [m.user for m in booking.provider.memberships.select_related("user")]
        link = reverse("services:desk", kwargs={"pk": booking.provider_id})
    else:
        recipients = [booking.resident]
        link = reverse("services:my-booking", kwargs={"pk": booking.pk})
    when = timezone.localtime(booking.starts_at)
    notify(
        recipients=recipients,
        kind=f"booking.{what}",
        title=str(_NOTICE_TITLES.get(what, what)),
        body=f"{booking.reference} · {booking.listing.title} · {when:%Y-%m-%d %H:%M}",
        link=link,
        dedupe_key=f"booking:{booking.pk}:{what}:{event.pk if event else 0}",
    )


# --- The provider's bulk API ---------------------------------------------------------------------


class BulkBookingError(BookingError):
    """Some items of a bulk request were refused; nothing was changed."""

    status = 400


def bookings_bulk_apply(*, provider, actor, items: list[dict]) -> list[Booking]:
    """Apply many desk actions at once (`action` = a transition or "assign"), all or nothing:
    when any item fails, none is applied and every failing item's error is reported by index."""
    if not is_staff_of(actor, provider.pk):
        raise BookingForbidden(_("您无权进行此操作。"), code="forbidden")
    errors: dict[str, list[str]] = {}
    done: list[Booking] = []
    ids = [item["booking"] for item in items]
    found = {b.pk: b for b in Booking.objects.filter(provider=provider, pk__in=ids)}
    try:
        with transaction.atomic():
            for index, item in enumerate(items):
                booking = found.get(item["booking"])
                try:
                    if booking is None:
                        raise BookingInputError(_("本机构没有这条预约。"), code="not_found")
                    if item["action"] == "assign":
                        done.append(
                            booking_assign_staff(
                                booking=booking, staff=item.get("staff"), actor=actor
                            )
                        )
                    elif item["action"] in PROVIDER_ACTIONS:
                        done.append(
                            booking_transition(
                                booking=booking,
                                action=item["action"],
                                actor=actor,
                                reason=item.get("reason", ""),
                            )
                        )
                    else:
                        raise BookingInputError(_("未知的操作。"), code="unknown_action")
                except BookingError as exc:
                    errors[str(index)] = [str(exc.message)]
            if errors:
                raise BulkBookingError(_("部分预约无法处理，全部未执行。"), code="bulk_invalid")
    except BulkBookingError as exc:
        exc.fields = {"items": errors}
        raise
    return done
