"""Recognition: star levels by cumulative confirmed hours, badges, the yearly ranking of a
district, the public profile page and the record API."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from portal.accounts.models import Division
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import (
    activity,
    born_years_ago,
    hour_record,
    id_number,
    organisation,
    volunteer,
)
from volunteers import selectors
from volunteers.models import Commendation, HourRecord, Volunteer
from volunteers.selectors.recognition import ZONE

pytestmark = pytest.mark.django_db


def served(vol, *, hours: float = 3, days_ago: int = 2, domain: str = "elderly", org=None):
    """A confirmed record of `vol` over a whole finished activity (written directly). Give each
    record of one volunteer its own `days_ago`: confirmed periods never overlap."""
    act = activity(
        org or organisation(),
        starts_in=-dt.timedelta(days=days_ago),
        hours=hours,
        domain=domain,
    )
    return hour_record(act, vol, status=HourRecord.Status.CONFIRMED)


def year_of(record: HourRecord) -> int:
    return timezone.localtime(record.period.lower, ZONE).year


def named(name: str, **extra) -> Volunteer:
    return volunteer(UserFactory(name=name), **extra)


@pytest.fixture
def township(db) -> Division:
    return Division.objects.create(
        code="510107001",
        name="浆洗街街道",
        level=Division.Level.TOWNSHIP,
        parent_id="510107",
        latitude="30.64",
        longitude="104.04",
    )


# --- Star levels ------------------------------------------------------------------------------


def test_stars_follow_the_default_thresholds():
    assert selectors.star_thresholds() == [100, 300, 600, 1000, 1500]
    assert selectors.star_level(100 * 60 - 1) == 0
    assert selectors.star_level(100 * 60) == 1
    assert selectors.star_label(1) == "一星"
    assert selectors.star_level(600 * 60) == 3
    assert selectors.star_level(1500 * 60 + 5) == 5
    assert selectors.star_label(5) == "五星"
    assert selectors.star_label(0) == ""
    assert selectors.next_star_hours(150 * 60) == 300
    assert selectors.next_star_hours(2000 * 60) is None


def test_the_thresholds_are_configurable(settings, wang_fang):
    settings.VOLUNTEER_STAR_HOURS = [2, 5, 8, 12, 20]
    vol = volunteer(wang_fang)
    served(vol, hours=3, days_ago=3)
    served(vol, hours=3, days_ago=6)

    record = selectors.volunteer_record(volunteer=vol)

    assert record.minutes == 360
    assert record.star == 2
    assert record.star_label == "二星"
    assert record.next_star_hours == 8


def test_only_confirmed_hours_count_towards_stars(settings, wang_fang):
    settings.VOLUNTEER_STAR_HOURS = [1, 2, 3, 4, 5]
    vol = volunteer(wang_fang)
    act = activity(organisation(), starts_in=-dt.timedelta(days=2), hours=3)
    hour_record(act, vol, status=HourRecord.Status.PENDING)

    record = selectors.volunteer_record(volunteer=vol)

    assert (record.minutes, record.star, record.badges) == (0, 0, [])


# --- Badges -----------------------------------------------------------------------------------


def codes(vol, **kwargs) -> list[str]:
    return [b.code for b in selectors.badges_for(volunteer=vol, **kwargs)]


def test_the_first_confirmed_record_earns_first_service(wang_fang):
    vol = volunteer(wang_fang)
    assert codes(vol) == []

    served(vol)

    assert codes(vol) == ["first_service"]
    badge = selectors.badges_for(volunteer=vol)[0]
    assert (str(badge.label), badge.description) == ("首次服务", "完成第一次经确认的志愿服务。")


def test_fifty_hours_of_elderly_service_earn_the_pioneer_badge(wang_fang):
    vol = volunteer(wang_fang)
    served(vol, hours=25, days_ago=10)
    served(vol, hours=24.5, days_ago=5)
    served(vol, hours=10, days_ago=20, domain="community")  # not eldercare
    assert "elderly_pioneer" not in codes(vol)

    served(vol, hours=0.5, days_ago=2)

    assert "elderly_pioneer" in codes(vol)


def test_three_domains_make_an_all_rounder(wang_fang):
    vol = volunteer(wang_fang)
    served(vol, days_ago=2, domain="elderly")
    served(vol, days_ago=4, domain="community")
    assert "all_rounder" not in codes(vol)

    served(vol, days_ago=6, domain="environment")

    assert "all_rounder" in codes(vol)


def test_star_of_the_year_goes_to_last_years_top_ten_of_the_district(wang_fang):
    best = volunteer(wang_fang)
    record = served(best, hours=8)
    others = [named(f"志愿者{i}") for i in range(10)]
    for other in others:
        served(other, hours=2, days_ago=2)
    year = year_of(record)
    next_year = dt.date(year + 1, 3, 1)

    assert "star_of_year" in codes(best, today=next_year)
    # Ten others share 2 hours: the one ranked eleventh gets no star.
    flags = ["star_of_year" in codes(v, today=next_year) for v in others]
    assert flags.count(True) == 9
    # In the record's own year it is not "last year" yet.
    assert "star_of_year" not in codes(best, today=dt.date(year, 12, 31))


# --- The ranking ------------------------------------------------------------------------------


def test_the_ranking_orders_by_hours_then_by_who_reached_them_first(wang_fang, daughter):
    first, early, late = named("欧阳娜娜"), volunteer(wang_fang), volunteer(daughter)
    record = served(first, hours=6, days_ago=3)
    served(early, hours=3, days_ago=4)  # three hours, reached a day earlier
    served(late, hours=3, days_ago=3)

    rows = selectors.ranking(year=year_of(record), district_code="510107")

    assert [r.volunteer_id for r in rows] == [first.pk, early.pk, late.pk]
    assert [r.rank for r in rows] == [1, 2, 3]
    assert [r.hours for r in rows] == ["6.0", "3.0", "3.0"]
    assert rows[0].masked_name == "欧**娜"
    assert rows[0].number == first.number


def test_the_ranking_covers_the_districts_townships_only(wang_fang, daughter, township):
    inside = volunteer(wang_fang, division_code="510107001")
    elsewhere = volunteer(daughter, division_code="510104")
    record = served(inside)
    served(elsewhere)

    wuhou = selectors.ranking(year=year_of(record), district_code="510107")
    jinjiang = selectors.ranking(year=year_of(record), district_code="510104")

    assert [r.volunteer_id for r in wuhou] == [inside.pk]
    assert [r.volunteer_id for r in jinjiang] == [elsewhere.pk]


def test_the_ranking_counts_only_the_years_hours(wang_fang):
    vol = volunteer(wang_fang)
    record = served(vol)

    assert selectors.ranking(year=year_of(record) - 1, district_code="510107") == []
    assert selectors.ranking(year=year_of(record) + 1, district_code="510107") == []


def test_a_closed_account_leaves_the_ranking_and_its_profile(client, wang_fang):
    from portal.accounts.services import user_erase

    vol = volunteer(wang_fang)
    record = served(vol)
    user_erase(user=wang_fang, password="Portal-test-pw-1")

    assert selectors.ranking(year=year_of(record), district_code="510107") == []
    assert client.get(f"/volunteers/v/{vol.number}/").status_code == 404


def test_the_ranking_page_shows_masked_names_linked_to_profiles(client, wang_fang):
    vol = volunteer(wang_fang)
    record = served(vol, hours=4)

    response = client.get(f"/volunteers/ranking/?year={year_of(record)}&district=510107")

    assert response.status_code == 200
    body = response.content.decode()
    assert "王*" in body
    assert "王芳" not in body
    assert f"/volunteers/v/{vol.number}/" in body
    assert "4.0" in body


def test_the_ranking_page_falls_back_to_a_district_for_bad_input(client):
    response = client.get("/volunteers/ranking/?year=abc&district=999999")

    assert response.status_code == 200
    assert response.context["district"].code == "510104"  # the city's first district
    assert response.context["year"] == selectors.this_year()


def test_the_ranking_opens_on_the_viewers_own_district(client, wang_fang, official_wuhou):
    client.force_login(official_wuhou)
    assert client.get("/volunteers/ranking/").context["district"].code == "510107"

    volunteer(wang_fang, division_code="510104")
    client.force_login(wang_fang)
    assert client.get("/volunteers/ranking/").context["district"].code == "510104"
    # A good district survives a bad year.
    response = client.get("/volunteers/ranking/?year=abc&district=510107")
    assert response.context["district"].code == "510107"


def test_the_ranking_api(api_client, wang_fang):
    vol = volunteer(wang_fang)
    record = served(vol, hours=2)

    response = api_client.get(
        "/api/v1/volunteers/ranking/", {"year": year_of(record), "district": "510107"}
    )

    assert response.status_code == 200
    assert response.json()["district_name"] == "武侯区"
    assert response.json()["rows"] == [
        {
            "rank": 1,
            "volunteer": vol.pk,
            "number": vol.number,
            "masked_name": "王*",
            "minutes": 120,
            "hours": "2.0",
        }
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"district": "510100"}, "district"),  # a city, not a district
        ({"district": "abc"}, "district"),
        ({}, "district"),
        ({"district": "510107", "year": 1800}, "year"),
        ({"district": "510107", "year": 2099}, "year"),
    ],
)
def test_the_ranking_api_refuses_bad_input(api_client, query, field):
    response = api_client.get("/api/v1/volunteers/ranking/", query)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


# --- The public profile -------------------------------------------------------------------------


def test_the_profile_shows_the_record_but_no_personal_data(client, settings, wang_fang):
    settings.VOLUNTEER_STAR_HOURS = [1, 10, 20, 30, 40]
    vol = volunteer(wang_fang, division_code="510107")
    record = served(vol, hours=3)
    Commendation.objects.create(
        volunteer=vol,
        title="优秀志愿者",
        level="district",
        year=year_of(record),
        division_id="510107",
    )

    response = client.get(f"/volunteers/v/{vol.number}/")

    assert response.status_code == 200
    body = response.content.decode()
    for shown in ("王*", vol.number, "武侯区", "一星", "首次服务", "3.0", "优秀志愿者", "区县级"):
        assert shown in body, shown
    for hidden in ("王芳", vol.id_number_masked, vol.phone[-8:], str(vol.birth_date.year)):
        assert hidden not in body, hidden
    assert "记录表彰" not in body  # no form for the public


def test_an_unknown_number_is_not_found(client):
    assert client.get("/volunteers/v/5101002026999999/").status_code == 404


def test_a_townships_volunteer_shows_its_district(client, wang_fang, township):
    vol = volunteer(wang_fang, division_code="510107001")

    response = client.get(f"/volunteers/v/{vol.number}/")

    assert response.context["record"].district.code == "510107"


def test_the_record_api(api_client, settings, wang_fang):
    settings.VOLUNTEER_STAR_HOURS = [2, 5, 8, 12, 20]
    vol = volunteer(wang_fang)
    record = served(vol, hours=2.5)

    response = api_client.get(f"/api/v1/volunteers/{vol.pk}/record/")

    assert response.status_code == 200
    data = response.json()
    assert data["masked_name"] == "王*"
    assert (data["star_level"], data["star_label"], data["next_star_hours"]) == (1, "一星", 5)
    assert data["hours"] == "2.5"
    assert [b["code"] for b in data["badges"]] == ["first_service"]
    assert data["years"] == [{"year": year_of(record), "minutes": 150, "hours": "2.5"}]
    assert data["commendations"] == []
    assert not {"real_name", "phone", "id_number_masked", "birth_date"} & set(data)


def test_the_profile_page_takes_a_fixed_number_of_queries(
    client, wang_fang, django_assert_max_num_queries
):
    vol = volunteer(wang_fang)
    for days in range(2, 12, 2):
        served(vol, days_ago=days, domain="elderly" if days % 4 else "community")

    with django_assert_max_num_queries(8):
        assert client.get(f"/volunteers/v/{vol.number}/").status_code == 200


# --- Minors and what commendations say in public ------------------------------------------------


def test_a_minor_is_left_out_of_the_ranking(wang_fang, daughter):
    adult = volunteer(wang_fang)
    minor = volunteer(daughter, age=16)
    record = served(adult, hours=2)
    served(minor, hours=5)

    rows = selectors.ranking(year=year_of(record), district_code="510107")

    assert [row.volunteer_id for row in rows] == [adult.pk]


def test_a_volunteer_enters_the_ranking_on_their_eighteenth_birthday(wang_fang):
    birth = born_years_ago(17, days=0)
    vol = volunteer(wang_fang, age=17, id_number=id_number(birth, 555))
    record = served(vol)
    eve = dt.datetime.combine(birth.replace(year=birth.year + 18), dt.time(0), tzinfo=ZONE)

    assert selectors.ranking(year=year_of(record), district_code="510107") == []
    with time_machine.travel(eve - dt.timedelta(minutes=1), tick=False):
        assert selectors.ranking(year=year_of(record), district_code="510107") == []
    with time_machine.travel(eve + dt.timedelta(minutes=1), tick=False):
        [row] = selectors.ranking(year=year_of(record), district_code="510107")
    assert row.volunteer_id == vol.pk


def test_a_minors_profile_and_record_are_not_found_except_by_covering_officials(
    client, api_client, daughter, official_wuhou, official_jinjiang
):
    minor = volunteer(daughter, age=16)
    served(minor)
    urls = (
        f"/volunteers/v/{minor.number}/",
        f"/api/v1/volunteers/{minor.pk}/record/",
        f"/api/v1/volunteers/{minor.pk}/commendations/",
        f"/api/v1/volunteers/{minor.pk}/",
    )

    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(official_jinjiang)
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(daughter)  # not even for the minor: a public page is for the public
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(official_wuhou)
    for url in urls:
        assert client.get(url).status_code == 200, url
    # The covering official still finds them from the dashboard and counts them there.
    found = client.get(f"/volunteers/official/?number={minor.number}")
    assert found.status_code == 302
    board = selectors.dashboard(official=official_wuhou, year=selectors.this_year())
    assert board.totals["volunteers"] == 1


def test_a_commendations_reason_is_shown_in_public_masked(client, api_client, wang_fang):
    vol = volunteer(wang_fang, real_name="王小芳")
    Commendation.objects.create(
        volunteer=vol,
        title="优秀志愿者",
        level="district",
        year=selectors.this_year(),
        division_id="510107",
        reason="王小芳同志常年照顾独居老人，联系电话 13912345678。",
    )

    page = client.get(f"/volunteers/v/{vol.number}/").content.decode()
    record = api_client.get(f"/api/v1/volunteers/{vol.pk}/record/").json()
    listed = api_client.get(f"/api/v1/volunteers/{vol.pk}/commendations/").json()

    expected = "王*芳同志常年照顾独居老人，联系电话 139****5678。"
    assert expected in page
    assert record["commendations"][0]["reason"] == expected
    assert listed[0]["reason"] == expected
    for body in (page, str(record), str(listed)):
        assert "王小芳" not in body
        assert "13912345678" not in body
