"""Materialising schedules into slots: idempotent, and never unsafe for booked slots."""

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError
from django.db.models import F
from django.utils import timezone

from services.models import ScheduleException, Slot
from services.services import schedules
from services.services.schedules import ListingError
from tests.services.factories import ListingFactory, RuleFactory

pytestmark = pytest.mark.django_db

# A Sunday evening in Chengdu: the next four weeks hold four Mondays.
NOW = dt.datetime(2026, 11, 22, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def listing(provider_a):
    listing = ListingFactory(branch__provider=provider_a)
    RuleFactory(
        listing=listing, weekday=0, start=dt.time(9), end=dt.time(12), slot_minutes=60, capacity=2
    )
    return listing


def _materialise(listing, **kwargs):
    return schedules.slots_materialise(listing=listing, now=NOW, **kwargs)


def test_rules_become_slots_for_the_next_weeks(listing):
    result = _materialise(listing)

    assert result["created"] == 4 * 3  # four Mondays, three one-hour slots each
    first = Slot.objects.filter(listing=listing).order_by("starts_at").first()
    local = timezone.localtime(first.starts_at)
    assert (local.date(), local.hour, first.capacity, first.remaining) == (
        dt.date(2026, 11, 23),
        9,
        2,
        2,
    )


def test_running_twice_creates_nothing_new(listing):
    _materialise(listing)
    before = list(Slot.objects.values_list("pk", "starts_at", "capacity", "remaining"))

    result = _materialise(listing)

    assert result == {"created": 0, "updated": 0, "deleted": 0, "kept_booked": 0}
    assert list(Slot.objects.values_list("pk", "starts_at", "capacity", "remaining")) == before


def test_a_changed_rule_reshapes_only_unbooked_future_slots(listing, staff_a):
    _materialise(listing)
    booked = Slot.objects.filter(listing=listing).order_by("starts_at").first()
    Slot.objects.filter(pk=booked.pk).update(remaining=F("remaining") - 2)  # fully booked

    schedules.rules_replace(
        listing=listing,
        actor=staff_a,
        rules=[
            {"weekday": 1, "start": "14:00", "end": "16:00", "slot_minutes": 60, "capacity": 1},
        ],
    )
    result = _materialise(listing)

    booked.refresh_from_db()
    assert booked.remaining == 0  # still there, still booked
    assert result["kept_booked"] == 1
    assert result["deleted"] == 11  # the other Monday slots nobody booked
    tuesdays = Slot.objects.filter(listing=listing).exclude(pk=booked.pk)
    assert {timezone.localtime(s.starts_at).weekday() for s in tuesdays} == {1}
    assert tuesdays.count() == 8


def test_lowering_capacity_never_goes_below_what_is_booked(listing, staff_a):
    _materialise(listing)
    slot = Slot.objects.filter(listing=listing).order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(remaining=0)  # 2 of 2 booked
    schedules.rules_replace(
        listing=listing,
        actor=staff_a,
        rules=[
            {"weekday": 0, "start": "09:00", "end": "12:00", "slot_minutes": 60, "capacity": 1},
        ],
    )

    _materialise(listing)

    slot.refresh_from_db()
    assert (slot.capacity, slot.remaining) == (2, 0)
    other = Slot.objects.filter(listing=listing).exclude(pk=slot.pk).first()
    assert (other.capacity, other.remaining) == (1, 1)


def test_raising_capacity_adds_free_places_to_a_booked_slot(listing, staff_a):
    _materialise(listing)
    slot = Slot.objects.filter(listing=listing).order_by("starts_at").first()
    Slot.objects.filter(pk=slot.pk).update(remaining=1)  # 1 of 2 booked
    schedules.rules_replace(
        listing=listing,
        actor=staff_a,
        rules=[
            {"weekday": 0, "start": "09:00", "end": "12:00", "slot_minutes": 60, "capacity": 5},
        ],
    )

    _materialise(listing)

    slot.refresh_from_db()
    assert (slot.capacity, slot.remaining) == (5, 4)


def test_a_closed_day_removes_its_free_slots_and_an_extra_day_adds_some(listing, staff_a):
    _materialise(listing)
    schedules.exception_add(
        listing=listing,
        actor=staff_a,
        data={"date": dt.date(2026, 11, 23), "kind": "closed", "note": "培训"},
    )
    schedules.exception_add(
        listing=listing,
        actor=staff_a,
        data={
            "date": dt.date(2026, 11, 28),
            "kind": "extra",
            "start": dt.time(9),
            "end": dt.time(11),
            "slot_minutes": 60,
            "capacity": 3,
        },
    )

    result = _materialise(listing)

    assert result["deleted"] == 3
    assert result["created"] == 2
    days = {timezone.localtime(s.starts_at).date() for s in Slot.objects.filter(listing=listing)}
    assert dt.date(2026, 11, 23) not in days
    assert dt.date(2026, 11, 28) in days


def test_past_slots_are_left_alone(listing):
    with time_machine.travel(NOW, tick=False):
        _materialise(listing)
    later = NOW + dt.timedelta(days=10)
    listing.rules.all().delete()

    result = schedules.slots_materialise(listing=listing, now=later)

    assert result["deleted"] == 6  # the two Mondays still ahead (7 and 14 December)
    assert Slot.objects.filter(listing=listing, starts_at__lt=later).count() == 6  # 23, 30 Nov


def test_the_database_refuses_an_oversold_or_duplicate_slot(listing):
    _materialise(listing)
    slot = Slot.objects.filter(listing=listing).first()
    with pytest.raises(IntegrityError, match="remaining"):
        Slot.objects.filter(pk=slot.pk).update(remaining=F("remaining") - 3)


def test_the_database_refuses_two_slots_at_the_same_start(listing):
    _materialise(listing)
    slot = Slot.objects.filter(listing=listing).first()
    with pytest.raises(IntegrityError, match="slot_unique_per_listing_start"):
        Slot.objects.create(
            listing=listing, starts_at=slot.starts_at, ends_at=slot.ends_at, capacity=1, remaining=1
        )


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"weekday": 7}, "weekday"),
        ({"end": "08:00"}, "end"),
        ({"slot_minutes": 2}, "slot_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"slot_minutes": 600}, "slot_minutes"),  # longer than 09:00–12:00
    ],
)
def test_bad_rules_are_refused_and_the_old_ones_kept(listing, staff_a, rule, field):
    good = {"weekday": 2, "start": "09:00", "end": "12:00", "slot_minutes": 60, "capacity": 2}
    with pytest.raises(ListingError) as exc:
        schedules.rules_replace(listing=listing, actor=staff_a, rules=[{**good, **rule}])
    assert exc.value.field.endswith(field)
    assert list(listing.rules.values_list("weekday", flat=True)) == [0]


def test_overlapping_rules_are_refused(listing, staff_a):
    rule = {"weekday": 2, "start": "09:00", "end": "12:00", "slot_minutes": 60, "capacity": 2}
    with pytest.raises(ListingError, match="重叠"):
        schedules.rules_replace(
            listing=listing, actor=staff_a, rules=[rule, {**rule, "start": "11:00", "end": "13:00"}]
        )


def test_the_nightly_job_runs_twice_without_doing_the_work_twice(listing):
    from services.tasks import materialise_slots

    with time_machine.travel(NOW, tick=False):
        first = materialise_slots.delay().get()
        second = materialise_slots.delay().get()

    assert first["created"] == 12
    assert second["created"] == 0
    assert Slot.objects.count() == 12


def test_an_extra_day_needs_its_times(listing, staff_a):
    with pytest.raises(ListingError):
        schedules.exception_add(
            listing=listing, actor=staff_a, data={"date": dt.date(2026, 11, 28), "kind": "extra"}
        )
    assert not ScheduleException.objects.exists()
