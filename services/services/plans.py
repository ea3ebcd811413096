"""Recurring plans: book matching slots ahead by a job, skipping and reporting conflicts."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import is_resident
from portal.notifications.services import notify
from services.errors import BookingError, BookingInputError
from services.models import Listing, Plan, PlanOccurrence, PrepaidPackage, Slot
from services.services.bookings import booking_create

Outcome = PlanOccurrence.Outcome


def plan_create(*, resident, listing: Listing, data: dict) -> Plan:
    """A weekly plan on a public listing; the first bookings are made right away."""
    if not is_resident(resident):
        raise BookingInputError(_("只有居民可以创建服务计划。"), code="not_resident")
    if not listing.is_public:
        raise BookingInputError(_("没有这项服务。"), code="unknown_listing", field="listing")
    weekdays = sorted(set(data.get("weekdays") or []))
    if not weekdays or any(d not in range(7) for d in weekdays):
        raise BookingInputError(_("请至少选择一个星期几。"), code="weekdays", field="weekdays")
    starts_on = data.get("starts_on") or timezone.localdate()
    ends_on = data.get("ends_on")
    if starts_on < timezone.localdate():
        raise BookingInputError(_("开始日期不能早于今天。"), code="starts_on", field="starts_on")
    if ends_on and ends_on < starts_on:
        raise BookingInputError(_("结束日期不能早于开始日期。"), code="ends_on", field="ends_on")
    dependant = data.get("dependant")
    if dependant is not None and dependant.owner_id != resident.pk:
        raise BookingInputError(
            _("只能为您添加的家庭成员预约。"), code="not_your_dependant", field="dependant"
        )
    address = data.get("address")
    if listing.delivery_mode == Listing.DeliveryMode.AT_HOME and address is None:
        raise BookingInputError(_("上门服务需要选择服务地址。"), code="address", field="address")
    if address is not None and address.owner_id != resident.pk:
        raise BookingInputError(_("只能使用您保存的地址。"), code="address", field="address")
    plan = Plan.objects.create(
        resident=resident,
        dependant=dependant,
        listing=listing,
        weekdays=weekdays,
        start_time=data["start_time"],
        starts_on=starts_on,
        ends_on=ends_on,
        address=address,
    )
    transaction.on_commit(lambda: plan_book_ahead(plan=plan))
    return plan


def plan_set_status(*, plan: Plan, actor, status: str) -> Plan:
    """Pause, resume or stop. Stopping does not cancel bookings already made."""
    if plan.resident_id != getattr(actor, "pk", None):
        raise BookingInputError(_("没有这个服务计划。"), code="not_found")
    allowed = {
        Plan.Status.ACTIVE: {Plan.Status.PAUSED, Plan.Status.STOPPED},
        Plan.Status.PAUSED: {Plan.Status.ACTIVE, Plan.Status.STOPPED},
        Plan.Status.STOPPED: set(),
    }
    if status not in allowed[plan.status]:
        raise BookingError(_("服务计划当前状态不能进行此操作。"), code="illegal_transition")
    plan.status = status
    plan.save(update_fields=["status"])
    return plan


def plan_book_ahead(*, plan: Plan, today: dt.date | None = None, days: int | None = None) -> dict:
    """Book the plan's slots for the coming days. Each date is tried once (PlanOccurrence), so
    running twice books nothing twice; conflicts are recorded and reported to the resident."""
    if plan.status != Plan.Status.ACTIVE:
        return {}
    today = today or timezone.localdate()
    days = days if days is not None else settings.PLAN_BOOK_AHEAD_DAYS
    done = set(plan.occurrences.values_list("date", flat=True))
    counts = dict.fromkeys(Outcome.values, 0)
    problems = []
    for offset in range(1, days + 1):
        day = today + dt.timedelta(days=offset)
        if day < plan.starts_on or (plan.ends_on and day > plan.ends_on):
            continue
        if day.weekday() not in plan.weekdays or day in done:
            continue
        outcome, booking = _book_one(plan, day)
        PlanOccurrence.objects.get_or_create(
            plan=plan, date=day, defaults={"outcome": outcome, "booking": booking}
        )
        counts[outcome] += 1
        if outcome != Outcome.BOOKED:
            problems.append(f"{day:%m-%d} {Outcome(outcome).label}")
    if problems:
        notify(
            recipients=[plan.resident],
            kind="plan.conflicts",
            title=_("服务计划有 %(n)s 天未能预约") % {"n": len(problems)},
            body="；".join(problems),
            dedupe_key=f"plan:{plan.pk}:conflicts:{today}",
        )
    return counts


def _book_one(plan: Plan, day: dt.date):
    start = timezone.make_aware(dt.datetime.combine(day, plan.start_time))
    slot = Slot.objects.filter(listing_id=plan.listing_id, starts_at=start).first()
    if slot is None:
        return Outcome.NO_SLOT, None
    has_package = PrepaidPackage.objects.filter(
        resident=plan.resident,
        listing_id=plan.listing_id,
        status=PrepaidPackage.Status.ACTIVE,
        uses_left__gt=0,
        valid_until__gte=day,
    ).exists()
    try:
        booking = booking_create(
            resident=plan.resident,
            slot_id=slot.pk,
            idempotency_key=f"plan:{plan.pk}:{day}",
            dependant=plan.dependant,
            address=plan.address,
            use_package=has_package,
            plan=plan,
        )
    except BookingError as exc:
        return (Outcome.FULL if exc.code == "slot_full" else Outcome.CONFLICT), None
    return Outcome.BOOKED, booking


def plans_book_ahead_all() -> dict:
    totals: dict[str, int] = {}
    for plan in Plan.objects.filter(status=Plan.Status.ACTIVE).select_related("resident"):
        for outcome, n in plan_book_ahead(plan=plan).items():
            totals[outcome] = totals.get(outcome, 0) + n
    return totals
