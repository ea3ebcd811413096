"""The matching app's open-data selectors: supply against demand per month, district and
domain, and the names openData must never publish.

Time is frozen on 2026-03-15 10:00 in Asia/Shanghai; with months=2 the window is February and
March. Needs of 王芳 (and one 代办 need of 赵敏 for 李秀英):

- 武侯区 eldercare, March: booked; referred (代办); open again after the provider declined
  the referral; withdrawn; two matched with proposals nobody accepted yet; open in a
  township of 武侯区; booked, posted 03-01 00:30 local time (02-28 in UTC). 8 needs, 3
  matched.
- 武侯区 childcare, February: open. 锦江区 eldercare, 01-31 23:00: outside the window.

Places of public listings located in the district: 武侯区 eldercare 5 in February, 3 + 2 in
March (the second at 23:30 on 03-31), 4 at 00:30 on 04-01 (April locally, outside); 锦江区
eldercare 6 in March. Not counted: a draft listing's 100, and the 50 and 30 places of public
listings without a district or without a domain.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from matching.models import Candidate, Need
from matching.selectors import OPEN_SUPPLY_DEMAND_KEYS, open_supply_demand_rows, person_names
from portal.accounts.models import Division
from services.models import Booking, Listing
from tests.accounts.factories import UserFactory
from tests.matching.factories import NeedFactory, RunFactory
from tests.providers.factories import StaffMemberFactory
from tests.services.factories import (
    DependantFactory,
    ListingFactory,
    SlotFactory,
    book,
    public_listing,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 15, 10, 0, tzinfo=SHANGHAI)
WUHOU, JINJIANG, TOWNSHIP = "510107", "510104", "510107001"
NEED_TEXT = "母亲王建国行动不便，需要每天送餐，电话13800007777"


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def row(month, district, domain, needs=0, matched=0, unmatched=0, supply_slots=0) -> dict:
    return {
        "month": month,
        "district": district,
        "domain": domain,
        "needs": needs,
        "matched": matched,
        "unmatched": unmatched,
        "supply_slots": supply_slots,
    }


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def dataset(db, frozen, wang_fang, daughter, official_wuhou, provider_a, provider_b):
    Division.objects.create(
        code=TOWNSHIP,
        name="浆洗街街道",
        level=Division.Level.TOWNSHIP,
        parent_id=WUHOU,
        latitude="30.64",
        longitude="104.04",
    )
    eldercare = public_listing(provider_a, domain="eldercare", district=WUHOU)
    jinjiang = public_listing(provider_b, domain="eldercare", district=JINJIANG)
    draft = ListingFactory(status=Listing.Status.DRAFT, domain="eldercare", district=WUHOU)
    no_district = public_listing(provider_a, domain="eldercare")
    no_domain = public_listing(provider_a, district=WUHOU)
    SlotFactory(listing=eldercare, starts_at=at(2, 10), capacity=5)
    march = SlotFactory(listing=eldercare, starts_at=at(3, 20), capacity=3)
    SlotFactory(listing=eldercare, starts_at=at(3, 31, 23, 30), capacity=2)
    SlotFactory(
        listing=eldercare, starts_at=dt.datetime(2026, 4, 1, 0, 30, tzinfo=SHANGHAI), capacity=4
    )
    SlotFactory(listing=jinjiang, starts_at=at(3, 21), capacity=6)
    SlotFactory(listing=draft, starts_at=at(3, 20), capacity=100)
    SlotFactory(listing=no_district, starts_at=at(3, 20), capacity=50)
    SlotFactory(listing=no_domain, starts_at=at(3, 20), capacity=30)

    S = Need.Status
    mine = {"resident": wang_fang, "text": NEED_TEXT}
    booked = NeedFactory(
        status=S.BOOKED,
        created_at=at(3, 3),
        dependant=DependantFactory(owner=wang_fang, name="王建国"),
        **mine,
    )
    referred = NeedFactory(
        resident=official_wuhou,
        proxy_name="李秀英",
        proxy_phone="13800009999",
        proxy_address="浆洗街 8 号",
        status=S.REFERRED,
        created_at=at(3, 4),
    )
    declined = NeedFactory(status=S.OPEN, created_at=at(3, 5), **mine)
    NeedFactory(status=S.WITHDRAWN, created_at=at(3, 6), **mine)
    proposed = NeedFactory(status=S.MATCHED, created_at=at(3, 7), **mine)
    NeedFactory(status=S.MATCHED, created_at=at(3, 7, 11), **mine)
    NeedFactory(division_id=TOWNSHIP, created_at=at(3, 8), unmatched_reason="over_budget", **mine)
    NeedFactory(status=S.BOOKED, created_at=at(3, 1, 0, 30), **mine)
    NeedFactory(domain="childcare", category_id=None, created_at=at(2, 10), **mine)
    NeedFactory(division_id=JINJIANG, created_at=at(1, 31, 23), **mine)

    run = RunFactory(requested_by=daughter)
    booking = book(wang_fang, march)
    Booking.objects.filter(pk=booking.pk).update(
        staff=StaffMemberFactory(provider=provider_a, name="王小芳")
    )
    A, D = Candidate.Status, Candidate.ProviderDecision
    for need, status, decision, made in (
        (booked, A.ACCEPTED, D.PENDING, booking),
        (referred, A.ACCEPTED, D.ACCEPTED, None),
        (declined, A.ACCEPTED, D.DECLINED, None),
        (proposed, A.PROPOSED, D.PENDING, None),
    ):
        Candidate.objects.create(
            run=run,
            need=need,
            listing=eldercare,
            provider=provider_a,
            rank=0,
            assigned=True,
            score=0.9,
            status=status,
            provider_decision=decision,
            booking=made,
        )


def test_it_counts_needs_matches_and_places_per_month_district_and_domain(dataset):
    rows = open_supply_demand_rows(months=2)

    assert rows == [
        row("2026-02", WUHOU, "childcare", needs=1, unmatched=1),
        row("2026-02", WUHOU, "eldercare", supply_slots=5),
        row("2026-03", JINJIANG, "eldercare", supply_slots=6),
        row("2026-03", WUHOU, "eldercare", needs=8, matched=3, unmatched=5, supply_slots=5),
    ]
    assert tuple(rows[0]) == OPEN_SUPPLY_DEMAND_KEYS


def test_the_window_is_whole_months_ending_with_todays(dataset):
    three = open_supply_demand_rows(months=3)
    april = open_supply_demand_rows(months=1, today=dt.date(2026, 4, 2))

    assert three[0] == row("2026-01", JINJIANG, "eldercare", needs=1, unmatched=1)
    assert len(three) == 5
    assert april == [row("2026-04", WUHOU, "eldercare", supply_slots=4)]


def test_it_takes_two_queries(dataset, django_assert_num_queries):
    with django_assert_num_queries(2):
        open_supply_demand_rows()


def test_it_refuses_an_empty_window(db):
    with pytest.raises(ValueError, match="months"):
        open_supply_demand_rows(months=0)


def test_no_row_holds_a_person_or_a_need_text(dataset, wang_fang, official_wuhou):
    rows = open_supply_demand_rows(months=3)

    text = repr(rows)
    secrets = [wang_fang.name, official_wuhou.name, "李秀英", "13800009999", "王建国", NEED_TEXT]
    assert [secret for secret in secrets if secret in text] == []


def test_person_names_are_the_people_matching_rows_refer_to(
    dataset, wang_fang, daughter, staff_a, django_assert_num_queries
):
    DependantFactory(owner=wang_fang, name="王小明")  # no need is for him
    NeedFactory(resident=UserFactory(name=""), created_at=at(3, 9))  # nothing to add

    with django_assert_num_queries(1):
        names = person_names()

    assert names == {
        "王芳",  # posted the needs
        "赵敏",  # the community worker who posted the 代办 need
        "李秀英",  # whom the 代办 need is for
        "王建国",  # the family member a need is for
        "李娜",  # requested the run
        "王小芳",  # the caregiver of the booking made from a candidate
    }
    assert staff_a.name not in names
