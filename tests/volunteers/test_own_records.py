"""Nobody handles their own sign-up or hours: a manager who volunteers at their own
organisation's activity cannot accept themselves, check themselves in or out, confirm their
own hours or uphold their own dispute (hours buy time-bank services). Another manager of the
organisation can. The refusal comes before the input is looked at."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, dispute, hour_record, organisation, volunteer
from volunteers.errors import NotAllowed
from volunteers.models import HourDispute, HourRecord, Member, Signup, TimeBankAccount
from volunteers.services import (
    attendance_record,
    hour_dispute_resolve,
    hours_confirm,
    signup_create,
    signup_decide,
)

pytestmark = pytest.mark.django_db

OWN = "不能处理本人的报名或服务时长，请由组织的其他管理员处理。"


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def org(boss):
    return organisation(boss)


@pytest.fixture
def colleague(org):
    user = UserFactory(name="另一位管理员")
    Member.objects.create(organisation=org, user=user, role="manager")
    return user


@pytest.fixture
def act(org):
    return activity(org, starts_in=dt.timedelta(days=2), hours=3)


@pytest.fixture
def own_signup(act, boss):
    volunteer(boss)
    return signup_create(activity=act, user=boss, position_id=act.positions.get().pk)


def _refused(excinfo) -> None:
    assert excinfo.value.code == "own_record"
    assert excinfo.value.status == 403
    assert excinfo.value.message == OWN


def test_a_manager_cannot_accept_or_reject_their_own_application(own_signup, boss, colleague):
    for accept in (True, False):
        with pytest.raises(NotAllowed) as refused:
            signup_decide(signup=own_signup, actor=boss, accept=accept)
        _refused(refused)
    assert Signup.objects.get(pk=own_signup.pk).status == Signup.Status.APPLIED

    decided = signup_decide(signup=own_signup, actor=colleague, accept=True)
    assert decided.status == Signup.Status.ACCEPTED


def test_a_manager_cannot_check_themselves_in_or_out(act, own_signup, boss, colleague):
    signup_decide(signup=own_signup, actor=colleague, accept=True)

    with time_machine.travel(act.starts_at, tick=False):
        for action in ("check_in", "made-up"):  # refused before the action is read
            with pytest.raises(NotAllowed) as refused:
                attendance_record(signup=own_signup, actor=boss, action=action)
            _refused(refused)
        assert not HourRecord.objects.exists()
        attendance_record(signup=own_signup, actor=colleague, action="check_in")
    with time_machine.travel(act.ends_at, tick=False):
        with pytest.raises(NotAllowed) as refused:
            attendance_record(signup=own_signup, actor=boss, action="check_out")
        _refused(refused)
        record = attendance_record(signup=own_signup, actor=colleague, action="check_out")

    assert (record.status, record.minutes) == (HourRecord.Status.PENDING, 180)


def test_a_manager_cannot_confirm_their_own_hours(act, boss, colleague):
    record = hour_record(act, volunteer(boss))

    with pytest.raises(NotAllowed) as refused:
        hours_confirm(record=record, actor=boss)
    _refused(refused)
    record.refresh_from_db()
    assert record.status == HourRecord.Status.PENDING
    assert not TimeBankAccount.objects.filter(volunteer=record.volunteer).exists()

    confirmed = hours_confirm(record=record, actor=colleague)
    assert confirmed.status == HourRecord.Status.CONFIRMED
    assert confirmed.confirmed_by == colleague


def test_a_manager_cannot_resolve_their_own_dispute(act, boss, colleague):
    record = hour_record(act, volunteer(boss))
    objection = dispute(record)

    for decision in ("uphold", "made-up"):  # refused before the decision is read
        with pytest.raises(NotAllowed) as refused:
            hour_dispute_resolve(
                dispute=objection, actor=boss, decision=decision, resolution="同意更正。"
            )
        _refused(refused)
    objection.refresh_from_db()
    record.refresh_from_db()
    assert objection.status == HourDispute.Status.OPEN
    assert record.status == HourRecord.Status.PENDING

    resolved = hour_dispute_resolve(
        dispute=objection, actor=colleague, decision="uphold", resolution="同意更正。"
    )
    assert resolved.status == HourDispute.Status.UPHELD


def test_the_api_refuses_the_own_decision_with_403(api_client, own_signup, boss):
    api_client.force_authenticate(boss)

    response = api_client.post(
        f"/api/v1/volunteers/signups/{own_signup.pk}/decision/", {"action": "accept"}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "own_record"


def test_the_desk_shows_the_refusal_in_the_row(client, own_signup, boss):
    client.force_login(boss)

    response = client.post(
        reverse("volunteers:signup-action", args=[own_signup.pk]),
        {"action": "accept"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert OWN in response.content.decode()
    assert Signup.objects.get(pk=own_signup.pk).status == Signup.Status.APPLIED


def test_the_desk_offers_no_action_on_ones_own_sign_up(client, act, own_signup, boss, colleague):
    client.force_login(boss)
    mine = client.get(reverse("volunteers:activity-manage", args=[act.pk])).content.decode()
    client.force_login(colleague)
    theirs = client.get(reverse("volunteers:activity-manage", args=[act.pk])).content.decode()

    assert "本人报名，请由组织的其他管理员处理。" in mine
    assert 'data-action="accept"' not in mine
    assert 'data-action="accept"' in theirs
    assert "本人报名" not in theirs
