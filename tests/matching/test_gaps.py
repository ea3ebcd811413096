"""Supply/demand gaps for officials: the numbers on a small hand-checked dataset, the page, its
CSV and who may see what.

Two weeks A and B in the future (slots stay bookable whatever day the tests run), counted from
a `today` in week B with weeks=2. Eldercare:

- 武侯区 (510107): provider P1 has L1 at its branch (A: 3 places, booked by 王芳 and by 李娜
  who cancelled; B: 2 places, booked by 王芳) and L2 at home serving only 锦江区 (A: 4 places);
  outreach provider P2 has L3 at its branch (A: 5 places).
- 锦江区 (510104) is covered only by L2's home visits; 蒲江县 (510131) and 金堂县 (510121) by
  nothing local, so P2's 5 places reach them in week A only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.db.models import F
from django.urls import reverse

from matching.models import Need
from matching.selectors import (
    _area_covers,
    gaps_by_division,
    gaps_summary,
    unmatched_reasons,
)
from portal.accounts.models import Division
from services.models import Booking, Listing, Slot
from tests.accounts.factories import OfficialFactory
from tests.matching.factories import at, gap_monday, gap_need
from tests.providers.factories import ProviderFactory
from tests.services.factories import SlotFactory, book, public_listing

WUHOU, JINJIANG, PUJIANG, JINTANG = "510107", "510104", "510131", "510121"
URL = reverse("matching:gaps")
CSV_URL = reverse("matching:gaps-export")


@pytest.fixture
def week_a():
    return gap_monday(1)


@pytest.fixture
def week_b(week_a):
    return week_a + dt.timedelta(weeks=1)


@pytest.fixture
def today(week_b):
    return week_b + dt.timedelta(days=1)


@pytest.fixture
def dataset(db, week_a, week_b, wang_fang, daughter):
    Division.objects.create(
        code="510107001",
        name="浆洗街街道",
        level=Division.Level.TOWNSHIP,
        parent_id=WUHOU,
        latitude="30.64",
        longitude="104.04",
    )
    p1 = ProviderFactory(division_id=WUHOU)
    p2 = ProviderFactory(division_id=WUHOU, outreach=True)
    l1 = _listing(p1)
    l2 = _listing(p1, delivery_mode=Listing.DeliveryMode.AT_HOME)
    l2.service_divisions.set([JINJIANG])
    l3 = _listing(p2)
    s1 = SlotFactory(listing=l1, starts_at=at(week_a + dt.timedelta(days=2)), capacity=3)
    s2 = SlotFactory(listing=l1, starts_at=at(week_b + dt.timedelta(days=2)), capacity=2)
    SlotFactory(listing=l2, starts_at=at(week_a + dt.timedelta(days=2), 14), capacity=4)
    SlotFactory(listing=l3, starts_at=at(week_a + dt.timedelta(days=3)), capacity=5)
    # Outside the window: the week before A.
    SlotFactory(listing=l1, starts_at=at(week_a - dt.timedelta(days=5)), capacity=7)
    book(wang_fang, s1)
    book(wang_fang, s2)
    cancelled = book(daughter, s1)
    Booking.objects.filter(pk=cancelled.pk).update(status=Booking.Status.CANCELLED_BY_RESIDENT)
    Slot.objects.filter(pk=s1.pk).update(remaining=F("remaining") + 1)

    day_a, day_b = at(week_a, 9), at(week_b, 9)
    open_ = Need.Status.OPEN
    gap_need("510107001", day_a, unmatched_reason="no_time_overlap")  # a township of 武侯区
    gap_need(WUHOU, day_a, status=Need.Status.MATCHED, unmatched_reason="over_budget")
    gap_need(WUHOU, day_a, status=Need.Status.WITHDRAWN)
    gap_need(WUHOU, day_a, status=Need.Status.BOOKED)
    gap_need(WUHOU, day_b, status=open_)
    gap_need(WUHOU, day_a - dt.timedelta(days=3), unmatched_reason="over_budget")  # before A
    gap_need(
        WUHOU, day_a, domain="childcare", category_id=None, unmatched_reason="missing_certificate"
    )
    gap_need(JINJIANG, day_a, unmatched_reason="over_budget")
    gap_need(PUJIANG, day_a, unmatched_reason="no_coverage")
    gap_need(JINTANG, day_b, unmatched_reason="no_coverage")
    gap_need(JINTANG, day_b, status=Need.Status.REFERRED)


def _listing(provider, **kwargs) -> Listing:
    """A public eldercare listing of `provider` at its district (the fields listing services
    fill in from the category and branch, which the factory leaves blank)."""
    return public_listing(provider, domain="eldercare", district=provider.division_id, **kwargs)


def _row(rows, district, week):
    matches = [r for r in rows if r.district == district and r.week == week]
    assert len(matches) == 1, matches
    return matches[0]


def test_it_counts_supply_demand_and_unmatched_per_district_and_week(
    dataset, official_city, today, week_a, week_b
):
    rows = gaps_by_division(official=official_city, domain="eldercare", weeks=2, today=today)

    wuhou_a = _row(rows, WUHOU, week_a)
    assert (wuhou_a.supply_local, wuhou_a.supply_home, wuhou_a.supply_outreach) == (8, 0, 0)
    assert (wuhou_a.supply, wuhou_a.free) == (8, 7)
    assert (wuhou_a.demand_needs, wuhou_a.demand_bookings, wuhou_a.demand) == (2, 1, 3)
    assert wuhou_a.unmatched == 1
    assert wuhou_a.ratio == 2.67
    assert wuhou_a.flag == ""
    assert wuhou_a.week_label == f"{week_a.isocalendar()[0]}-W{week_a.isocalendar()[1]:02d}"

    wuhou_b = _row(rows, WUHOU, week_b)
    assert (wuhou_b.supply, wuhou_b.free, wuhou_b.demand, wuhou_b.unmatched) == (2, 1, 2, 0)
    assert wuhou_b.ratio == 1.0

    jinjiang_a = _row(rows, JINJIANG, week_a)
    assert (jinjiang_a.supply_local, jinjiang_a.supply_home, jinjiang_a.free) == (0, 4, 4)
    assert (jinjiang_a.demand, jinjiang_a.unmatched, jinjiang_a.ratio) == (1, 1, 4.0)
    assert jinjiang_a.flag == ""
    assert not [r for r in rows if r.district == JINJIANG and r.week == week_b]


def test_it_flags_an_outreach_only_district_and_an_uncovered_one(
    dataset, official_city, today, week_a, week_b
):
    rows = gaps_by_division(official=official_city, domain="eldercare", weeks=2, today=today)

    pujiang_a = _row(rows, PUJIANG, week_a)
    assert (pujiang_a.supply_outreach, pujiang_a.supply, pujiang_a.free) == (5, 5, 5)
    assert (pujiang_a.demand, pujiang_a.unmatched, pujiang_a.ratio) == (1, 1, 5.0)
    assert pujiang_a.flag == "outreach_only"

    jintang_b = _row(rows, JINTANG, week_b)
    assert (jintang_b.supply, jintang_b.demand, jintang_b.unmatched) == (0, 2, 1)
    assert jintang_b.ratio == 0.0
    assert jintang_b.flag == "no_coverage"

    # P2's outreach reaches every district of the city without local or home supply in week A
    # (18 of 20: not 武侯区 where it stands, not 锦江区 which L2 visits), and no further.
    outreach_a = [r for r in rows if r.week == week_a and r.supply_outreach]
    assert len(outreach_a) == 18
    assert {r.district for r in outreach_a}.isdisjoint({WUHOU, JINJIANG})
    assert len(rows) == 22


def test_the_summary_has_one_row_per_district_with_its_worst_flag(dataset, official_city, today):
    gaps = gaps_summary(official=official_city, domain="eldercare", weeks=2, today=today)
    districts = {d["district"]: d for d in gaps["districts"]}

    assert len(districts) == 20
    wuhou = districts[WUHOU]
    assert (wuhou["name"], wuhou["supply"], wuhou["free"], wuhou["demand"]) == ("武侯区", 10, 8, 5)
    assert (wuhou["unmatched"], wuhou["ratio"], wuhou["flag"]) == (1, 2.0, "")
    jintang = districts[JINTANG]
    assert (jintang["supply"], jintang["demand"], jintang["ratio"]) == (5, 2, 2.5)
    assert (jintang["flag"], jintang["flag_domains"]) == ("no_coverage", ["养老"])
    assert districts[PUJIANG]["flag"] == "outreach_only"
    assert (wuhou["supply_width"], jintang["demand_width"]) == (100, 20)


def test_the_window_and_domain_filters_apply(dataset, official_city, today, week_b):
    one_week = gaps_by_division(official=official_city, domain="eldercare", weeks=1, today=today)
    assert {r.week for r in one_week} == {week_b}
    everything = gaps_by_division(official=official_city, weeks=2, today=today)
    childcare = [r for r in everything if r.domain == "childcare"]
    assert [(r.district, r.demand, r.unmatched, r.flag) for r in childcare] == [
        (WUHOU, 1, 1, "no_coverage")
    ]


def test_it_counts_unmatched_reasons_per_district(dataset, official_city):
    rows = unmatched_reasons(official=official_city, domain="eldercare")

    assert [(r["district"], r["total"]) for r in rows] == [
        (JINJIANG, 1),
        (WUHOU, 2),
        (JINTANG, 1),
        (PUJIANG, 1),
    ]
    wuhou = rows[1]
    assert wuhou["counts"] == {
        "no_coverage": 0,
        "no_time_overlap": 1,
        "over_budget": 1,
        "missing_certificate": 0,
    }
    every_domain = {r["district"]: r for r in unmatched_reasons(official=official_city)}
    assert every_domain[WUHOU]["counts"]["missing_certificate"] == 1
    assert every_domain[WUHOU]["total"] == 3


def test_online_listings_count_for_every_district(db, official_city, today, week_a):
    online = _listing(
        ProviderFactory(division_id=JINJIANG), delivery_mode=Listing.DeliveryMode.ONLINE
    )
    SlotFactory(listing=online, starts_at=at(week_a + dt.timedelta(days=1)), capacity=10)

    rows = gaps_by_division(official=official_city, weeks=2, today=today)

    assert len(rows) == 20
    assert {(r.supply_online, r.supply_local, r.flag) for r in rows} == {(10, 0, "outreach_only")}


@pytest.mark.parametrize(
    ("area", "district", "covers"),
    [
        ("510107", "510107", True),
        ("510100", "510107", True),
        ("510000", "510107", True),
        ("510107001", "510107", True),
        ("510104", "510107", False),
        ("510200", "510107", False),
    ],
)
def test_a_service_area_covers_its_districts(area, district, covers):
    assert _area_covers(area, district) is covers


def test_an_official_sees_only_the_districts_of_the_jurisdiction(
    dataset, official_wuhou, official_jinjiang, today
):
    wuhou = gaps_by_division(official=official_wuhou, domain="eldercare", weeks=2, today=today)
    assert {r.district for r in wuhou} == {WUHOU}
    jinjiang = gaps_by_division(official=official_jinjiang, weeks=2, today=today)
    assert {r.district for r in jinjiang} == {JINJIANG}
    assert [r["district"] for r in unmatched_reasons(official=official_jinjiang)] == [JINJIANG]
    township = OfficialFactory(jurisdiction_id="510107001")
    mine = unmatched_reasons(official=township)
    assert [(r["district"], r["total"]) for r in mine] == [(WUHOU, 1)]


def test_the_selector_runs_a_fixed_number_of_queries(
    dataset, official_city, today, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        gaps_by_division(official=official_city, weeks=2, today=today)


# --- Pages ----------------------------------------------------------------------------------


def test_the_page_shows_the_table_chart_and_reasons(client, dataset, official_city, today):
    with time_machine.travel(at(today, 12), tick=False):
        client.force_login(official_city)
        response = client.get(URL, {"domain": "eldercare", "weeks": "3"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "蒲江县" in page
    assert "仅延伸或线上服务" in page
    assert "无服务覆盖" in page
    assert "<svg" in page
    assert response.context["filters"] == {"domain": "eldercare", "weeks": 3}
    assert len(response.context["gaps"]["districts"]) == 20
    assert len(response.context["reasons"]) == 4


def test_the_page_pins_its_query_count(
    client, dataset, official_city, today, django_assert_max_num_queries
):
    with time_machine.travel(at(today, 12), tick=False):
        client.force_login(official_city)
        with django_assert_max_num_queries(10):
            assert client.get(URL, {"weeks": "2"}).status_code == 200


def test_residents_and_provider_staff_are_refused(client, wang_fang, staff_a):
    for user in (wang_fang, staff_a):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.get(CSV_URL).status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_an_official_of_another_district_does_not_see_this_one(client, dataset, official_jinjiang):
    client.force_login(official_jinjiang)

    response = client.get(URL)

    assert [d["district"] for d in response.context["gaps"]["districts"]] == [JINJIANG]
    assert "武侯区" not in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"weeks": "0"}, {"weeks": "13"}, {"weeks": "x"}, {"domain": "y"}]
)
def test_bad_filters_get_a_clear_message(client, official_city, query):
    client.force_login(official_city)

    page = client.get(URL, query)
    export = client.get(CSV_URL, query)

    assert page.status_code == 400
    assert "form-errors" in page.content.decode()
    assert export.status_code == 400


def test_the_csv_has_the_rows_and_no_personal_data(client, dataset, official_wuhou, today):
    with time_machine.travel(at(today, 12), tick=False):
        client.force_login(official_wuhou)
        response = client.get(CSV_URL, {"domain": "eldercare", "weeks": "2"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:4] == ["区划代码", "区划", "服务领域", "周"]
    assert [line[:2] + line[2:3] + line[4:] for line in lines[1:]] == [
        [WUHOU, "武侯区", "养老", "8", "0", "0", "0", "8", "7", "2", "1", "3", "1", "2.67", ""],
        [WUHOU, "武侯区", "养老", "2", "0", "0", "0", "2", "1", "1", "1", "2", "0", "1.00", ""],
    ]
    text = "\n".join(",".join(line) for line in lines)
    assert "王芳" not in text
    assert "李娜" not in text


def test_the_page_uses_the_current_weeks(client, dataset, official_city, today):
    with time_machine.travel(at(today, 12), tick=False):
        client.force_login(official_city)
        response = client.get(URL, {"domain": "eldercare", "weeks": "2"})

    districts = {d["district"]: d for d in response.context["gaps"]["districts"]}
    assert (districts[WUHOU]["supply"], districts[WUHOU]["demand"]) == (10, 5)
    assert districts[JINTANG]["flag"] == "no_coverage"
