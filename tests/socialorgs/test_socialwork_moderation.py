"""Moderation of residents' reviews of social-work services: a 民政 official whose jurisdiction
covers the project's district publishes a held review (it then counts towards the project's
rating) or hides it (with a reason the resident reads); the same decision twice is a 409; a
resident may report a published review, which holds it again. The page lists the held reviews
of the official's jurisdiction with the identifiers masked and the listed words marked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import ProjectReview, ProjectReviewReport
from socialorgs.selectors import socialwork as selectors
from socialorgs.services.socialwork import project_review_moderate, project_review_report
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories_socialwork import owner_of, project, review, social_org

pytestmark = pytest.mark.django_db

PAGE = "/socialorgs/official/socialwork/reviews/"
API = "/api/v1/socialorgs/socialwork/official/reviews/"


@pytest.fixture
def place():
    return project(social_org())


@pytest.fixture
def held(place, wang_fang):
    return review(place, resident=wang_fang, overall=2)


@pytest.fixture
def published(place):
    """A published 5-star review by another resident: the project's rating before."""
    return review(place, status="published", overall=5)


def _rating(project_) -> tuple:
    fresh = selectors.project_get_public(pk=project_.pk)
    return fresh.rating_count, fresh.rating_avg


def _moderate_url(pk) -> str:
    return f"{API}{pk}/moderate/"


# --- Happy paths ------------------------------------------------------------------------------


def test_publishing_a_held_review_makes_it_count(held, published, place, official_wuhou):
    assert _rating(place) == (1, 5.0)

    project_review_moderate(review=held, official=official_wuhou, action="publish", reason="")

    held.refresh_from_db()
    assert held.status == ProjectReview.Status.PUBLISHED
    assert (held.moderated_by, held.moderated_at is not None) == (official_wuhou, True)
    assert _rating(place) == (2, 3.5)
    assert held in selectors.reviews_published(place)
    entry = AuditEntry.objects.get(action="socialorgs.project_review_moderated")
    assert (entry.actor, entry.target_id) == (official_wuhou, str(held.pk))
    assert entry.detail["from"] == "held"
    assert entry.detail["to"] == "published"


def test_hiding_a_held_review_keeps_it_out(held, published, place, official_wuhou):
    project_review_moderate(
        review=held, official=official_wuhou, action="hide", reason="含不实指控"
    )

    held.refresh_from_db()
    assert (held.status, held.moderation_reason) == ("hidden", "含不实指控")
    assert _rating(place) == (1, 5.0)
    assert held not in selectors.reviews_published(place)


def test_the_city_official_covers_the_district(held, official_city):
    project_review_moderate(review=held, official=official_city, action="publish", reason="")

    held.refresh_from_db()
    assert held.status == "published"


@pytest.mark.parametrize(
    ("action", "reason", "title", "says"),
    [
        ("publish", "", "您的服务评价已公开", "已通过审核"),
        ("hide", "含辱骂内容", "您的服务评价未予公开", "含辱骂内容"),
    ],
)
def test_the_resident_is_told_the_outcome(
    held, wang_fang, official_wuhou, action, reason, title, says
):
    project_review_moderate(review=held, official=official_wuhou, action=action, reason=reason)

    notice = Notification.objects.get(recipient=wang_fang, kind="socialwork_review")
    assert notice.title == title
    assert says in notice.body
    assert held.project.title in notice.body
    assert notice.link == reverse("socialorgs:sw-request", args=[held.request_id])


def test_each_decision_is_told_even_when_reversed(held, wang_fang, official_wuhou):
    project_review_moderate(review=held, official=official_wuhou, action="hide", reason="辱骂")
    project_review_moderate(review=held, official=official_wuhou, action="publish", reason="")

    titles = list(
        Notification.objects.filter(recipient=wang_fang).order_by("id").values_list("title")
    )
    assert titles == [("您的服务评价未予公开",), ("您的服务评价已公开",)]


# --- Idempotency: the same decision twice is a 409 ------------------------------------------------


@pytest.mark.parametrize(("action", "reason"), [("publish", ""), ("hide", "辱骂")])
def test_the_same_decision_twice_is_refused(held, wang_fang, official_wuhou, action, reason):
    project_review_moderate(review=held, official=official_wuhou, action=action, reason=reason)

    with pytest.raises(SocialOrgConflict) as again:
        project_review_moderate(review=held, official=official_wuhou, action=action, reason=reason)

    assert again.value.code == "already_moderated"
    assert "无需重复处理" in str(again.value.message)
    assert Notification.objects.filter(recipient=wang_fang).count() == 1
    assert AuditEntry.objects.filter(action="socialorgs.project_review_moderated").count() == 1


def test_the_api_answers_409_to_a_repeated_decision(api_client, held, official_wuhou):
    api_client.force_authenticate(official_wuhou)
    first = api_client.post(_moderate_url(held.pk), {"action": "publish"}, format="json")
    second = api_client.post(_moderate_url(held.pk), {"action": "publish"}, format="json")

    assert first.status_code == 200, first.content
    assert first.json()["status"] == "published"
    assert second.status_code == 409
    assert "无需重复处理" in second.content.decode()


# --- Permission boundary ------------------------------------------------------------------------


def _others(place):
    return {
        "another district's 民政": OfficialFactory(jurisdiction_id="510104"),
        "the district's 卫健": OfficialFactory(
            jurisdiction_id="510107", department=User.Department.HEALTH
        ),
        "the organisation's owner": owner_of(place.organisation),
    }


@pytest.mark.parametrize(
    "who", ["another district's 民政", "the district's 卫健", "the organisation's owner"]
)
def test_only_a_covering_civil_affairs_official_decides(held, place, who):
    actor = _others(place)[who]

    with pytest.raises(NotAllowed):
        project_review_moderate(review=held, official=actor, action="publish", reason="")

    held.refresh_from_db()
    assert held.status == "held"


def test_the_resident_cannot_publish_their_own_review(held, wang_fang):
    with pytest.raises(NotAllowed):
        project_review_moderate(review=held, official=wang_fang, action="publish", reason="")


def test_permission_is_checked_before_input(held, place):
    health = _others(place)["the district's 卫健"]

    with pytest.raises(NotAllowed):
        project_review_moderate(review=held, official=health, action="???", reason="")


@pytest.mark.parametrize(
    ("who", "page", "api"),
    [
        ("another district's 民政", 404, 404),
        ("the district's 卫健", 403, 403),
        ("the organisation's owner", 403, 403),
    ],
)
def test_the_page_and_api_refuse_others(client, api_client, held, place, who, page, api):
    actor = _others(place)[who]
    client.force_login(actor)
    api_client.force_authenticate(actor)

    posted = client.post(
        reverse("socialorgs:sw-review-moderate", args=[held.pk]), {"action": "publish"}
    )
    answered = api_client.post(_moderate_url(held.pk), {"action": "publish"}, format="json")

    assert (posted.status_code, answered.status_code) == (page, api)
    held.refresh_from_db()
    assert held.status == "held"


def test_the_resident_is_refused_by_page_and_api(client, api_client, held, wang_fang):
    client.force_login(wang_fang)
    api_client.force_authenticate(wang_fang)

    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("socialorgs:sw-review-moderate", args=[held.pk])).status_code == 403
    assert api_client.get(API).status_code == 403
    assert api_client.post(_moderate_url(held.pk), {"action": "publish"}).status_code == 403


def test_another_districts_official_does_not_see_the_review(client, api_client, held):
    jinjiang = OfficialFactory(jurisdiction_id="510104")
    client.force_login(jinjiang)
    api_client.force_authenticate(jinjiang)

    page = client.get(PAGE)

    assert page.status_code == 200
    assert held.project.title not in page.content.decode()
    assert api_client.get(API).json() == []


def test_anonymous_visitors_log_in(client, api_client, held):
    assert client.get(PAGE).url.startswith("/accounts/login/")
    assert api_client.get(API).status_code in (401, 403)


# --- Bad input ----------------------------------------------------------------------------------


def test_an_unknown_action_is_refused(held, official_wuhou):
    with pytest.raises(SocialOrgError) as refused:
        project_review_moderate(review=held, official=official_wuhou, action="delete", reason="")

    assert (refused.value.code, refused.value.field) == ("unknown_action", "action")


def test_hiding_needs_a_reason(held, official_wuhou):
    with pytest.raises(SocialOrgError) as refused:
        project_review_moderate(review=held, official=official_wuhou, action="hide", reason="  ")

    assert (refused.value.code, refused.value.field) == ("required", "reason")
    held.refresh_from_db()
    assert held.status == "held"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "delete"}, "action"),
        ({}, "action"),
        ({"action": "hide"}, "reason"),
        ({"action": "hide", "reason": ""}, "reason"),
        ({"action": "hide", "reason": "长" * 301}, "reason"),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(api_client, held, official_wuhou, body, field):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(_moderate_url(held.pk), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    held.refresh_from_db()
    assert held.status == "held"


def test_the_page_keeps_the_review_held_when_hiding_without_a_reason(client, held, official_wuhou):
    client.force_login(official_wuhou)

    response = client.post(
        reverse("socialorgs:sw-review-moderate", args=[held.pk]),
        {"action": "hide", "reason": ""},
        follow=True,
    )

    assert "屏蔽评价须填写原因" in response.content.decode()
    held.refresh_from_db()
    assert held.status == "held"


# --- The page -----------------------------------------------------------------------------------


def test_the_page_lists_held_reviews_redacted_with_the_words_marked(
    client, held, published, official_wuhou
):
    client.force_login(official_wuhou)

    body = client.get(PAGE).content.decode()

    assert held.project.title in body
    assert held.project.organisation.name in body
    assert "<mark>诈骗</mark>" in body
    assert "139****5678" in body
    assert "13912345678" not in body
    assert f'id="sw-review-{held.pk}"' in body
    assert f'id="sw-review-{published.pk}"' not in body  # published: not in the queue
    assert 'name="csrfmiddlewaretoken"' in body


def test_the_page_publishes_without_javascript(client, held, official_wuhou):
    client.force_login(official_wuhou)

    response = client.post(
        reverse("socialorgs:sw-review-moderate", args=[held.pk]), {"action": "publish"}
    )

    assert response.status_code == 302
    assert response.url == PAGE
    held.refresh_from_db()
    assert held.status == "published"


def test_htmx_gets_the_row_back(client, held, official_wuhou):
    client.force_login(official_wuhou)
    url = reverse("socialorgs:sw-review-moderate", args=[held.pk])

    done = client.post(url, {"action": "hide", "reason": "辱骂"}, HTTP_HX_REQUEST="true")
    again = client.post(url, {"action": "hide", "reason": "辱骂"}, HTTP_HX_REQUEST="true")

    assert done.status_code == 200
    assert done.content.decode().lstrip().startswith(f'<li class="card" id="sw-review-{held.pk}"')
    assert "已屏蔽" in done.content.decode()
    assert "无需重复处理" in again.content.decode()


def test_the_api_lists_held_reviews_redacted(api_client, held, published, official_wuhou):
    api_client.force_authenticate(official_wuhou)

    rows = api_client.get(API).json()

    assert [row["id"] for row in rows] == [held.pk]
    assert rows[0]["held_words"] == ["诈骗"]
    assert "139****5678" in rows[0]["text"]
    assert rows[0]["project"]["organisation"] == held.project.organisation.name
    assert "resident" not in rows[0]


# --- Reports ------------------------------------------------------------------------------------


def test_a_report_holds_a_published_review_until_an_official_decides(
    published, place, daughter, official_wuhou
):
    project_review_report(review=published, reporter=daughter, reason="内容不实")

    published.refresh_from_db()
    assert published.status == "held"
    assert _rating(place) == (0, None)
    queued = selectors.review_moderation_queue(official=official_wuhou).get()
    assert [r.reason for r in queued.open_reports] == ["内容不实"]
    assert Notification.objects.filter(recipient=official_wuhou, kind="socialwork_review").exists()

    project_review_moderate(review=published, official=official_wuhou, action="publish")

    assert ProjectReviewReport.objects.get().resolved_at is not None
    assert _rating(place) == (1, 5.0)


def test_a_resident_reports_a_review_once(published, daughter):
    project_review_report(review=published, reporter=daughter, reason="内容不实")

    with pytest.raises(SocialOrgConflict) as again:
        project_review_report(review=published, reporter=daughter, reason="内容不实")

    assert again.value.code == "already_reported"


def test_only_a_published_review_is_reported(held, daughter):
    with pytest.raises(SocialOrgConflict) as refused:
        project_review_report(review=held, reporter=daughter, reason="内容不实")

    assert refused.value.code == "not_published"


def test_the_author_the_organisation_and_officials_do_not_report(published, place, official_wuhou):
    for actor in (published.resident, owner_of(place.organisation), official_wuhou):
        with pytest.raises(NotAllowed):
            project_review_report(review=published, reporter=actor, reason="不喜欢")

    published.refresh_from_db()
    assert published.status == "published"


def test_a_report_needs_a_reason(published, daughter):
    with pytest.raises(SocialOrgError) as refused:
        project_review_report(review=published, reporter=daughter, reason="")

    assert refused.value.field == "reason"


def test_the_project_page_offers_the_report_form_and_takes_it(client, published, place, daughter):
    client.force_login(daughter)
    page = client.get(reverse("socialorgs:project-detail", args=[place.pk])).content.decode()
    url = reverse("socialorgs:sw-review-report", args=[published.pk])

    response = client.post(url, {"reason": "辱骂社工"})

    assert url in page
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == "held"


def test_the_report_api(api_client, published, daughter):
    api_client.force_authenticate(daughter)
    url = f"/api/v1/socialorgs/socialwork/reviews/{published.pk}/report/"

    empty = api_client.post(url, {}, format="json")
    made = api_client.post(url, {"reason": "辱骂社工"}, format="json")
    gone = api_client.post(url, {"reason": "辱骂社工"}, format="json")

    assert empty.status_code == 400
    assert "reason" in empty.json()["fields"]
    assert made.status_code == 201
    assert made.json()["review"] == published.pk
    assert gone.status_code == 404  # held now: no longer a published review


def test_an_organisation_account_does_not_report_by_api(api_client, published, place):
    api_client.force_authenticate(owner_of(place.organisation))

    response = api_client.post(
        f"/api/v1/socialorgs/socialwork/reviews/{published.pk}/report/",
        {"reason": "差评"},
        format="json",
    )

    assert response.status_code == 403
    published.refresh_from_db()
    assert published.status == "published"


def test_provider_staff_are_not_residents(api_client, published):
    staff = UserFactory(role=User.Role.PROVIDER_STAFF)
    api_client.force_authenticate(staff)

    response = api_client.post(
        f"/api/v1/socialorgs/socialwork/reviews/{published.pk}/report/",
        {"reason": "差评"},
        format="json",
    )

    assert response.status_code == 403


def test_a_reporters_data_is_exported_and_erased(published, daughter):
    from socialorgs.services.socialwork.personal_data import erase_socialwork, export_socialwork

    project_review_report(review=published, reporter=daughter, reason="辱骂社工")

    exported = export_socialwork(daughter)["review_reports"]
    erase_socialwork(daughter)

    assert [row["reason"] for row in exported] == ["辱骂社工"]
    assert ProjectReviewReport.objects.get().reason == "已注销"
