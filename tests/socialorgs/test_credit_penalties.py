"""Penalties (行政处罚) feed the organisation's credit: points by the penalty's kind, the score
and grade with ratings' arithmetic, one record per decision number, and 撤销登记 revokes the
registration. Only 民政 covering the organisation records one."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from portal.audit.models import AuditEntry
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgCreditEvent, Penalty, SocialOrganisation
from socialorgs.services import credit as services
from tests.socialorgs.factories_credit import (
    CITY,
    JINJIANG,
    civil_official,
    health_official,
    org_with_staff,
    penalty,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def official():
    return civil_official()


@pytest.fixture
def staffed():
    return org_with_staff()


@pytest.fixture
def org(staffed):
    return staffed[0]


def test_a_fine_then_a_warning_lower_the_score_and_the_grade(official, org):
    assert (org.credit_score, org.credit_grade) == (100, "A")

    penalty(official, org, number="武民罚〔2026〕1号", kind="fine")
    org.refresh_from_db()
    # 100 − 10 (罚款) = 90 → B (A needs 95)
    assert (org.credit_score, org.credit_grade) == (90, "B")

    penalty(official, org, number="武民罚〔2026〕2号", kind="warning", amount_yuan=None)
    org.refresh_from_db()
    # 90 − 5 (警告) = 85 → still B (B needs 85)
    assert (org.credit_score, org.credit_grade) == (85, "B")

    penalty(official, org, number="武民罚〔2026〕3号", kind="suspension", amount_yuan=None)
    org.refresh_from_db()
    # 85 − 20 (限期停止活动) = 65 → D (C needs 70)
    assert (org.credit_score, org.credit_grade) == (65, "D")
    points = list(org.credit_events.order_by("id").values_list("kind", "points"))
    assert points == [("penalty", -10), ("penalty", -5), ("penalty", -20)]


def test_each_kind_has_its_documented_points():
    assert services.PENALTY_POINTS == {
        "warning": -5,
        "fine": -10,
        "confiscation": -15,
        "suspension": -20,
        "revocation": -40,
    }
    assert set(services.PENALTY_POINTS) == set(Penalty.Kind.values)


def test_the_amount_is_kept_in_fen_and_shown_in_yuan(official, org):
    record = penalty(official, org, kind="confiscation", amount_yuan="12345.6")

    assert record.amount_fen == 1_234_560
    assert record.amount_yuan == "12,345.60"
    assert org.credit_events.get().points == -15


def test_the_same_decision_number_again_is_the_first_penalty(official, org):
    first = penalty(official, org, number="武民罚〔2026〕7号")
    again = penalty(official, org, number="武民罚〔2026〕7号")

    assert again.pk == first.pk
    assert Penalty.objects.count() == 1
    assert org.credit_events.count() == 1
    org.refresh_from_db()
    assert org.credit_score == 90


def test_a_decision_number_of_another_organisation_is_refused(official, org):
    other = org_with_staff()[0]
    penalty(official, other, number="武民罚〔2026〕8号")

    with pytest.raises(SocialOrgConflict) as error:
        penalty(official, org, number="武民罚〔2026〕8号")

    assert error.value.field == "decision_number"
    assert not org.penalties.exists()


def test_revocation_revokes_the_registration_as_of_the_decision(official, org):
    decided = TODAY - dt.timedelta(days=3)

    penalty(official, org, number="武民罚〔2026〕9号", kind="revocation", decided_on=decided)

    org.refresh_from_db()
    assert org.status == SocialOrganisation.Status.REVOKED
    assert org.status_changed_on == decided
    assert "武民罚〔2026〕9号" in org.status_reason
    # 100 − 40 = 60 → D
    assert (org.credit_score, org.credit_grade) == (60, "D")


def test_an_organisation_already_revoked_cannot_be_revoked_again(official, org):
    penalty(official, org, number="武民罚〔2026〕10号", kind="revocation", amount_yuan=None)

    with pytest.raises(SocialOrgConflict):
        penalty(official, org, number="武民罚〔2026〕11号", kind="revocation", amount_yuan=None)
    assert org.penalties.count() == 1


def test_other_penalties_leave_the_registration_alone(official, org):
    penalty(official, org, kind="fine")

    org.refresh_from_db()
    assert org.status == SocialOrganisation.Status.NORMAL


def test_recording_is_audited_and_the_organisation_told(official, staffed):
    org, owner, _manager, member = staffed

    record = penalty(official, org)

    entry = AuditEntry.objects.get(action="socialorgs.penalty_recorded")
    assert entry.actor == official
    assert entry.target_id == str(record.pk)
    assert owner.notifications.filter(kind="socialorg_credit").exists()
    assert member.notifications.filter(kind="socialorg_credit").exists()


def test_a_city_official_of_civil_affairs_records_too(org):
    penalty(civil_official(CITY), org)

    assert org.penalties.count() == 1


@pytest.mark.parametrize(
    "who",
    ["owner", "manager", "other_district", "health_department"],
)
def test_only_civil_affairs_covering_the_organisation_records(who, staffed):
    org, owner, manager, _member = staffed
    actor = {
        "owner": owner,
        "manager": manager,
        "other_district": civil_official(JINJIANG),
        "health_department": health_official(),
    }[who]

    with pytest.raises(NotAllowed):
        penalty(actor, org)

    assert not Penalty.objects.exists()
    assert not OrgCreditEvent.objects.exists()


def test_the_permission_is_checked_before_the_input(org):
    """A refused caller learns nothing about their input: no field error, a 403."""
    with pytest.raises(NotAllowed):
        services.penalty_record(
            actor=civil_official(JINJIANG),
            organisation=org,
            decision_number="",
            kind="nonsense",
            facts="",
            basis="",
            decided_on="not a date",
            decided_by="",
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "warning", "amount_yuan": "100"}, "amount_yuan"),
        ({"kind": "fine", "amount_yuan": None}, "amount_yuan"),
        ({"kind": "fine", "amount_yuan": "-5"}, "amount_yuan"),
        ({"kind": "fine", "amount_yuan": "1.234"}, "amount_yuan"),
        ({"kind": "fine", "amount_yuan": "abc"}, "amount_yuan"),
        ({"kind": "detention"}, "kind"),
        ({"decided_on": TODAY + dt.timedelta(days=1)}, "decided_on"),
        ({"decided_on": dt.date(2010, 1, 1)}, "decided_on"),  # before the founding
        ({"decided_on": "2026-13-01"}, "decided_on"),
        ({"facts": "  "}, "facts"),
        ({"basis": ""}, "basis"),
        ({"decided_by": ""}, "decided_by"),
        ({"number": ""}, "decision_number"),
        ({"number": "文" * 61}, "decision_number"),
    ],
)
def test_bad_input_is_refused_with_the_field_and_nothing_written(official, org, changes, field):
    changes = dict(changes)
    number = changes.pop("number", "武民罚〔2026〕12号")
    with pytest.raises(SocialOrgError) as error:
        penalty(official, org, number=number, **changes)

    assert error.value.field == field
    assert not Penalty.objects.exists()
    org.refresh_from_db()
    assert org.credit_score == 100


def test_the_credit_event_is_dated_by_the_decision(official, org):
    decided = TODAY - dt.timedelta(days=40)

    penalty(official, org, decided_on=decided)

    event = org.credit_events.get()
    assert event.occurred_on == decided
    assert event.source.startswith("penalty:")
    assert timezone.localdate() == TODAY
