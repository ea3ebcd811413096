"""The social-work match run: candidates by hard constraints, an explainable score, and every
waiting request assigned at once by the matching app's min-cost flow, capacity-aware and
idempotent; the task runs on the matching queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from socialorgs.models import ProjectReview, ServiceRequest, SocialOrganisation
from socialorgs.services.socialwork import service_requests_match
from socialorgs.services.socialwork.matching import NO_CAPACITY, NO_COVERAGE
from tests.socialorgs.factories_socialwork import (
    WUHOU,
    accepted,
    completed,
    evaluation,
    north_of,
    project,
    service_request,
    social_org,
)

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status


@pytest.fixture
def org():
    return social_org()


@pytest.fixture
def rival():
    return social_org("阳光社会工作服务社")


def _fresh(*objs):
    for obj in objs:
        obj.refresh_from_db()


def test_a_request_near_an_active_project_is_proposed_with_its_explanation(org):
    place = project(org)
    request = service_request(at=north_of(WUHOU, 1))

    outcome = service_requests_match(division_code="510107")

    request.refresh_from_db()
    assert outcome.proposed == [request.pk]
    assert request.status == S.PROPOSED
    assert request.project == place
    assert request.matched_at is not None
    explanation = request.match_explanation
    assert explanation["distance_km"] == pytest.approx(1.0, abs=0.02)
    assert set(explanation["components"]) == {"distance", "quality", "evaluation", "credit"}
    assert explanation["components"]["distance"] == pytest.approx(0.8, abs=0.01)
    assert explanation["weights"] == settings.SOCIALWORK_MATCH_WEIGHTS
    assert request.match_score == pytest.approx(explanation["score"])


def test_two_requests_competing_for_one_place_are_resolved_globally(org):
    """One free place: the request that scores better (the nearer one) gets it, whichever
    came first; the other is unmatched for want of capacity."""
    project(org, capacity=1)
    far = service_request(at=north_of(WUHOU, 4))  # created first, scores lower
    near = service_request(at=north_of(WUHOU, 0.5))

    service_requests_match(division_code="510107")

    _fresh(far, near)
    assert near.status == S.PROPOSED
    assert far.status == S.UNMATCHED
    assert far.unmatched_reason == NO_CAPACITY
    assert far.project is None


def test_the_assignment_is_global_not_greedy(org, rival):
    """Greedy by score would give A the shared place and leave B with nothing; the flow gives
    A its second choice so that both are served."""
    shared = project(org, capacity=1, at=north_of(WUHOU, 1))
    only_a = project(rival, capacity=1, at=north_of(WUHOU, -3))
    a = service_request(at=north_of(WUHOU, 0.9))  # 0.1 km from shared, 3.9 km from only_a
    b = service_request(at=north_of(WUHOU, 4.5))  # 3.5 km from shared, 7.5 km from only_a

    service_requests_match()

    _fresh(a, b)
    assert (a.project, b.project) == (only_a, shared)
    assert a.status == b.status == S.PROPOSED


def test_the_nearest_project_is_preferred(org, rival):
    near = project(org, at=north_of(WUHOU, 0.5))
    project(rival, at=north_of(WUHOU, 3))
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert request.project == near


def test_better_reviews_and_a_higher_grade_can_outweigh_a_little_distance(org, rival):
    close = project(org, at=north_of(WUHOU, 1.0))
    good = project(rival, at=north_of(WUHOU, 1.3))
    evaluation(rival, 5)
    for _ in range(6):
        done = completed(project_=good)
        ProjectReview.objects.create(
            request=done, project=good, resident=done.resident, overall=5, dimensions={}
        )
    for _ in range(6):
        done = completed(project_=close)
        ProjectReview.objects.create(
            request=done, project=close, resident=done.resident, overall=1, dimensions={}
        )
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert request.project == good
    components = request.match_explanation["components"]
    assert components["evaluation"] == 1.0
    assert request.match_explanation["evaluation_grade"] == 5
    assert components["quality"] > 0.8


def test_a_home_outside_every_service_radius_has_no_coverage(org):
    project(org, service_radius_km=3)
    request = service_request(at=north_of(WUHOU, 3.5))

    outcome = service_requests_match(division_code="510107")

    request.refresh_from_db()
    assert request.status == S.UNMATCHED
    assert request.unmatched_reason == NO_COVERAGE
    assert outcome.unmatched == {request.pk: NO_COVERAGE}


@pytest.mark.parametrize(
    "change",
    [
        {"target_group": "children"},
        {"status": "draft"},
        {"status": "closed"},
        {"starts_on_days": 3},
        {"ends_on_days": -1},
    ],
    ids=["other target group", "draft", "closed", "not started", "over"],
)
def test_only_active_projects_of_the_group_running_today_are_candidates(org, change):
    today = timezone.localdate()
    values = dict(change)
    if "starts_on_days" in values:
        values = {"starts_on": today + dt.timedelta(days=values.pop("starts_on_days"))}
    if "ends_on_days" in values:
        values = {
            "starts_on": today - dt.timedelta(days=30),
            "ends_on": today + dt.timedelta(days=values.pop("ends_on_days")),
        }
    project(org, **values)
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert (request.status, request.unmatched_reason) == (S.UNMATCHED, NO_COVERAGE)


def test_a_revoked_organisations_projects_are_not_candidates(org):
    project(org)
    SocialOrganisation.objects.filter(pk=org.pk).update(
        status="revoked", status_changed_on=timezone.localdate()
    )
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert request.unmatched_reason == NO_COVERAGE


def test_places_held_by_proposed_and_accepted_requests_are_not_free(org):
    place = project(org, capacity=2)
    accepted(project_=place)
    service_request(status=S.PROPOSED, project=place)
    completed(project_=place)  # a finished case holds no place
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert (request.status, request.unmatched_reason) == (S.UNMATCHED, NO_CAPACITY)


def test_running_twice_changes_nothing_and_counts_each_place_once(org):
    place = project(org, capacity=2)
    first, second, third = (service_request(at=north_of(WUHOU, km)) for km in (0.2, 0.4, 0.6))

    service_requests_match(division_code="510107")
    _fresh(first, second, third)
    before = [(r.status, r.project_id, r.matched_at, r.match_score) for r in (first, second, third)]
    again = service_requests_match(division_code="510107")
    _fresh(first, second, third)

    assert [
        (r.status, r.project_id, r.matched_at, r.match_score) for r in (first, second, third)
    ] == before
    assert ServiceRequest.objects.filter(project=place, status=S.PROPOSED).count() == 2
    assert third.unmatched_reason == NO_CAPACITY
    # The second run only looked again at the one left waiting, and wrote nothing.
    assert again.requests == 1
    assert again.proposed == []


def test_an_unmatched_request_is_matched_when_a_place_frees_up(org):
    place = project(org, capacity=1)
    holder = service_request(status=S.PROPOSED, project=place)
    waiting = service_request()
    service_requests_match(request_id=waiting.pk)
    waiting.refresh_from_db()
    assert waiting.unmatched_reason == NO_CAPACITY

    ServiceRequest.objects.filter(pk=holder.pk).update(status=S.CANCELLED, project=None)
    service_requests_match(request_id=waiting.pk)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.project) == (S.PROPOSED, place)


def test_a_declined_project_is_never_proposed_again_for_that_request(org, rival):
    declined = project(org, at=north_of(WUHOU, 0.1))
    other = project(rival, at=north_of(WUHOU, 2))
    request = service_request(excluded_projects=[declined.pk])

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert request.project == other


def test_the_scope_is_the_district_and_its_streets(org):
    project(org)
    inside = service_request()
    outside = service_request(division_id="510104")

    service_requests_match(division_code="510107")

    _fresh(inside, outside)
    assert inside.status == S.PROPOSED
    assert outside.status == S.OPEN


def test_the_resident_is_told_of_the_proposal_once(org):
    project(org)
    request = service_request()

    service_requests_match(request_id=request.pk)
    service_requests_match(request_id=request.pk)

    assert request.resident.notifications.filter(kind="socialwork_request").count() == 1


def test_the_task_is_routed_to_the_matching_queue_and_returns_the_outcome(org):
    from socialorgs.tasks import socialwork_match

    route = settings.CELERY_TASK_ROUTES["socialorgs.tasks.socialwork_match"]
    assert route == {"queue": "matching"}
    assert "socialorgs.tasks.socialwork_match" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    project(org)
    request = service_request()

    result = socialwork_match.apply(kwargs={"division_code": "510107"}).get()

    assert result["proposed"] == [request.pk]
