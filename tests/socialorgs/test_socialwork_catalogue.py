"""The government purchase catalogue (政府购买服务目录): 民政 officials write, publish and
withdraw items of their jurisdiction; a project funded by 政府购买服务 must name a published,
not withdrawn item covering its division and period; the public sees published items."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.accounts.models import User
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import CatalogueItem
from socialorgs.services.socialwork import (
    catalogue_item_create,
    catalogue_item_publish,
    catalogue_item_withdraw,
    project_create,
    project_publish,
)
from tests.accounts.factories import OfficialFactory
from tests.socialorgs.factories_socialwork import (
    WUHOU,
    catalogue_item,
    owner_of,
    project,
    social_org,
)

pytestmark = pytest.mark.django_db


def _item_data(**extra) -> dict:
    data = {
        "code": "sw-01",
        "name": "困境儿童关爱社会工作服务",
        "category": "儿童福利",
        "target_group": "children",
        "division": "510107",
        "year": timezone.localdate().year,
    }
    data.update(extra)
    return data


def _project_data(item=None, **extra) -> dict:
    today = timezone.localdate()
    data = {
        "title": "长者关爱社工服务",
        "target_group": "elderly",
        "division": "510107",
        "address": "浆洗街街道社区综合服务中心",
        "latitude": str(WUHOU[0]),
        "longitude": str(WUHOU[1]),
        "service_radius_km": 5,
        "starts_on": today.replace(month=1, day=1).isoformat(),
        "ends_on": today.replace(month=12, day=31).isoformat(),
        "funding": "government",
        "catalogue_item": item.pk if item else None,
        "capacity": 5,
    }
    data.update(extra)
    return data


@pytest.fixture
def org():
    return social_org()


# --- Officials write the catalogue --------------------------------------------------------------


def test_an_official_creates_publishes_and_withdraws_an_item(official_wuhou):
    item = catalogue_item_create(official=official_wuhou, data=_item_data())
    assert (item.code, item.state) == ("SW-01", "draft")

    item = catalogue_item_publish(item=item, official=official_wuhou)
    assert item.state == "published"
    item = catalogue_item_withdraw(item=item, official=official_wuhou)
    assert item.state == "withdrawn"
    with pytest.raises(SocialOrgConflict):
        catalogue_item_withdraw(item=item, official=official_wuhou)
    with pytest.raises(SocialOrgConflict):
        catalogue_item_publish(item=item, official=official_wuhou)


def test_the_city_official_writes_for_a_district_inside_the_city(official_city):
    item = catalogue_item_create(official=official_city, data=_item_data(division="510104"))

    assert item.division_id == "510104"


def test_an_official_cannot_write_outside_the_jurisdiction(official_wuhou):
    with pytest.raises(NotAllowed) as refused:
        catalogue_item_create(official=official_wuhou, data=_item_data(division="510104"))
    assert refused.value.code == "out_of_jurisdiction"

    other = catalogue_item(division="510104", published=False)
    with pytest.raises(NotAllowed):
        catalogue_item_publish(item=other, official=official_wuhou)


def test_only_civil_affairs_officials_write_the_catalogue(official_jinjiang, org):
    health = OfficialFactory(jurisdiction_id="510107", department=User.Department.HEALTH)
    for actor in (health, owner_of(org)):
        with pytest.raises(NotAllowed):
            catalogue_item_create(official=actor, data=_item_data())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "编码"}, "code"),
        ({"year": 1999}, "year"),
        ({"year": "明年"}, "year"),
        ({"name": "  "}, "name"),
        ({"target_group": "aliens"}, "target_group"),
        ({"division": "999999"}, "division"),
    ],
)
def test_bad_items_are_refused_on_the_field(official_wuhou, change, field):
    with pytest.raises(SocialOrgError) as refused:
        catalogue_item_create(official=official_wuhou, data=_item_data(**change))
    assert refused.value.field == field


def test_a_code_is_used_once_per_division_and_year(official_wuhou):
    catalogue_item_create(official=official_wuhou, data=_item_data())

    with pytest.raises(SocialOrgConflict):
        catalogue_item_create(official=official_wuhou, data=_item_data(code="SW-01"))


# --- The purchase rule --------------------------------------------------------------------------


def test_government_funding_needs_a_catalogue_item(org):
    with pytest.raises(SocialOrgError) as refused:
        project_create(organisation=org, actor=owner_of(org), data=_project_data())

    assert (refused.value.code, refused.value.field) == ("catalogue_required", "catalogue_item")


def test_a_published_item_covering_the_district_and_year_is_accepted(org):
    item = catalogue_item(target_group="elderly")

    created = project_create(organisation=org, actor=owner_of(org), data=_project_data(item))

    assert created.catalogue_item == item


def test_an_item_of_the_city_covers_its_districts(org):
    item = catalogue_item(division="510100")

    created = project_create(organisation=org, actor=owner_of(org), data=_project_data(item))

    assert created.catalogue_item == item


@pytest.mark.parametrize(
    ("item_args", "code"),
    [
        ({"published": False}, "catalogue_not_published"),
        ({"withdrawn": True}, "catalogue_withdrawn"),
        ({"division": "510104"}, "catalogue_out_of_area"),
        ({"year_offset": -1}, "catalogue_wrong_year"),
        ({"target_group": "children"}, "catalogue_wrong_group"),
    ],
    ids=["unpublished", "withdrawn", "another district", "another year", "another group"],
)
def test_an_item_that_does_not_cover_the_project_is_refused(org, item_args, code):
    args = dict(item_args)
    if "year_offset" in args:
        args["year"] = timezone.localdate().year + args.pop("year_offset")
    item = catalogue_item(**args)

    with pytest.raises(SocialOrgError) as refused:
        project_create(organisation=org, actor=owner_of(org), data=_project_data(item))

    assert (refused.value.code, refused.value.field) == (code, "catalogue_item")


def test_other_funding_names_no_item(org):
    item = catalogue_item()

    with pytest.raises(SocialOrgError) as refused:
        project_create(
            organisation=org, actor=owner_of(org), data=_project_data(item, funding="foundation")
        )

    assert refused.value.code == "catalogue_not_applicable"


def test_publishing_a_draft_checks_the_item_again(org, official_wuhou):
    item = catalogue_item()
    draft = project(
        org,
        status="draft",
        funding="government",
        catalogue_item=item,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=60),
    )
    catalogue_item_withdraw(item=item, official=official_wuhou)

    with pytest.raises(SocialOrgError) as refused:
        project_publish(project=draft, actor=owner_of(org))

    assert refused.value.code == "catalogue_withdrawn"
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- The public catalogue ---------------------------------------------------------------------


def test_the_public_catalogue_lists_published_items_only(client):
    shown = catalogue_item(name="社区矫正社会工作服务")
    catalogue_item(name="未发布的目录项", published=False)
    catalogue_item(name="已撤回的目录项", withdrawn=True)

    page = client.get(reverse("socialorgs:sw-catalogue")).content.decode()

    assert shown.name in page
    assert "未发布的目录项" not in page
    assert "已撤回的目录项" not in page


def test_the_catalogue_filters_by_year_and_division(client, api_client):
    this_year = timezone.localdate().year
    district = catalogue_item(name="武侯区本年度目录项")
    city = catalogue_item(name="成都市本年度目录项", division="510100")
    catalogue_item(name="锦江区本年度目录项", division="510104")
    catalogue_item(name="武侯区上年度目录项", year=this_year - 1)

    page = client.get(
        reverse("socialorgs:sw-catalogue"), {"year": this_year, "division": "510107"}
    ).content.decode()
    body = api_client.get(
        "/api/v1/socialorgs/socialwork/catalogue/", {"year": this_year, "division": "510107"}
    ).json()

    assert district.name in page
    assert city.name in page
    assert "锦江区本年度目录项" not in page
    assert "武侯区上年度目录项" not in page
    assert {row["name"] for row in body["results"]} == {district.name, city.name}


def test_the_catalogue_api_refuses_a_bad_filter(api_client):
    response = api_client.get("/api/v1/socialorgs/socialwork/catalogue/", {"year": "今年"})

    assert response.status_code == 400
    assert "year" in response.json()["fields"]


# --- The officials' API and page --------------------------------------------------------------


def test_the_official_api_creates_and_publishes(api_client, official_wuhou):
    api_client.force_authenticate(official_wuhou)

    created = api_client.post(
        "/api/v1/socialorgs/socialwork/official/catalogue/", _item_data(), format="json"
    )
    published = api_client.post(
        f"/api/v1/socialorgs/socialwork/official/catalogue/{created.json()['id']}/publish/"
    )

    assert created.status_code == 201, created.json()
    assert published.json()["state"] == "published"


def test_the_official_api_refuses_another_department_before_reading_input(api_client):
    health = OfficialFactory(jurisdiction_id="510107", department=User.Department.HEALTH)
    api_client.force_authenticate(health)

    response = api_client.post(
        "/api/v1/socialorgs/socialwork/official/catalogue/", {"year": "x"}, format="json"
    )

    assert response.status_code == 403


def test_an_item_of_another_jurisdiction_is_not_found(api_client, official_jinjiang):
    official = OfficialFactory(jurisdiction_id="510104")
    item = catalogue_item(published=False)
    api_client.force_authenticate(official)

    response = api_client.post(
        f"/api/v1/socialorgs/socialwork/official/catalogue/{item.pk}/publish/"
    )

    assert response.status_code == 404


def test_the_official_page_creates_an_item_and_publishes_it(client, official_wuhou):
    client.force_login(official_wuhou)
    url = reverse("socialorgs:sw-official-catalogue")

    response = client.post(url, _item_data(target_group=""))
    item = CatalogueItem.objects.get(code="SW-01")
    client.post(reverse("socialorgs:sw-catalogue-status", args=[item.pk]), {"action": "publish"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.state == "published"
    assert "SW-01" in client.get(url).content.decode()


def test_the_official_page_shows_field_errors(client, official_wuhou):
    client.force_login(official_wuhou)

    response = client.post(reverse("socialorgs:sw-official-catalogue"), _item_data(code="坏"))

    assert response.status_code == 200
    assert "目录编码应为" in response.content.decode()
