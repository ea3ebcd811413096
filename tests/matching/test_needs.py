"""need_create and need_withdraw: every rule of a need, 代办 by an official, withdrawal."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from matching.errors import MatchingConflict, MatchingError, MatchingForbidden
from matching.models import Candidate, MatchRun, Need
from matching.services.needs import need_create, need_withdraw
from tests.matching.factories import need_data, offer, proposals, proxy_need_data
from tests.services.factories import AddressFactory, DependantFactory

pytestmark = pytest.mark.django_db


def _errors(resident, **overrides) -> dict:
    with pytest.raises(MatchingError) as caught:
        need_create(resident=resident, data=need_data(resident, **overrides))
    assert caught.value.status == 400
    return caught.value.field_errors()


def test_a_resident_posts_a_need_at_the_branch_near_her_saved_home(wang_fang):
    address = AddressFactory(owner=wang_fang)
    need = need_create(resident=wang_fang, data=need_data(wang_fang, address=address.pk))
    assert need.status == Need.Status.OPEN
    assert need.division_id == address.division_id
    assert (need.latitude, need.longitude) == (address.latitude, address.longitude)
    assert need.windows == [{"weekday": 2, "start": "11:00", "end": "13:00"}]
    assert (need.budget_min_fen, need.budget_max_fen) == (1000, 3000)


def test_posting_queues_an_on_demand_run_once_saved(wang_fang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = need_create(resident=wang_fang, data=need_data(wang_fang))
    run = MatchRun.objects.get(need=need)
    assert run.requested_by == wang_fang
    assert run.status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.QUEUED)


def test_it_refuses_an_unknown_domain(wang_fang):
    assert "domain" in _errors(wang_fang, domain="astrology")


def test_it_refuses_a_category_of_another_domain(wang_fang):
    assert "category" in _errors(wang_fang, category="child_full_day")


def test_a_home_need_needs_a_saved_address_of_the_resident(wang_fang, daughter):
    assert "address" in _errors(wang_fang, place="home", address=None)
    someone_elses = AddressFactory(owner=daughter)
    assert "address" in _errors(wang_fang, place="home", address=someone_elses.pk)


def test_an_area_need_needs_a_division_and_a_point_in_china(wang_fang):
    errors = _errors(wang_fang, place="area", address=None, latitude="", longitude="")
    assert set(errors) >= {"division", "latitude"}
    errors = _errors(
        wang_fang, place="area", address=None, division="510107", latitude=60, longitude=104
    )
    assert "latitude" in errors
    need = need_create(
        resident=wang_fang,
        data=need_data(
            wang_fang,
            place="area",
            address=None,
            division="510107",
            latitude="30.64",
            longitude="104.04",
        ),
    )
    assert need.division_id == "510107"


@pytest.mark.parametrize("km", [0, 51, "far"])
def test_the_distance_is_1_to_50_km(wang_fang, km):
    assert "max_distance_km" in _errors(wang_fang, max_distance_km=km)


@pytest.mark.parametrize(
    "windows",
    [
        [],
        "Monday",
        [{"start": "11:00", "end": "12:00"}],
        [{"weekday": 7, "start": "11:00", "end": "12:00"}],
        [{"weekday": 1, "date": "2030-01-01", "start": "11:00", "end": "12:00"}],
        [{"weekday": 1, "start": "13:00", "end": "12:00"}],
        [{"weekday": 1, "start": "25:00", "end": "26:00"}],
        [{"date": "2020-01-01", "start": "11:00", "end": "12:00"}],
        [{"date": "not-a-date", "start": "11:00", "end": "12:00"}],
        [{"weekday": 1, "start": "11:00", "end": "12:00"}] * 15,
    ],
    ids=[
        "none",
        "not-a-list",
        "no-day",
        "weekday-7",
        "both",
        "end-before-start",
        "bad-time",
        "past",
        "bad-date",
        "too-many",
    ],
)
def test_it_refuses_bad_time_windows(wang_fang, windows):
    assert "windows" in _errors(wang_fang, windows=windows)


def test_a_date_window_is_today_to_60_days_ahead(wang_fang):
    today = timezone.localdate()
    far = today + dt.timedelta(days=61)
    assert "windows" in _errors(
        wang_fang, windows=[{"date": far.isoformat(), "start": "09:00", "end": "10:00"}]
    )
    need = need_create(
        resident=wang_fang,
        data=need_data(
            wang_fang, windows=[{"date": today.isoformat(), "start": "09:00", "end": "10:00"}]
        ),
    )
    assert need.windows[0]["date"] == today.isoformat()


def test_the_budget_is_ordered_and_bounded(wang_fang):
    assert "budget_max_fen" in _errors(wang_fang, budget_min_fen=3000, budget_max_fen=1000)
    assert "budget_max_fen" in _errors(wang_fang, budget_max_fen=10_000_001)
    assert "budget_max_fen" in _errors(wang_fang, budget_max_fen=None)
    assert "budget_min_fen" in _errors(wang_fang, budget_min_fen=-5)


def test_certificates_must_be_known_kinds(wang_fang):
    assert "certificates" in _errors(wang_fang, certificates=["eldercare_worker", "wizard"])


def test_the_family_member_must_be_the_residents(wang_fang, daughter):
    theirs = DependantFactory(owner=daughter)
    assert "dependant" in _errors(wang_fang, dependant=theirs.pk)
    mine = DependantFactory(owner=wang_fang)
    need = need_create(resident=wang_fang, data=need_data(wang_fang, dependant=mine.pk))
    assert need.dependant == mine


def test_the_text_is_at_most_1000_characters(wang_fang):
    assert "text" in _errors(wang_fang, text="很" * 1001)


def test_all_field_errors_come_back_at_once(wang_fang):
    errors = _errors(wang_fang, domain="x", max_distance_km=0, windows=[], budget_max_fen=None)
    assert set(errors) >= {"domain", "max_distance_km", "windows", "budget_max_fen"}
    assert not Need.objects.exists()


def test_an_official_posts_for_an_elderly_person_in_her_jurisdiction(official_wuhou):
    data = proxy_need_data(official_wuhou, proxy_phone="028-85550000")
    need = need_create(resident=official_wuhou, data=data)
    assert need.resident == official_wuhou
    assert (need.proxy_name, need.proxy_phone) == ("李秀英", "028-85550000")


def test_a_proxy_need_names_the_person_and_a_phone_in_the_officials_district(official_wuhou):
    errors = _errors(
        official_wuhou,
        place="area",
        division="510104",
        latitude="30.65",
        longitude="104.08",
        proxy_name="",
        proxy_phone="12345",
    )
    assert set(errors) >= {"proxy_name", "proxy_phone", "division"}


def test_provider_staff_cannot_post_needs(staff_a):
    with pytest.raises(MatchingForbidden):
        need_create(resident=staff_a, data=need_data(staff_a, address=None))


def test_the_owner_withdraws_an_open_need_and_its_proposals_lapse(wang_fang, provider_a):
    need = need_create(resident=wang_fang, data=need_data(wang_fang))
    _first, _second = proposals(need, [offer(provider_a), offer(provider_a)])
    need = need_withdraw(need=need, actor=wang_fang)
    assert need.status == Need.Status.WITHDRAWN
    assert need.withdrawn_at is not None
    assert need.version == 2
    assert set(Candidate.objects.values_list("status", flat=True)) == {"superseded"}


def test_only_the_owner_withdraws_and_only_while_open(wang_fang, daughter):
    need = need_create(resident=wang_fang, data=need_data(wang_fang))
    with pytest.raises(MatchingForbidden):
        need_withdraw(need=need, actor=daughter)
    need_withdraw(need=need, actor=wang_fang)
    with pytest.raises(MatchingConflict) as caught:
        need_withdraw(need=need, actor=wang_fang)
    assert caught.value.code == "not_open"
