"""The services app's open-data selectors: public listings and their weekly opening as rows
PostgreSQL can COPY to CSV, booking volumes as counts, and the person names it holds."""

import csv
import datetime as dt
import io
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from portal.accounts.services import user_erase
from providers.models import Provider
from services.models import Booking, Category, Listing
from services.selectors import (
    OPEN_LISTING_KEYS,
    OPEN_SCHEDULE_KEYS,
    open_booking_volume_rows,
    open_listing_rows,
    open_listing_schedule_rows,
    person_names,
)
from services.services.visibility import listings_refresh_visibility
from tests.providers.factories import BranchFactory, ProviderFactory, StaffMemberFactory
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    ListingFactory,
    RuleFactory,
    SlotFactory,
    licensed_listing,
    public_listing,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
S = Booking.Status


def copy_csv(queryset) -> list[list[str]]:
    """Run the queryset's own SQL the way openData does: COPY (<sql>) TO STDOUT WITH CSV."""
    sql, params = queryset.query.sql_with_params()
    buf = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH CSV", params).decode(), buf)
    return list(csv.reader(io.StringIO(buf.getvalue())))


def shanghai(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def listing(provider_a) -> Listing:
    listing = public_listing(
        provider_a,
        title="长者助餐（午餐）",
        description="每日午餐，两荤一素。",
        price_fen=1500,
        price_unit=Listing.PriceUnit.VISIT,
        delivery_mode=Listing.DeliveryMode.AT_HOME,
        duration_minutes=30,
        subsidies=["advanced_age", "minimum_living"],
    )
    Listing.objects.filter(pk=listing.pk).update(quality_score=4.345, review_count=7)
    return listing


# --- open_listing_rows -------------------------------------------------------------------------


def test_a_public_listing_appears_with_its_published_values(listing):
    row = open_listing_rows().get(id=listing.pk)

    assert list(row) == list(OPEN_LISTING_KEYS)
    assert row == {
        "id": listing.pk,
        "provider_id": listing.provider_id,
        "branch_id": listing.branch_id,
        "category_code": "elder_meals",
        "category_name": "助餐",
        "domain": "eldercare",
        "district": "510107",
        "title": "长者助餐（午餐）",
        "description": "每日午餐，两荤一素。",
        "price_fen": 1500,
        "price_unit": "visit",
        "delivery_mode": "at_home",
        "duration_minutes": 30,
        "subsidies": "advanced_age;minimum_living",
        "quality_score": 4.35,
        "review_count": 7,
    }


def test_listings_the_public_may_not_see_are_left_out(listing, provider_a):
    ListingFactory(branch=listing.branch, status=Listing.Status.DRAFT)
    ListingFactory(branch=listing.branch, status=Listing.Status.PAUSED)
    unapproved = ProviderFactory(status=Provider.Status.SUBMITTED)
    licensed_listing(unapproved)
    unlicensed = ProviderFactory()
    ListingFactory(branch=BranchFactory(provider=unlicensed))
    listings_refresh_visibility()

    assert [row["id"] for row in open_listing_rows()] == [listing.pk]


def test_no_listing_row_holds_a_persons_name(listing, wang_fang):
    StaffMemberFactory(provider=listing.provider, name="王小芳")
    DependantFactory(owner=wang_fang, name="王建国")
    names = {"王小芳", "王建国", "王芳", listing.provider.legal_representative}

    values = [str(value) for row in open_listing_rows() for value in row.values()]

    assert values
    assert not [v for v in values for name in names if name in v]


def test_listing_rows_run_under_copy_with_one_column_per_key(listing):
    unrated = public_listing(listing.provider, subsidies=[], description='说明,含"引号"')
    rows = open_listing_rows()

    lines = copy_csv(rows)

    assert len(lines) == rows.count() == 2
    assert {len(line) for line in lines} == {len(OPEN_LISTING_KEYS)}
    by_id = {line[0]: line for line in lines}
    assert by_id[str(listing.pk)][13:15] == ["advanced_age;minimum_living", "4.35"]
    assert by_id[str(unrated.pk)][13:15] == ["", ""]


# --- open_listing_schedule_rows ----------------------------------------------------------------


def test_weekly_rules_of_a_public_listing_appear_with_iso_weekdays(listing):
    monday = RuleFactory(listing=listing, weekday=0, start=dt.time(9), end=dt.time(12))
    sunday = RuleFactory(listing=listing, weekday=6, start=dt.time(14), end=dt.time(17, 30))

    rows = list(open_listing_schedule_rows())

    assert [list(row) for row in rows] == [list(OPEN_SCHEDULE_KEYS)] * 2
    assert rows == [
        {
            "id": monday.pk,
            "listing_id": listing.pk,
            "weekday": 1,
            "opens_at": dt.time(9),
            "closes_at": dt.time(12),
        },
        {
            "id": sunday.pk,
            "listing_id": listing.pk,
            "weekday": 7,
            "opens_at": dt.time(14),
            "closes_at": dt.time(17, 30),
        },
    ]


def test_rules_of_hidden_listings_and_rules_not_in_force_are_left_out(listing):
    shown = RuleFactory(listing=listing, valid_from=dt.date(2025, 1, 1))
    RuleFactory(listing=listing, valid_until=dt.date(2025, 5, 31))
    RuleFactory(listing=listing, valid_from=dt.date(2025, 7, 1))
    RuleFactory(listing=ListingFactory(branch=listing.branch, status=Listing.Status.DRAFT))

    rows = open_listing_schedule_rows(today=dt.date(2025, 6, 15))

    assert [row["id"] for row in rows] == [shown.pk]


def test_schedule_rows_run_under_copy_with_one_column_per_key(listing):
    RuleFactory(listing=listing, weekday=2, start=dt.time(8, 30), end=dt.time(11))
    RuleFactory(listing=listing, weekday=4)
    rows = open_listing_schedule_rows()

    lines = copy_csv(rows)

    assert len(lines) == rows.count() == 2
    assert {len(line) for line in lines} == {len(OPEN_SCHEDULE_KEYS)}
    assert lines[0][2:] == ["3", "08:30:00", "11:00:00"]


# --- open_booking_volume_rows ------------------------------------------------------------------


def booking_at(listing, starts_at, status, *, resident) -> Booking:
    """A booking row of `listing` at `starts_at` already in `status` (the state machine has
    its own tests; this counts rows)."""
    slot = SlotFactory(listing=listing, starts_at=starts_at, capacity=10, remaining=9)
    return Booking.objects.create(
        reference=uuid.uuid4().hex[:20],
        resident=resident,
        listing=listing,
        provider=listing.provider,
        slot=slot,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        status=status,
        price_fen=listing.price_fen,
        free_cancel_hours=24,
        late_cancel_fee_pct=20,
        confirm_by=starts_at,
        idempotency_key=uuid.uuid4().hex,
    )


@pytest.fixture
def childcare(provider_b) -> Listing:
    return ListingFactory(
        branch=BranchFactory(provider=provider_b),
        category=Category.objects.get(code="child_full_day"),
        status=Listing.Status.DRAFT,
    )


def test_bookings_are_counted_by_shanghai_month_district_and_domain(listing, childcare, wang_fang):
    at = [shanghai(2025, 5, d, 10) for d in range(1, 20)]
    for when, status in [
        (at[0], S.COMPLETED),
        (at[1], S.COMPLETED),
        (at[2], S.CANCELLED_BY_RESIDENT),
        (at[3], S.CANCELLED_BY_PROVIDER),
        (at[4], S.NO_SHOW),
        (at[5], S.EXPIRED),
        # 00:30 on 1 June in Shanghai is still 31 May in UTC.
        (shanghai(2025, 6, 1, 0, 30), S.CONFIRMED),
        (shanghai(2025, 6, 15, 23, 0), S.REQUESTED),
    ]:
        booking_at(listing, when, status, resident=wang_fang)
    booking_at(childcare, at[0], S.COMPLETED, resident=wang_fang)

    rows = open_booking_volume_rows(months=2, today=dt.date(2025, 6, 15))

    assert rows == [
        {
            "month": "2025-05",
            "district": "510104",
            "domain": "childcare",
            "bookings": 1,
            "completed": 1,
            "cancelled": 0,
        },
        {
            "month": "2025-05",
            "district": "510107",
            "domain": "eldercare",
            "bookings": 6,
            "completed": 2,
            "cancelled": 2,
        },
        {
            "month": "2025-06",
            "district": "510107",
            "domain": "eldercare",
            "bookings": 2,
            "completed": 0,
            "cancelled": 0,
        },
    ]


def test_only_the_last_months_up_to_today_are_counted(listing, wang_fang):
    booking_at(listing, shanghai(2025, 4, 30, 23, 30), S.COMPLETED, resident=wang_fang)
    booking_at(listing, shanghai(2025, 5, 1, 0, 30), S.COMPLETED, resident=wang_fang)
    booking_at(listing, shanghai(2025, 6, 15, 23, 30), S.CONFIRMED, resident=wang_fang)
    booking_at(listing, shanghai(2025, 6, 16, 0, 30), S.CONFIRMED, resident=wang_fang)

    with time_machine.travel(shanghai(2025, 6, 15, 12), tick=False):
        rows = open_booking_volume_rows(months=2)
        default_window = open_booking_volume_rows()

    assert [(r["month"], r["bookings"]) for r in rows] == [("2025-05", 1), ("2025-06", 1)]
    assert [(r["month"], r["bookings"]) for r in default_window] == [
        ("2025-04", 1),
        ("2025-05", 1),
        ("2025-06", 1),
    ]


def test_a_window_reaching_into_last_year_starts_on_the_right_month(listing, wang_fang):
    booking_at(listing, shanghai(2024, 2, 29, 9), S.COMPLETED, resident=wang_fang)
    booking_at(listing, shanghai(2024, 3, 1, 9), S.COMPLETED, resident=wang_fang)

    rows = open_booking_volume_rows(months=12, today=dt.date(2025, 2, 10))

    assert [r["month"] for r in rows] == ["2024-03"]


def test_no_bookings_give_no_rows_and_a_window_needs_a_month(listing):
    assert open_booking_volume_rows(today=dt.date(2025, 6, 15)) == []
    with pytest.raises(ValueError, match="months"):
        open_booking_volume_rows(months=0)


def test_booking_volumes_are_one_query(listing, wang_fang, django_assert_num_queries):
    booking_at(listing, shanghai(2025, 6, 1, 9), S.COMPLETED, resident=wang_fang)

    with django_assert_num_queries(1):
        open_booking_volume_rows(today=dt.date(2025, 6, 15))


# --- person_names ------------------------------------------------------------------------------


def test_person_names_hold_every_family_member_residents_book_for(wang_fang, daughter):
    DependantFactory(owner=wang_fang, name="王建国")
    DependantFactory(owner=daughter, name="李小宝", removed_at=shanghai(2025, 1, 1))
    DependantFactory(owner=daughter, name=" ")
    AddressFactory(owner=wang_fang, label="爸妈家")

    names = person_names()

    assert names == {"王建国", "李小宝"}


def test_family_members_of_an_erased_account_leave_no_placeholder(wang_fang, password):
    DependantFactory(owner=wang_fang, name="王建国")

    user_erase(user=wang_fang, password=password)

    assert person_names() == set()
