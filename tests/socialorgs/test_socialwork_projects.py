"""Social-work projects: an organisation in good registration creates a draft, publishes and
closes it (closing releases the proposals waiting for residents); the public reads published
projects with their ratings; bad input is refused on its field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import (
    OrgMembership,
    ProjectReview,
    ServiceRequest,
    SocialOrganisation,
    SocialWorkProject,
)
from socialorgs.services.socialwork import (
    project_close,
    project_create,
    project_publish,
    project_update,
)
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories_socialwork import (
    WUHOU,
    accepted,
    completed,
    north_of,
    owner_of,
    project,
    service_request,
    social_org,
)

pytestmark = pytest.mark.django_db
P = SocialWorkProject.Status


@pytest.fixture
def org():
    return social_org()


def _data(**extra) -> dict:
    today = timezone.localdate()
    data = {
        "title": "困境儿童成长陪伴计划",
        "description": "为困境儿童提供课业辅导、心理支持和家庭探访。",
        "target_group": "children",
        "division": "510107",
        "address": "武侯区浆洗街街道儿童之家",
        "latitude": "30.642000",
        "longitude": "104.043200",
        "service_radius_km": 3,
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=180)).isoformat(),
        "funding": "foundation",
        "catalogue_item": "",
        "capacity": 8,
    }
    data.update(extra)
    return data


def test_the_owner_creates_publishes_and_closes_a_project(org):
    owner = owner_of(org)

    draft = project_create(organisation=org, actor=owner, data=_data())
    assert draft.status == P.DRAFT
    published = project_publish(project=draft, actor=owner)
    assert published.status == P.ACTIVE
    closed = project_close(project=published, actor=owner, reason="周期结束")
    assert closed.status == P.CLOSED
    with pytest.raises(SocialOrgConflict):
        project_publish(project=closed, actor=owner)


def test_a_draft_can_be_changed_a_published_project_cannot(org):
    owner = owner_of(org)
    draft = project_create(organisation=org, actor=owner, data=_data())

    project_update(project=draft, actor=owner, data=_data(title="改名后的项目"))
    draft.refresh_from_db()
    assert draft.title == "改名后的项目"
    project_publish(project=draft, actor=owner)
    with pytest.raises(SocialOrgConflict):
        project_update(project=draft, actor=owner, data=_data())


def test_an_organisation_not_in_good_registration_cannot_run_projects(org):
    SocialOrganisation.objects.filter(pk=org.pk).update(
        status="deregistered", status_changed_on=timezone.localdate()
    )
    org.refresh_from_db()

    with pytest.raises(SocialOrgConflict) as refused:
        project_create(organisation=org, actor=owner_of(org), data=_data())

    assert refused.value.code == "organisation_not_active"


def test_members_and_other_organisations_cannot_create_or_publish(org):
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    rival = social_org("阳光社会工作服务社")
    draft = project(org, status=P.DRAFT)

    for actor in (member, owner_of(rival), UserFactory()):
        with pytest.raises(NotAllowed):
            project_create(organisation=org, actor=actor, data=_data())
        with pytest.raises(NotAllowed):
            project_publish(project=draft, actor=actor)


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"ends_on_days": -10, "starts_on_days": 0}, "ends_on", "period_reversed"),
        ({"starts_on_days": -100, "ends_on_days": -1}, "ends_on", "period_over"),
        ({"starts_on_days": 0, "ends_on_days": 6 * 366}, "ends_on", "period_too_long"),
        ({"latitude": "-30.642"}, "latitude", "outside_china"),
        ({"longitude": "14.0432"}, "longitude", "outside_china"),
        ({"service_radius_km": 80}, "service_radius_km", "out_of_range"),
        ({"capacity": 0}, "capacity", "out_of_range"),
        ({"capacity": "十"}, "capacity", "invalid"),
        ({"division": "510000"}, "division", "division_too_wide"),
        ({"funding": "lottery"}, "funding", "invalid_choice"),
        ({"starts_on": "2025-13-01"}, "starts_on", "invalid_date"),
        ({"title": ""}, "title", "required"),
    ],
)
def test_bad_input_is_refused_on_its_field(org, change, field, code):
    today = timezone.localdate()
    change = dict(change)
    if "starts_on_days" in change:
        change["starts_on"] = (today + dt.timedelta(days=change.pop("starts_on_days"))).isoformat()
    if "ends_on_days" in change:
        change["ends_on"] = (today + dt.timedelta(days=change.pop("ends_on_days"))).isoformat()

    with pytest.raises(SocialOrgError) as refused:
        project_create(organisation=org, actor=owner_of(org), data=_data(**change))

    assert (refused.value.field, refused.value.code) == (field, code)
    assert not SocialWorkProject.objects.exists()


def test_closing_releases_waiting_proposals_and_keeps_accepted_cases(org):
    place = project(org)
    other = project(social_org("阳光社会工作服务社"), at=north_of(WUHOU, 1))
    proposal = service_request(status="proposed", project=place)
    case = accepted(project_=place)

    with TestCase.captureOnCommitCallbacks(execute=True):
        project_close(project=place, actor=owner_of(org))

    proposal.refresh_from_db()
    case.refresh_from_db()
    assert proposal.excluded_projects == [place.pk]
    assert (proposal.status, proposal.project) == ("proposed", other)  # rematched
    assert (case.status, case.project) == ("accepted", place)
    assert proposal.resident.notifications.filter(title__contains="重新匹配").exists()


# --- What the public reads ----------------------------------------------------------------------


def test_the_public_page_shows_the_project_with_its_published_reviews_only(client, org):
    place = project(org, title="长者关爱社工服务", funding="self")
    for overall, status, text in (
        (5, "published", "社工很耐心"),
        (3, "published", "还不错"),
        (1, "held", "待审核的评价"),
    ):
        done = completed(project_=place)
        ProjectReview.objects.create(
            request=done,
            project=place,
            resident=done.resident,
            overall=overall,
            dimensions={},
            text=text,
            status=status,
        )

    page = client.get(reverse("socialorgs:project-detail", args=[place.pk])).content.decode()

    assert "长者关爱社工服务" in page
    assert org.name in page
    assert "自筹" in page
    assert "4.0" in page  # (5 + 3) / 2: the held review does not count
    assert "社工很耐心" in page
    assert "待审核的评价" not in page


def test_a_government_project_shows_its_catalogue_item(client, org):
    from tests.socialorgs.factories_socialwork import catalogue_item

    item = catalogue_item(name="社区居家养老社会工作服务")
    place = project(org, funding="government", catalogue_item=item)

    page = client.get(reverse("socialorgs:project-detail", args=[place.pk])).content.decode()

    assert "政府购买服务" in page
    assert item.code in page
    assert item.name in page


def test_a_draft_is_not_public(client, api_client, org):
    draft = project(org, status=P.DRAFT)

    assert client.get(reverse("socialorgs:project-detail", args=[draft.pk])).status_code == 404
    assert api_client.get(f"/api/v1/socialorgs/socialwork/projects/{draft.pk}/").status_code == 404
    client.force_login(owner_of(org))
    assert client.get(reverse("socialorgs:sw-project", args=[draft.pk])).status_code == 200


def test_public_reviews_mask_phone_numbers(client, org):
    place = project(org)
    done = completed(project_=place)
    ProjectReview.objects.create(
        request=done,
        project=place,
        resident=done.resident,
        overall=4,
        dimensions={},
        text="有事可以打 13912345678 找社工",
    )

    page = client.get(reverse("socialorgs:project-detail", args=[place.pk])).content.decode()

    assert "13912345678" not in page
    assert "139****5678" in page


# --- API --------------------------------------------------------------------------------------


def test_the_projects_api_finds_projects_near_a_point(api_client, org):
    near = project(org, at=north_of(WUHOU, 1), title="一公里外")
    farther = project(org, at=north_of(WUHOU, 4), title="四公里外")
    project(org, at=north_of(WUHOU, 20), title="二十公里外")
    project(org, at=north_of(WUHOU, 0.5), status=P.DRAFT, title="草稿")

    body = api_client.get(
        "/api/v1/socialorgs/socialwork/projects/",
        {"near": f"{WUHOU[0]},{WUHOU[1]}", "radius": 5},
    ).json()

    assert [row["id"] for row in body["results"]] == [near.pk, farther.pk]
    assert body["results"][0]["distance_km"] == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    "query",
    [
        {"near": "30.64"},
        {"near": "104.04,30.64"},
        {"near": "abc,def"},
        {"near": "30.64,104.04", "radius": 500},
        {"target_group": "pets"},
    ],
)
def test_the_projects_api_refuses_a_bad_query(api_client, query):
    response = api_client.get("/api/v1/socialorgs/socialwork/projects/", query)

    assert response.status_code == 400
    assert set(response.json()["fields"]) <= {"near", "radius", "target_group"}


def test_the_org_api_creates_publishes_and_closes(api_client, org):
    api_client.force_authenticate(owner_of(org))
    url = f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/projects/"

    created = api_client.post(url, {**_data(), "catalogue_item": None}, format="json")
    pk = created.json()["id"]
    published = api_client.post(f"/api/v1/socialorgs/socialwork/projects/{pk}/publish/")
    listed = api_client.get(url).json()
    closed = api_client.post(
        f"/api/v1/socialorgs/socialwork/projects/{pk}/close/", {}, format="json"
    )

    assert created.status_code == 201, created.json()
    assert published.json()["status"] == "active"
    assert [row["id"] for row in listed] == [pk]
    assert closed.json()["status"] == "closed"


def test_the_org_api_refuses_a_reversed_period(api_client, org):
    api_client.force_authenticate(owner_of(org))
    today = timezone.localdate()

    response = api_client.post(
        f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/projects/",
        {
            **_data(),
            "catalogue_item": None,
            "starts_on": today.isoformat(),
            "ends_on": (today - dt.timedelta(days=1)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 400
    assert "ends_on" in response.json()["fields"]


def test_another_organisation_cannot_publish_through_the_api(api_client, org):
    draft = project(org, status=P.DRAFT)
    api_client.force_authenticate(owner_of(social_org("阳光社会工作服务社")))

    response = api_client.post(f"/api/v1/socialorgs/socialwork/projects/{draft.pk}/publish/")

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == P.DRAFT


def test_the_desk_pages_create_and_publish_a_project(client, org):
    client.force_login(owner_of(org))

    created = client.post(reverse("socialorgs:sw-project-new", args=[org.credit_code]), _data())
    draft = SocialWorkProject.objects.get(organisation=org)
    client.post(reverse("socialorgs:sw-project-status", args=[draft.pk]), {"action": "publish"})
    desk = client.get(reverse("socialorgs:sw-desk", args=[org.credit_code])).content.decode()

    assert created["Location"] == reverse("socialorgs:sw-project", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == P.ACTIVE
    assert draft.title in desk


def test_the_new_project_page_is_for_owners_and_managers(client, org):
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    client.force_login(member)

    assert client.get(reverse("socialorgs:sw-desk", args=[org.credit_code])).status_code == 200
    url = reverse("socialorgs:sw-project-new", args=[org.credit_code])
    assert client.get(url).status_code == 403
    assert client.post(url, _data()).status_code == 403
    assert not ServiceRequest.objects.exists()
    assert not SocialWorkProject.objects.exists()
