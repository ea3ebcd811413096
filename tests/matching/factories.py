"""factory_boy factories and helpers for matching (sections per area; append yours)."""

from __future__ import annotations

# --- engine
import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from matching.models import Need
from services.models import Listing
from tests.accounts.factories import UserFactory
from tests.services.factories import SlotFactory, public_listing


class NeedFactory(factory.django.DjangoModelFactory):
    """An open eldercare need for 助餐 at home in 武侯区, any weekday 08:00–20:00, up to ¥100."""

    class Meta:
        model = Need

    resident = factory.SubFactory(UserFactory)
    domain = "eldercare"
    category_id = "elder_meals"
    place = Need.Place.HOME
    division_id = "510107"
    latitude = Decimal("30.641000")
    longitude = Decimal("104.043000")
    max_distance_km = 5
    windows = factory.LazyFunction(
        lambda: [{"weekday": d, "start": "08:00", "end": "20:00"} for d in range(7)]
    )
    budget_min_fen = 0
    budget_max_fen = 10000


def matchable_listing(provider, *, divisions=("510107",), slot_in_days=3, capacity=1, **kwargs):
    """A public at-home eldercare listing of `provider` serving `divisions`, with one free
    slot `slot_in_days` ahead at 10:00 (local) holding `capacity` places. Returns (listing,
    slot)."""
    kwargs.setdefault("delivery_mode", Listing.DeliveryMode.AT_HOME)
    kwargs.setdefault("domain", "eldercare")
    listing = public_listing(provider, **kwargs)
    listing.service_divisions.add(*divisions)
    slot = None
    if slot_in_days is not None:
        day = timezone.localdate() + dt.timedelta(days=slot_in_days)
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        slot = SlotFactory(listing=listing, starts_at=starts, capacity=capacity)
    return listing, slot


# --- gaps


def gap_monday(weeks_ahead: int = 1) -> dt.date:
    """The Monday `weeks_ahead` weeks after this week's (Asia/Shanghai): slots there stay
    bookable whatever day the tests run."""
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=weeks_ahead)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    """`day` at `hour` o'clock, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def gap_need(division_id: str, created_at: dt.datetime, **kwargs) -> Need:
    """A need posted in `division_id` at `created_at` (status, unmatched_reason, domain...)."""
    kwargs.setdefault("place", Need.Place.AREA)
    return NeedFactory(division_id=division_id, created_at=created_at, **kwargs)


# --- needs
# (dt, timezone, factory, Need, SlotFactory, public_listing come from the imports above.)

from matching.models import Candidate, MatchRun  # noqa: E402
from tests.services.factories import AddressFactory  # noqa: E402


def need_data(resident, **overrides) -> dict:
    """Valid input for need_create: 助餐 at the branch near the resident's saved home (one is
    created when they have none), a weekday 11:00–13:00 window, ¥10–¥30."""
    data = {
        "domain": "eldercare",
        "category": "elder_meals",
        "place": Need.Place.BRANCH,
        "max_distance_km": 5,
        "windows": [{"weekday": 2, "start": "11:00", "end": "13:00"}],
        "budget_min_fen": 1000,
        "budget_max_fen": 3000,
    }
    if "address" not in overrides and resident.is_resident:
        address = resident.addresses.first() or AddressFactory(owner=resident)
        data["address"] = address.pk
    data.update(overrides)
    return data


def proxy_need_data(official, **overrides) -> dict:
    """A 代办 need an official of 武侯区 posts at home for 李秀英 (form values)."""
    values = {
        "place": "home",
        "division": "510107",
        "latitude": "30.64",
        "longitude": "104.04",
        "proxy_name": "李秀英",
        "proxy_phone": "13800009999",
        **overrides,
    }
    return need_data(official, **values)


class RunFactory(factory.django.DjangoModelFactory):
    """A succeeded run (as the engine leaves it)."""

    class Meta:
        model = MatchRun

    status = MatchRun.Status.SUCCEEDED
    progress = 100
    finished_at = factory.LazyFunction(timezone.now)


def proposals(need, offers, *, run=None) -> list[Candidate]:
    """Write a succeeded run proposing `offers` (a list of (listing, slot)) for `need` in that
    rank order, the first one assigned, as the engine does; the need becomes matched."""
    run = run or RunFactory(need=need)
    rows = [
        Candidate.objects.create(
            run=run,
            need=need,
            listing=listing,
            provider=listing.provider,
            slot=slot,
            rank=rank,
            assigned=rank == 0,
            score=0.9 - rank * 0.1,
            components={"distance": {"value": 0.9, "weight": 1.0}},
            reasons=[f"距离您约 {rank + 1}.0 公里", "价格在预算之内"],
        )
        for rank, (listing, slot) in enumerate(offers)
    ]
    Need.objects.filter(pk=need.pk).update(status=Need.Status.MATCHED)
    need.refresh_from_db()
    return rows


def offer(provider, *, capacity=1, days=3, **kwargs):
    """A public at-branch 助餐 listing of `provider` with one slot `days` ahead at 11:00."""
    kwargs.setdefault("delivery_mode", Listing.DeliveryMode.AT_BRANCH)
    listing = public_listing(provider, **kwargs)
    day = timezone.localdate() + dt.timedelta(days=days)
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(11)))
    return listing, SlotFactory(listing=listing, starts_at=starts, capacity=capacity)
