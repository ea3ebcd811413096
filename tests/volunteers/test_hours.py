"""Hours: organiser check-in/out, the code at the place valid only around the activity's
time, confirmation, no hour counted twice (the database's exclusion constraint), no hour
outside the activity (clamped by the service, checked by the database), totals per year,
and each volunteer sees only their own hours."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation, volunteer
from volunteers.errors import VolunteerConflict, VolunteerError
from volunteers.models import HourRecord
from volunteers.services import (
    attendance_record,
    checkin_code_at,
    code_checkin,
    hours_confirm,
    signup_create,
    signup_decide,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def org(boss):
    return organisation(boss)


def accepted(act, user, boss):
    signup = signup_create(activity=act, user=user, position_id=act.positions.first().pk)
    return signup_decide(signup=signup, actor=boss, accept=True)


def shown(act) -> str:
    """The code shown at the place now (the clock as time-machine sets it)."""
    return checkin_code_at(act, timezone.now())


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def test_the_code_works_only_around_the_activitys_time(org, boss, wang_fang, settings):
    settings.VOLUNTEER_CODE_GRACE_MINUTES = 30
    act = activity(org, starts_in=dt.timedelta(days=2), hours=2)
    accepted(act, volunteer(wang_fang).user, boss)

    with (
        time_machine.travel(act.starts_at - dt.timedelta(minutes=31), tick=False),
        pytest.raises(VolunteerError) as early,
    ):
        code_checkin(activity=act, user=wang_fang, code=shown(act))
    with time_machine.travel(act.starts_at - dt.timedelta(minutes=29), tick=False):
        with pytest.raises(VolunteerError) as refused:
            code_checkin(activity=act, user=wang_fang, code=wrong(shown(act)))
        record = code_checkin(activity=act, user=wang_fang, code=shown(act))
    with (
        time_machine.travel(act.ends_at + dt.timedelta(minutes=31), tick=False),
        pytest.raises(VolunteerError) as late,
    ):
        code_checkin(activity=act, user=wang_fang, code=shown(act))
    with time_machine.travel(act.ends_at + dt.timedelta(minutes=20), tick=False):
        record = code_checkin(activity=act, user=wang_fang, code=shown(act))
        with pytest.raises(VolunteerConflict):
            code_checkin(activity=act, user=wang_fang, code=shown(act))  # used up

    assert early.value.code == late.value.code == "code_expired"
    assert early.value.field == "code"
    assert refused.value.code == "invalid_code"
    # Early arrival and late leaving are not counted: exactly the activity's two hours.
    assert record.status == HourRecord.Status.PENDING
    assert record.minutes == 120
    assert (record.period.lower, record.period.upper) == (act.starts_at, act.ends_at)


def test_the_grace_minutes_are_configuration(org, boss, wang_fang, settings):
    settings.VOLUNTEER_CODE_GRACE_MINUTES = 5
    act = activity(org, starts_in=dt.timedelta(days=2))
    accepted(act, volunteer(wang_fang).user, boss)
    with (
        time_machine.travel(act.starts_at - dt.timedelta(minutes=10), tick=False),
        pytest.raises(VolunteerError, match="5 分钟"),
    ):
        code_checkin(activity=act, user=wang_fang, code=shown(act))


def test_the_code_is_for_accepted_volunteers_only(org, boss, wang_fang):
    act = activity(org, starts_in=dt.timedelta(days=2))
    signup_create(activity=act, user=volunteer(wang_fang).user, position_id=act.positions.get().pk)
    with (
        time_machine.travel(act.starts_at, tick=False),
        pytest.raises(VolunteerConflict, match="未被该活动录用"),
    ):
        code_checkin(activity=act, user=wang_fang, code=shown(act))


def test_the_organiser_checks_in_out_and_confirms_over_the_api(api_client, org, boss, wang_fang):
    act = activity(org, starts_in=dt.timedelta(days=2), hours=3)
    signup = accepted(act, volunteer(wang_fang).user, boss)
    url = f"/api/v1/volunteers/signups/{signup.pk}/attendance/"
    api_client.force_authenticate(boss)

    with time_machine.travel(act.starts_at + dt.timedelta(minutes=10), tick=False):
        checked_in = api_client.post(url, {"action": "check_in"}, format="json")
    with time_machine.travel(act.starts_at + dt.timedelta(hours=2, minutes=10), tick=False):
        checked_out = api_client.post(url, {"action": "check_out"}, format="json")
        record_id = checked_out.json()["id"]
        confirmed = api_client.post(f"/api/v1/volunteers/hours/{record_id}/confirm/")
        twice = api_client.post(f"/api/v1/volunteers/hours/{record_id}/confirm/")

    assert checked_in.status_code == 200, checked_in.json()
    assert checked_out.json()["minutes"] == 120
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    assert twice.status_code == 409


def test_an_attendance_time_outside_the_window_is_a_field_error(api_client, org, boss, wang_fang):
    act = activity(org, starts_in=dt.timedelta(days=2))
    signup = accepted(act, volunteer(wang_fang).user, boss)
    api_client.force_authenticate(boss)
    response = api_client.post(
        f"/api/v1/volunteers/signups/{signup.pk}/attendance/",
        {"action": "check_in", "at": (act.starts_at - dt.timedelta(hours=2)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["at"]


def _checked_out(act, user, boss):
    signup = accepted(act, user, boss)
    with time_machine.travel(act.starts_at, tick=False):
        attendance_record(signup=signup, actor=boss, action="check_in")
    with time_machine.travel(act.ends_at, tick=False):
        return attendance_record(signup=signup, actor=boss, action="check_out")


def test_overlapping_hours_are_not_counted_twice(org, boss, wang_fang):
    first = activity(org, starts_in=dt.timedelta(days=2), hours=3)
    overlapping = activity(org, starts_in=dt.timedelta(days=2, hours=1), hours=3)
    user = volunteer(wang_fang).user
    one, two = _checked_out(first, user, boss), _checked_out(overlapping, user, boss)

    with time_machine.travel(overlapping.ends_at, tick=False):
        hours_confirm(record=one, actor=boss)
        with pytest.raises(VolunteerConflict, match="不能重复计时"):
            hours_confirm(record=two, actor=boss)

    two.refresh_from_db()
    assert two.status == HourRecord.Status.PENDING


def test_the_database_itself_refuses_overlapping_confirmed_periods(org, boss, wang_fang):
    first = activity(org, starts_in=dt.timedelta(days=2), hours=3)
    second = activity(org, starts_in=dt.timedelta(days=2, hours=2), hours=3)
    user = volunteer(wang_fang).user
    one, two = _checked_out(first, user, boss), _checked_out(second, user, boss)
    HourRecord.objects.filter(pk=one.pk).update(status="confirmed")

    with pytest.raises(IntegrityError, match="hours_not_counted_twice"), transaction.atomic():
        HourRecord.objects.filter(pk=two.pk).update(status="confirmed")


def test_the_database_refuses_a_period_outside_the_activity(org, boss, wang_fang):
    act = activity(org, starts_in=dt.timedelta(days=2), hours=2)
    record = _checked_out(act, volunteer(wang_fang).user, boss)
    outside = DateTimeTZRange(act.starts_at, act.ends_at + dt.timedelta(hours=1), "[)")

    with pytest.raises(IntegrityError, match="hours_inside_activity_time"), transaction.atomic():
        HourRecord.objects.filter(pk=record.pk).update(period=outside)


def test_totals_per_year_and_each_volunteer_sees_only_their_own(
    api_client, org, boss, wang_fang, daughter
):
    mine = activity(org, starts_in=dt.timedelta(days=2), hours=2)
    hers = activity(org, starts_in=dt.timedelta(days=3), hours=5)
    one = _checked_out(mine, volunteer(wang_fang).user, boss)
    other = _checked_out(hers, volunteer(daughter).user, boss)
    with time_machine.travel(hers.ends_at, tick=False):
        hours_confirm(record=one, actor=boss)
        hours_confirm(record=other, actor=boss)

    api_client.force_authenticate(wang_fang)
    data = api_client.get("/api/v1/volunteers/me/hours/").json()

    year = timezone.localtime(mine.starts_at).year
    assert data["totals"] == [{"year": year, "minutes": 120, "hours": 2.0}]
    assert [r["id"] for r in data["records"]] == [one.pk]
    # Nor can anyone reach another volunteer's record by its id to confirm or read it.
    assert api_client.post(f"/api/v1/volunteers/hours/{other.pk}/confirm/").status_code == 404
