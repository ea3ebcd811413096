"""Weekly rules and exceptions, and materialising them into bookable slots.

Materialising is idempotent: a second run creates, changes and deletes nothing. A changed rule
reshapes only future slots nobody has booked; a booked slot is never deleted and its capacity
never drops below what is booked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from providers.services.access import require_member
from services.errors import ListingError
from services.models import Listing, ScheduleException, ScheduleRule, Slot
from services.services.listings import BulkError

# Schedules are local times of the city, whatever timezone a request may have activated.
SERVICE_ZONE = ZoneInfo(settings.TIME_ZONE)
DEFAULT_WEEKS = 4
MAX_WEEKS = 26


def _time_ranges(start: dt.time, end: dt.time, minutes: int) -> Iterable[tuple[dt.time, dt.time]]:
    cursor = dt.datetime.combine(dt.date.min, start)
    stop = dt.datetime.combine(dt.date.min, end)
    step = dt.timedelta(minutes=minutes)
    while cursor + step <= stop:
        yield cursor.time(), (cursor + step).time()
        cursor += step


def _validate_rule(rule: dict, index: int | None = None) -> dict:
    def fail(message, field):
        name = field if index is None else f"rules[{index}].{field}"
        raise ListingError(message, code="invalid_rule", field=name)

    try:
        weekday = int(rule["weekday"])
        start, end = rule["start"], rule["end"]
        slot_minutes, capacity = int(rule["slot_minutes"]), int(rule["capacity"])
    except (KeyError, TypeError, ValueError):
        fail(_("排班规则需要星期、开始、结束时间、每段时长和名额。"), "weekday")
    try:
        start = dt.time.fromisoformat(start) if isinstance(start, str) else start
        end = dt.time.fromisoformat(end) if isinstance(end, str) else end
    except ValueError:
        fail(_("时间格式应为 HH:MM。"), "start")
    if not isinstance(start, dt.time) or not isinstance(end, dt.time):
        fail(_("排班规则需要星期、开始、结束时间、每段时长和名额。"), "start")
    valid_from, valid_until = rule.get("valid_from"), rule.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        fail(_("失效日期不能早于生效日期。"), "valid_until")
    if not 0 <= weekday <= 6:
        fail(_("星期应为 0（周一）到 6（周日）。"), "weekday")
    if end <= start:
        fail(_("结束时间必须晚于开始时间。"), "end")
    if not 5 <= slot_minutes <= 1440:
        fail(_("每段时长应在 5 到 1440 分钟之间。"), "slot_minutes")
    if not 1 <= capacity <= 10000:
        fail(_("每段名额应在 1 到 10000 之间。"), "capacity")
    span = dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
    if span < dt.timedelta(minutes=slot_minutes):
        fail(_("时间段短于每段时长，无法生成时段。"), "slot_minutes")
    return {
        "weekday": weekday,
        "start": start,
        "end": end,
        "slot_minutes": slot_minutes,
        "capacity": capacity,
        "valid_from": rule.get("valid_from"),
        "valid_until": rule.get("valid_until"),
    }


def rules_replace(*, listing: Listing, actor, rules: list[dict]) -> list[ScheduleRule]:
    """Replace the listing's weekly rules (the schedule editor saves the whole week)."""
    require_member(actor, listing.provider)
    cleaned = [_validate_rule(rule, index) for index, rule in enumerate(rules)]
    for a_index, a in enumerate(cleaned):
        for b in cleaned[a_index + 1 :]:
            if a["weekday"] == b["weekday"] and a["start"] < b["end"] and b["start"] < a["end"]:
                raise ListingError(_("同一天的排班时间有重叠。"), code="overlap", field="rules")
    with transaction.atomic():
        listing.rules.all().delete()
        created = ScheduleRule.objects.bulk_create(
            [ScheduleRule(listing=listing, **rule) for rule in cleaned]
        )
        audit_record(
            actor=actor, action="schedule.replaced", target=listing, detail={"rules": len(created)}
        )
    return created


def exception_add(*, listing: Listing, actor, data: dict) -> ScheduleException:
    require_member(actor, listing.provider)
    kind = data.get("kind")
    if kind not in ScheduleException.Kind.values:
        raise ListingError(_("无效的选项。"), code="invalid_choice", field="kind")
    date = data.get("date")
    if date is None:
        raise ListingError(_("请选择日期。"), code="required", field="date")
    values = {"date": date, "kind": kind, "note": data.get("note", "")}
    if kind == ScheduleException.Kind.EXTRA:
        rule = _validate_rule({**data, "weekday": date.weekday()})
        values.update(
            start=rule["start"],
            end=rule["end"],
            slot_minutes=rule["slot_minutes"],
            capacity=rule["capacity"],
        )
    exception = ScheduleException.objects.create(listing=listing, **values)
    audit_record(actor=actor, action="schedule.exception_added", target=listing)
    return exception


def _desired_slots(listing: Listing, start_day: dt.date, days: int) -> dict:
    """starts_at -> (ends_at, capacity) for every slot the rules and exceptions ask for."""
    rules = list(listing.rules.all())
    exceptions: dict[dt.date, list[ScheduleException]] = {}
    for exc in listing.exceptions.filter(
        date__gte=start_day, date__lt=start_day + dt.timedelta(days=days)
    ):
        exceptions.setdefault(exc.date, []).append(exc)
    zone = SERVICE_ZONE
    desired = {}
    for offset in range(days):
        day = start_day + dt.timedelta(days=offset)
        day_exceptions = exceptions.get(day, [])
        closed = any(e.kind == ScheduleException.Kind.CLOSED for e in day_exceptions)
        ranges = []
        if not closed:
            ranges += [
                (r.start, r.end, r.slot_minutes, r.capacity)
                for r in rules
                if r.weekday == day.weekday()
                and (r.valid_from is None or r.valid_from <= day)
                and (r.valid_until is None or r.valid_until >= day)
            ]
        ranges += [
            (e.start, e.end, e.slot_minutes, e.capacity)
            for e in day_exceptions
            if e.kind == ScheduleException.Kind.EXTRA
        ]
        for start, end, minutes, capacity in ranges:
            for slot_start, slot_end in _time_ranges(start, end, minutes):
                starts_at = dt.datetime.combine(day, slot_start, tzinfo=zone)
                desired[starts_at] = (dt.datetime.combine(day, slot_end, tzinfo=zone), capacity)
    return desired


def slots_materialise(*, listing: Listing, weeks: int = DEFAULT_WEEKS, now=None) -> dict:
    """Bring the listing's future slots in line with its schedule. Returns counts."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ListingError(_("生成周数应在 1 到 26 之间。"), code="invalid", field="weeks")
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = weeks * 7
    counts = {"created": 0, "updated": 0, "deleted": 0, "kept_booked": 0}
    with transaction.atomic():
        # One materialiser per listing at a time; bookings keep going (they lock slots only).
        Listing.objects.select_for_update().filter(pk=listing.pk).first()
        desired = {k: v for k, v in _desired_slots(listing, today, days).items() if k > now}
        window_end = dt.datetime.combine(
            today + dt.timedelta(days=days), dt.time.min, tzinfo=SERVICE_ZONE
        )
        for slot in Slot.objects.filter(
            listing=listing, starts_at__gt=now, starts_at__lt=window_end
        ):
            booked = slot.capacity - slot.remaining
            wanted = desired.pop(slot.starts_at, None)
            if wanted is None:
                if booked:
                    # Kept for the people who booked it, but closed to new bookings.
                    counts["kept_booked"] += 1
                    if slot.remaining:
                        Slot.objects.filter(pk=slot.pk, remaining=slot.remaining).update(
                            capacity=booked, remaining=0
                        )
                    continue
                # Delete only if still unbooked at this instant (a booking may have just landed).
                counts["deleted"] += Slot.objects.filter(
                    pk=slot.pk, remaining=F("capacity")
                ).delete()[0]
                continue
            ends_at, capacity = wanted
            capacity = max(capacity, booked)
            if slot.capacity == capacity and (booked or slot.ends_at == ends_at):
                continue
            changes = {
                "capacity": capacity,
                "remaining": F("remaining") + (capacity - slot.capacity),
            }
            if not booked:
                changes["ends_at"] = ends_at
            counts["updated"] += Slot.objects.filter(
                pk=slot.pk, capacity=slot.capacity, remaining=slot.remaining
            ).update(**changes)
        created = Slot.objects.bulk_create(
            [
                Slot(
                    listing=listing,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=capacity,
                    remaining=capacity,
                )
                for starts_at, (ends_at, capacity) in sorted(desired.items())
            ],
            ignore_conflicts=True,
        )
        counts["created"] = len(created)
    return counts


def slots_materialise_all(*, weeks: int = DEFAULT_WEEKS, now=None) -> dict:
    """Every listing past draft (the nightly beat job): rules and exceptions become slots,
    and the free slots of a schedule that was emptied go away."""
    totals = {"listings": 0, "created": 0, "updated": 0, "deleted": 0, "kept_booked": 0}
    listings = Listing.objects.exclude(status=Listing.Status.DRAFT).order_by("pk")
    for listing in listings.iterator(chunk_size=500):
        result = slots_materialise(listing=listing, weeks=weeks, now=now)
        totals["listings"] += 1
        for key in ("created", "updated", "deleted", "kept_booked"):
            totals[key] += result[key]
    return totals


def schedules_bulk_replace(*, provider, actor, items: list[dict]) -> None:
    """Replace the weekly rules of many listings of one provider and re-materialise their
    slots: all or nothing, with every invalid item's errors by index (BulkError)."""
    require_member(actor, provider)
    errors: list[dict] = []
    with transaction.atomic():
        for index, item in enumerate(items):
            listing = Listing.objects.filter(pk=item["listing"], provider=provider).first()
            try:
                if listing is None:
                    raise ListingError(
                        _("服务项目不存在或不属于本机构。"), code="not_found", field="listing"
                    )
                with transaction.atomic():
                    rules_replace(listing=listing, actor=actor, rules=item["rules"])
                    slots_materialise(listing=listing)
            except ListingError as exc:
                errors.append({"index": index, "field": exc.field, "message": str(exc.message)})
        if errors:
            raise BulkError(errors)
