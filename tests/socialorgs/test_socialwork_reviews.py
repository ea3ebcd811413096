"""Reviews of completed social-work services through ratings' review machinery: only after
completion, once, within the window; the social-work dimensions; a listed word holds the review;
only published reviews count towards the project's quality."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from ratings.dimensions import dimension_codes
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import ProjectReview
from socialorgs.services.socialwork import project_review_create, service_requests_match
from tests.socialorgs.factories_socialwork import (
    accepted,
    completed,
    project,
    service_request,
    social_org,
)

pytestmark = pytest.mark.django_db
DIMENSIONS = {"skill": 5, "attitude": 5, "responsiveness": 4, "outcome": 4}


@pytest.fixture
def place():
    return project(social_org())


def _review(request, resident=None, **extra):
    values = {"overall": 5, "dimensions": dict(DIMENSIONS), "text": "社工每周上门，很专业。"}
    values.update(extra)
    return project_review_create(
        service_request=request, resident=resident or request.resident, **values
    )


def test_social_work_has_its_own_dimensions_and_the_provider_domains_keep_theirs():
    assert dimension_codes("social_work") == ("skill", "attitude", "responsiveness", "outcome")
    assert dimension_codes("eldercare") == ("attitude", "skill", "punctuality", "hygiene", "value")


def test_a_completed_service_is_reviewed_once(wang_fang, place):
    done = completed(wang_fang, project_=place)

    review = _review(done)

    assert (review.status, review.overall, review.project) == ("published", 5, place)
    assert review.dimensions == DIMENSIONS
    with pytest.raises(SocialOrgConflict) as again:
        _review(done)
    assert again.value.code == "already_reviewed"


@pytest.mark.parametrize("status", ["open", "proposed", "accepted", "cancelled"])
def test_only_a_completed_service_can_be_reviewed(wang_fang, place, status):
    request = service_request(
        wang_fang, status=status, project=place if status in ("proposed", "accepted") else None
    )

    with pytest.raises(SocialOrgConflict) as refused:
        _review(request)

    assert refused.value.code == "not_completed"


def test_only_the_resident_reviews(wang_fang, daughter, place):
    done = completed(wang_fang, project_=place)

    with pytest.raises(NotAllowed):
        _review(done, resident=daughter)


def test_the_review_window_closes_after_thirty_days(wang_fang, place):
    done = completed(wang_fang, project_=place)

    later = timezone.now() + dt.timedelta(days=31)
    with time_machine.travel(later, tick=False), pytest.raises(SocialOrgConflict) as refused:
        _review(done)

    assert refused.value.code == "review_window_closed"


def test_a_listed_word_holds_the_review(wang_fang, place):
    done = completed(wang_fang, project_=place)

    review = _review(done, text="这家机构是诈骗")

    assert review.status == ProjectReview.Status.HELD
    assert review.held_words == ["诈骗"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"overall": 6}, "overall"),
        ({"overall": True}, "overall"),
        ({"dimensions": {"skill": 5}}, "dimensions"),
        ({"dimensions": {**DIMENSIONS, "hygiene": 5}}, "dimensions"),
        ({"dimensions": {**DIMENSIONS, "skill": 0}}, "dimensions"),
        ({"text": "很" * 1001}, "text"),
    ],
)
def test_ratings_validation_refuses_bad_input_on_its_field(wang_fang, place, change, field):
    done = completed(wang_fang, project_=place)

    with pytest.raises(SocialOrgError) as refused:
        _review(done, **change)

    assert field in refused.value.field_errors()
    assert not ProjectReview.objects.exists()


def test_only_published_reviews_raise_the_projects_quality(place):
    rival_place = project(social_org("阳光社会工作服务社"))
    for overall, text in ((5, "很好"), (5, "很好"), (5, "诈骗")):  # the last one is held
        _review(completed(project_=place), overall=overall, text=text)
    for _ in range(3):
        _review(completed(project_=rival_place), overall=2, text="一般")
    request = service_request()

    service_requests_match(request_id=request.pk)

    request.refresh_from_db()
    assert request.project == place
    # prior (5+5+2+2+2)/5 = 3.2 over RATINGS_PRIOR_WEIGHT=5: (5·3.2 + 10) / 7 / 5
    assert request.match_explanation["components"]["quality"] == pytest.approx(26 / 35, abs=1e-3)
    assert request.match_explanation["reviews"] == 2


def test_the_review_page_and_the_api(client, api_client, wang_fang, place):
    first = completed(wang_fang, project_=place)
    client.force_login(wang_fang)
    data = {"overall": 4, "text": "耐心细致"} | {f"dim_{k}": v for k, v in DIMENSIONS.items()}

    response = client.post(reverse("socialorgs:sw-review", args=[first.pk]), data)

    assert response.status_code == 302
    assert ProjectReview.objects.get(request=first).overall == 4
    second = completed(wang_fang, project_=place, target_group="disabled")
    api_client.force_authenticate(wang_fang)
    url = f"/api/v1/socialorgs/socialwork/requests/{second.pk}/review/"
    bad = api_client.post(url, {"overall": 4, "dimensions": {"skill": 4}}, format="json")
    good = api_client.post(url, {"overall": 3, "dimensions": DIMENSIONS}, format="json")
    again = api_client.post(url, {"overall": 3, "dimensions": DIMENSIONS}, format="json")

    assert bad.status_code == 400
    assert "dimensions" in bad.json()["fields"]
    assert good.status_code == 201
    assert again.status_code == 409


def test_an_unfinished_service_has_no_review_form(client, wang_fang, place):
    case = accepted(wang_fang, project_=place)
    client.force_login(wang_fang)

    page = client.get(reverse("socialorgs:sw-review", args=[case.pk])).content.decode()

    assert "服务完成后才能评价" in page
    assert "<form" not in page.split('id="main"')[1]
