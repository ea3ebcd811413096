"""Row locks of the attendance and hours services take only the row they change: a query that
joins the activity, volunteer or user for reading locks `OF` its own table, so concurrent
check-outs of one activity do not queue (or deadlock) on the activity's row."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, dispute, hour_record, organisation, volunteer
from volunteers.services import (
    attendance_record,
    checkin_code_at,
    code_checkin,
    hour_dispute_resolve,
    signup_cancel,
    signup_create,
    signup_decide,
)

pytestmark = pytest.mark.django_db


def _locking_joins(queries) -> list[str]:
    """The locking queries that join other tables without naming the table they lock."""
    return [
        q["sql"]
        for q in queries
        if "FOR UPDATE" in q["sql"] and " JOIN " in q["sql"] and "FOR UPDATE OF" not in q["sql"]
    ]


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def act(boss):
    positions = (("陪伴老人", 1, ["companionship"]),)
    return activity(organisation(boss), starts_in=dt.timedelta(days=2), positions=positions)


def test_sign_ups_attendance_and_codes_lock_only_the_sign_up(act, boss, wang_fang, daughter):
    volunteer(wang_fang)
    volunteer(daughter)
    position = act.positions.get().pk
    mine = signup_create(activity=act, user=wang_fang, position_id=position)
    hers = signup_create(activity=act, user=daughter, position_id=position)

    with CaptureQueriesContext(connection) as queries:
        signup_decide(signup=mine, actor=boss, accept=True)
        signup_decide(signup=hers, actor=boss, accept=True)  # full: waitlisted
        with time_machine.travel(act.starts_at, tick=False):
            code_checkin(activity=act, user=wang_fang, code=checkin_code_at(act, timezone.now()))
        with time_machine.travel(act.ends_at, tick=False):
            attendance_record(signup=mine, actor=boss, action="check_out")
    with CaptureQueriesContext(connection) as cancelling:
        signup_cancel(signup=hers, actor=daughter)

    locking = [q for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locking) >= 4
    assert _locking_joins(queries.captured_queries) == []
    assert _locking_joins(cancelling.captured_queries) == []


def test_resolving_a_dispute_locks_only_the_dispute_and_the_record(boss, wang_fang):
    org = organisation(boss)
    act = activity(org, starts_in=-dt.timedelta(days=1), hours=2)
    objection = dispute(hour_record(act, volunteer(wang_fang)))

    with CaptureQueriesContext(connection) as queries:
        hour_dispute_resolve(
            dispute=objection, actor=boss, decision="uphold", resolution="同意更正。"
        )

    assert any(
        "FOR UPDATE OF" in q["sql"] and "volunteers_hourrecord" in q["sql"]
        for q in queries.captured_queries
    )
    assert _locking_joins(queries.captured_queries) == []
