"""Evaluation 5A–1A: the four areas and their maxima, the grade thresholds, 不予评定等级 below
500, validity of SOCIALORG_GRADE_VALID_YEARS years (current on valid_until, not the day
after; 29 February → 28 February), the 4A/5A credit event, revocation, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import Evaluation, OrgCreditEvent
from socialorgs.selectors.registry import current_evaluation, org_search
from socialorgs.services.evaluation import (
    add_years,
    evaluation_record,
    evaluation_revoke,
    grade_for_total,
    valid_until_for,
)
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import socialorg
from tests.socialorgs.factories_registry import civil_affairs_official, evaluation

pytestmark = pytest.mark.django_db


def scores(total: int, awarded_on=None) -> dict:
    """Scores in the four areas adding up to `total` (each within its maximum)."""
    basic = min(100, total // 10)
    social = min(150, (total - basic) // 6)
    performance = min(350, (total - basic - social) // 2)
    return {
        "basic_conditions": str(basic),
        "governance": str(total - basic - social - performance),
        "performance": str(performance),
        "social_evaluation": str(social),
        "awarded_on": awarded_on or timezone.localdate(),
    }


@pytest.fixture
def official():
    return civil_affairs_official()


@pytest.fixture
def org():
    return socialorg(founded_on=dt.date(2015, 1, 1))


def refused(call, **kwargs) -> SocialOrgError:
    with pytest.raises(SocialOrgError) as caught:
        call(**kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("total", "grade"),
    [(1000, 5), (900, 5), (899.9, 4), (800, 4), (700, 3), (699.9, 2), (600, 2), (500, 1)],
)
def test_the_thresholds(total, grade):
    assert grade_for_total(Decimal(str(total))) == grade


def test_below_500_no_grade():
    assert grade_for_total(Decimal("499.9")) is None


def test_an_official_records_a_grade_valid_for_five_years(org, official):
    evaluation_row = evaluation_record(
        organisation=org, official=official, data=scores(850, dt.date(2024, 3, 15))
    )
    assert (evaluation_row.total, evaluation_row.grade) == (Decimal("850.0"), 4)
    assert evaluation_row.valid_until == dt.date(2029, 3, 14)
    event = OrgCreditEvent.objects.get(organisation=org)
    assert (event.kind, event.points) == ("good_evaluation", 5)


def test_a_3a_grade_is_no_credit_event(org, official):
    evaluation_record(organisation=org, official=official, data=scores(750))
    assert not OrgCreditEvent.objects.exists()


def test_a_total_below_500_is_refused_with_no_grade(org, official):
    error = refused(evaluation_record, organisation=org, official=official, data=scores(499))
    assert error.code == "no_grade"
    assert "不予评定等级" in error.message
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("basic_conditions", "100.5", "0 到 100"),
        ("governance", "401", "0 到 400"),
        ("performance", "-1", "0 到 350"),
        ("social_evaluation", "149.25", "一位小数"),
        ("governance", "很好", "数字"),
        ("performance", "", "请填写"),
    ],
)
def test_scores_outside_their_area_are_refused(org, official, field, value, words):
    data = {**scores(800), field: value}
    error = refused(evaluation_record, organisation=org, official=official, data=data)
    assert error.field == field
    assert words in error.message


def test_the_award_date_is_not_in_the_future_nor_before_founding(org, official):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    error = refused(
        evaluation_record, organisation=org, official=official, data=scores(800, tomorrow)
    )
    assert error.field == "awarded_on"
    error = refused(
        evaluation_record,
        organisation=org,
        official=official,
        data=scores(800, dt.date(2014, 12, 31)),
    )
    assert "成立登记日期" in error.message


def test_only_normal_organisations_are_evaluated(official):
    revoked = socialorg(status="revoked", status_changed_on=dt.date(2024, 1, 1))
    error = refused(evaluation_record, organisation=revoked, official=official, data=scores(900))
    assert isinstance(error, SocialOrgConflict)


def test_only_civil_affairs_covering_the_organisation_evaluates(org):
    for outsider in (
        civil_affairs_official("510104"),
        OfficialFactory(department="health"),
        UserFactory(),
    ):
        error = refused(evaluation_record, organisation=org, official=outsider, data=scores(900))
        assert isinstance(error, NotAllowed)


# --- Validity ------------------------------------------------------------------------------------


def test_29_february_becomes_28_february():
    assert add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)
    assert add_years(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert valid_until_for(dt.date(2024, 2, 29)) == dt.date(2029, 2, 28)


def test_the_grade_is_current_until_valid_until_and_not_the_day_after(org):
    """Five years exactly: awarded 1 June 2020, valid through 31 May 2025."""
    graded = evaluation(org, grade=5, awarded_on=dt.date(2020, 6, 1))
    assert graded.valid_until == dt.date(2025, 5, 31)
    assert current_evaluation(org, dt.date(2025, 5, 31)) == graded
    assert current_evaluation(org, dt.date(2025, 6, 1)) is None
    with time_machine.travel(dt.datetime(2025, 5, 31, 23, tzinfo=dt.UTC), tick=False):
        # 1 June 07:00 in Shanghai: the grade has lapsed.
        assert not org_search(grade=5).exists()
    with time_machine.travel(dt.datetime(2025, 5, 31, 12, tzinfo=dt.UTC), tick=False):
        assert list(org_search(grade=5)) == [org]


def test_a_leap_day_grade_lapses_after_28_february(org, official):
    with time_machine.travel(dt.datetime(2024, 2, 29, 10, tzinfo=dt.UTC), tick=False):
        graded = evaluation_record(
            organisation=org, official=official, data=scores(910, dt.date(2024, 2, 29))
        )
    assert current_evaluation(org, dt.date(2029, 2, 28)) == graded
    assert current_evaluation(org, dt.date(2029, 3, 1)) is None


def test_the_newest_grade_replaces_the_older(org, official):
    evaluation(org, grade=3, awarded_on=dt.date(2022, 1, 1))
    newer = evaluation_record(organisation=org, official=official, data=scores(920))
    assert current_evaluation(org) == newer


def test_a_revoked_grade_is_not_current_and_its_bonus_is_voided(org, official):
    graded = evaluation_record(organisation=org, official=official, data=scores(920))
    org.refresh_from_db()
    assert org.credit_score == 105
    error = refused(evaluation_revoke, evaluation=graded, official=official, reason=" ")
    assert error.field == "reason"
    evaluation_revoke(evaluation=graded, official=official, reason="评估材料弄虚作假")
    assert current_evaluation(org) is None
    org.refresh_from_db()
    assert org.credit_score == 100
    again = refused(evaluation_revoke, evaluation=graded, official=official, reason="再次")
    assert isinstance(again, SocialOrgConflict)


# --- API and pages -------------------------------------------------------------------------------


def test_the_api_records_a_grade_for_the_supervising_official(api_client, org, official):
    url = f"/api/v1/socialorgs/orgs/{org.credit_code}/evaluations/"
    data = {**scores(930), "awarded_on": timezone.localdate().isoformat()}
    api_client.force_authenticate(civil_affairs_official("510104"))
    assert api_client.post(url, data, format="json").status_code == 403
    api_client.force_authenticate(official)
    low = api_client.post(url, {**scores(400), "awarded_on": data["awarded_on"]}, format="json")
    assert low.status_code == 400
    assert "不予评定等级" in low.json()["detail"]
    response = api_client.post(url, data, format="json")
    assert response.status_code == 201
    assert response.json()["grade"] == 5
    api_client.force_authenticate(None)
    assert api_client.get(url).json()[0]["grade_label"] == "5A"
    revoke = f"/api/v1/socialorgs/evaluations/{response.json()['id']}/revoke/"
    assert api_client.post(revoke, {"reason": "x"}, format="json").status_code == 401


def test_the_evaluation_page(client, org, official):
    client.force_login(official)
    url = reverse("socialorgs:official-evaluate", args=[org.credit_code])
    assert client.get(url).status_code == 200
    data = {**scores(450), "awarded_on": timezone.localdate().isoformat()}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "不予评定等级" in response.content.decode()
    data = {**scores(810), "awarded_on": timezone.localdate().isoformat()}
    assert client.post(url, data).status_code == 302
    graded = Evaluation.objects.get()
    revoke = reverse("socialorgs:official-evaluation-revoke", args=[graded.pk])
    client.post(revoke, {"reason": "撤销测试"})
    graded.refresh_from_db()
    assert graded.revoked_at is not None


# --- A newer evaluation replaces the older ones ------------------------------------------------


def _bonuses(org) -> list[str]:
    return list(
        OrgCreditEvent.objects.filter(
            organisation=org, kind=OrgCreditEvent.Kind.GOOD_EVALUATION, voided_at__isnull=True
        ).values_list("source", flat=True)
    )


def test_revoking_the_newest_evaluation_leaves_no_grade_not_the_older_one(org, official):
    today = timezone.localdate()
    older = evaluation_record(
        organisation=org, official=official, data=scores(950, today - dt.timedelta(days=400))
    )
    newer = evaluation_record(organisation=org, official=official, data=scores(650, today))
    assert current_evaluation(org) == newer

    evaluation_revoke(evaluation=newer, official=official, reason="评估材料弄虚作假")

    assert older.revoked_at is None
    assert current_evaluation(org) is None
    assert not org_search(grade=5).filter(pk=org.pk).exists()
    assert not org_search(grade=2).filter(pk=org.pk).exists()


def test_a_newer_evaluation_ends_the_older_ones_credit_bonus(org, official):
    today = timezone.localdate()
    older = evaluation_record(
        organisation=org, official=official, data=scores(950, today - dt.timedelta(days=400))
    )
    assert _bonuses(org) == [f"evaluation:{older.pk}"]

    newer = evaluation_record(organisation=org, official=official, data=scores(850, today))

    assert _bonuses(org) == [f"evaluation:{newer.pk}"]
    org.refresh_from_db()
    assert org.credit_score == 105


def test_an_evaluation_on_or_before_the_newest_ones_date_is_refused(org, official):
    """A double submit records one evaluation and one bonus."""
    today = timezone.localdate()
    evaluation_record(organisation=org, official=official, data=scores(950, today))

    for day in (today, today - dt.timedelta(days=1)):
        error = refused(
            evaluation_record, organisation=org, official=official, data=scores(950, day)
        )
        assert (error.code, error.field) == ("evaluation_exists", "awarded_on")
    assert Evaluation.objects.filter(organisation=org).count() == 1
    assert len(_bonuses(org)) == 1
