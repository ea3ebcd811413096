"""What happens to a proposal the resident does not act on, and to the projects of organisations
that no longer serve: proposals expire after SOCIALWORK_PROPOSAL_DAYS (the hourly job frees the
place and rematches); organisations revoked, deregistered or on the 严重违法失信名单 are not
matched, not on the map or in the project list and API, their proposals cannot be accepted and
are reopened when the registration is revoked (those on the 活动异常名录 stay, scored lower)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from socialorgs.errors import SocialOrgConflict
from socialorgs.models import ServiceRequest, SocialOrganisation
from socialorgs.selectors.socialwork import project_list_public
from socialorgs.services import credit as credit_services
from socialorgs.services import registry as registry_services
from socialorgs.services.socialwork import (
    service_request_accept,
    service_requests_match,
    service_requests_release_due,
)
from socialorgs.services.socialwork.matching import NO_CAPACITY
from tests.socialorgs.factories_credit import civil_official
from tests.socialorgs.factories_socialwork import (
    WUHOU,
    accepted,
    north_of,
    project,
    service_request,
    social_org,
)

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status
Org = SocialOrganisation


@pytest.fixture
def org():
    return social_org()


@pytest.fixture
def rival():
    return social_org("阳光社会工作服务社")


def _proposed(resident=None, *, place, days_ago: float = 0, **extra) -> ServiceRequest:
    return service_request(
        resident,
        status=S.PROPOSED,
        project=place,
        matched_at=timezone.now() - dt.timedelta(days=days_ago),
        match_score=0.8,
        **extra,
    )


def _set(organisation, **values) -> None:
    Org.objects.filter(pk=organisation.pk).update(**values)
    organisation.refresh_from_db()


REVOKED = {"status": Org.Status.REVOKED, "status_changed_on": dt.date(2026, 1, 5)}
SERIOUS = {"standing": Org.Standing.SERIOUS}


# --- F11: proposals expire ----------------------------------------------------------------------


def test_an_unanswered_proposal_frees_its_place_for_a_neighbour(org):
    """The finding: a proposal never answered held the project's only place for good, and a
    neighbour stayed unmatched for want of capacity."""
    place = project(org, capacity=1)
    silent = _proposed(place=place, days_ago=settings.SOCIALWORK_PROPOSAL_DAYS + 0.1)
    neighbour = service_request(at=north_of(WUHOU, 1))
    service_requests_match(request_id=neighbour.pk)
    neighbour.refresh_from_db()
    assert neighbour.unmatched_reason == NO_CAPACITY

    with TestCase.captureOnCommitCallbacks(execute=True):
        counts = service_requests_release_due()

    silent.refresh_from_db()
    neighbour.refresh_from_db()
    assert counts == {"proposal_expired": 1, "organisation_not_serving": 0}
    assert (silent.project, silent.excluded_projects) == (None, [place.pk])
    assert silent.status == S.UNMATCHED  # rematched without that project: nothing else near
    assert "未确认" in silent.closed_reason
    assert (neighbour.status, neighbour.project) == (S.PROPOSED, place)
    assert silent.resident.notifications.filter(title__contains="重新匹配").count() == 1
    assert AuditEntry.objects.filter(
        action="socialorgs.service_request_released", target_id=str(silent.pk)
    ).exists()


def test_a_released_request_is_rematched_to_another_project(org, rival):
    first = project(org, at=north_of(WUHOU, 0.2))
    other = project(rival, at=north_of(WUHOU, 2))
    stale = _proposed(place=first, days_ago=4)

    with TestCase.captureOnCommitCallbacks(execute=True):
        service_requests_release_due()

    stale.refresh_from_db()
    assert (stale.status, stale.project) == (S.PROPOSED, other)


def test_a_proposal_within_its_days_is_left_alone_and_a_second_run_does_nothing(org):
    place = project(org)
    fresh = _proposed(place=place, days_ago=settings.SOCIALWORK_PROPOSAL_DAYS - 0.1)
    stale = _proposed(place=place, days_ago=settings.SOCIALWORK_PROPOSAL_DAYS + 0.1)
    taken = accepted(project_=place)
    taken.matched_at = timezone.now() - dt.timedelta(days=30)
    taken.save(update_fields=["matched_at"])

    first = service_requests_release_due()
    again = service_requests_release_due()

    for request in (fresh, stale, taken):
        request.refresh_from_db()
    assert first["proposal_expired"] == 1
    assert again == {"proposal_expired": 0, "organisation_not_serving": 0}
    assert (fresh.status, fresh.project) == (S.PROPOSED, place)
    assert (stale.status, stale.project) == (S.OPEN, None)
    assert taken.status == S.ACCEPTED
    assert stale.resident.notifications.filter(kind="socialwork_request").count() == 1


def test_the_number_of_days_is_a_setting(org, settings):
    settings.SOCIALWORK_PROPOSAL_DAYS = 1
    place = project(org)
    day_old = _proposed(place=place, days_ago=1.1)

    service_requests_release_due()

    day_old.refresh_from_db()
    assert day_old.status == S.OPEN


def test_accepting_past_the_deadline_is_refused_and_the_request_reopened(org, wang_fang):
    place = project(org)
    stale = _proposed(wang_fang, place=place, days_ago=settings.SOCIALWORK_PROPOSAL_DAYS + 1)

    with pytest.raises(SocialOrgConflict) as refused:
        service_request_accept(service_request=stale, resident=wang_fang)

    stale.refresh_from_db()
    assert refused.value.code == "proposal_expired"
    assert (stale.status, stale.excluded_projects) == (S.OPEN, [place.pk])


def test_the_request_page_shows_the_deadline(client, org, wang_fang):
    mine = _proposed(wang_fang, place=project(org))
    deadline = timezone.localtime(
        mine.matched_at + dt.timedelta(days=settings.SOCIALWORK_PROPOSAL_DAYS)
    )
    client.force_login(wang_fang)

    page = client.get(reverse("socialorgs:sw-request", args=[mine.pk])).content.decode()

    assert f"请在 {deadline:%Y-%m-%d %H:%M} 前确认" in page


def test_the_release_task_runs_hourly_on_the_default_queue(org):
    from socialorgs.tasks import socialwork_proposals_release

    name = "socialorgs.tasks.socialwork_proposals_release"
    assert name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert name not in settings.CELERY_TASK_ROUTES  # the default queue
    stale = _proposed(place=project(org), days_ago=10)

    result = socialwork_proposals_release.apply().get()

    stale.refresh_from_db()
    assert result["proposal_expired"] == 1
    assert stale.status == S.OPEN


# --- F12: organisations that no longer serve -----------------------------------------------------


@pytest.mark.parametrize("change", [REVOKED, SERIOUS], ids=["revoked", "serious"])
def test_their_projects_are_not_candidates(org, rival, change):
    """The nearer project's organisation no longer serves: the farther one is proposed."""
    project(org, at=north_of(WUHOU, 0.2))
    other = project(rival, at=north_of(WUHOU, 3))
    _set(org, **change)
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert request.project == other


def test_an_organisation_on_the_abnormal_list_stays_a_candidate_scored_lower(org, rival):
    project(org, at=north_of(WUHOU, 1))
    project(rival, at=north_of(WUHOU, 1))
    _set(org, standing=Org.Standing.ABNORMAL, credit_grade="C")
    request = service_request()
    alone = service_request(target_group="children")
    project(org, target_group="children")

    service_requests_match(division_code="510107")

    request.refresh_from_db()
    alone.refresh_from_db()
    assert request.project.organisation == rival  # same distance: the better credit wins
    assert alone.status == S.PROPOSED  # but it is still proposed when it is the only one
    assert alone.project.organisation == org


@pytest.mark.parametrize("change", [REVOKED, SERIOUS], ids=["revoked", "serious"])
def test_they_are_not_on_the_map_nor_in_the_list_and_its_api(client, org, rival, change):
    gone = project(org, title="停止服务的机构的项目")
    kept = project(rival, title="照常服务的项目")
    _set(org, **change)

    listed = project_list_public()
    api = client.get("/api/v1/socialorgs/socialwork/projects/").json()
    page = client.get(reverse("socialorgs:socialwork-map")).content.decode()

    assert listed == [kept]
    rows = api["results"] if isinstance(api, dict) else api
    assert [row["id"] for row in rows] == [kept.pk]
    assert kept.title in page
    assert gone.title not in page


def test_abnormal_list_projects_stay_on_the_map(client, org):
    shown = project(org)
    _set(org, standing=Org.Standing.ABNORMAL)

    assert project_list_public() == [shown]


def test_the_project_page_stays_but_invites_no_request(client, org, wang_fang):
    place = project(org)
    _set(org, **SERIOUS)
    client.force_login(wang_fang)

    page = client.get(reverse("socialorgs:project-detail", args=[place.pk])).content.decode()

    assert place.title in page
    assert "不接受新的服务申请" in page
    assert reverse("socialorgs:sw-request-new") not in page


@pytest.mark.parametrize("change", [REVOKED, SERIOUS], ids=["revoked", "serious"])
def test_accepting_their_proposal_is_refused_reopened_and_rematched(org, rival, wang_fang, change):
    place = project(org, at=north_of(WUHOU, 0.2))
    other = project(rival, at=north_of(WUHOU, 2))
    mine = _proposed(wang_fang, place=place)
    _set(org, **change)

    with TestCase.captureOnCommitCallbacks(execute=True), pytest.raises(SocialOrgConflict) as no:
        service_request_accept(service_request=mine, resident=wang_fang)

    mine.refresh_from_db()
    assert no.value.code == "organisation_not_serving"
    assert org.name in no.value.message
    assert "重新匹配" in no.value.message
    assert mine.excluded_projects == [place.pk]
    assert (mine.status, mine.project) == (S.PROPOSED, other)  # rematched at once
    assert (
        not org.memberships.get(role="owner")
        .user.notifications.filter(title__contains="确认接受")
        .exists()
    )


def test_the_api_answers_409_in_chinese(api_client, org, wang_fang):
    mine = _proposed(wang_fang, place=project(org))
    _set(org, **SERIOUS)
    api_client.force_authenticate(wang_fang)

    response = api_client.post(f"/api/v1/socialorgs/socialwork/requests/{mine.pk}/accept/")

    mine.refresh_from_db()
    assert response.status_code == 409
    assert response.json()["code"] == "organisation_not_serving"
    assert "严重违法失信名单" in response.json()["detail"]
    assert mine.status in (S.OPEN, S.UNMATCHED)


def test_revoking_the_registration_reopens_its_proposals(org, rival):
    place = project(org, at=north_of(WUHOU, 0.2))
    other = project(rival, at=north_of(WUHOU, 2))
    waiting = _proposed(place=place)
    serving = accepted(project_=place)

    with TestCase.captureOnCommitCallbacks(execute=True):
        registry_services.org_status_change(
            organisation=org,
            official=civil_official(),
            status="revoked",
            changed_on=timezone.localdate(),
            reason="连续两年未参加年检",
        )

    waiting.refresh_from_db()
    serving.refresh_from_db()
    assert waiting.excluded_projects == [place.pk]
    assert (waiting.status, waiting.project) == (S.PROPOSED, other)
    assert waiting.resident.notifications.filter(title__contains="重新匹配").exists()
    assert serving.status == S.ACCEPTED  # cases being served are the officials' to follow up


def test_a_revocation_penalty_reopens_its_proposals(org):
    place = project(org)
    waiting = _proposed(place=place)

    credit_services.penalty_record(
        actor=civil_official(),
        organisation=org,
        decision_number="武民罚〔2026〕88号",
        kind="revocation",
        facts="弄虚作假骗取登记。",
        basis="《社会组织登记管理条例》第三十条",
        decided_on=timezone.localdate(),
        decided_by="成都市武侯区民政局",
    )

    waiting.refresh_from_db()
    assert (waiting.status, waiting.project, waiting.excluded_projects) == (
        S.OPEN,
        None,
        [place.pk],
    )


def test_the_hourly_job_releases_proposals_of_an_organisation_put_on_the_serious_list(org):
    place = project(org)
    waiting = _proposed(place=place)
    _set(org, **SERIOUS)

    counts = service_requests_release_due()

    waiting.refresh_from_db()
    assert counts == {"proposal_expired": 0, "organisation_not_serving": 1}
    assert (waiting.status, waiting.excluded_projects) == (S.OPEN, [place.pk])
