"""The provider directory as Open Referral HSDS 3.0 (openData.hsds and its API): every object
validates against the standard's own schemas, ids are stable UUIDs, only public organisations
appear, and no person's name or mobile number does."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
import yaml
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rest_framework.throttling import ScopedRateThrottle

from openData import api_hsds, hsds
from openData.models import Run
from openData.services.releases import release_path
from providers.models import Branch, Provider
from services.models import Category, Listing
from services.services.visibility import listings_refresh_visibility
from tests.openData.conftest import publish as publish_release
from tests.openData.standards import HSDS, hsds_compiled
from tests.providers.factories import (
    BranchFactory,
    LicenceFactory,
    ProviderFactory,
    StaffMemberFactory,
)
from tests.services.factories import ListingFactory, RuleFactory

# The API mounted as the project mounts it, under a prefix of its own.
urlpatterns = [path("hsds/", include(api_hsds.urlpatterns))]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

STANDARD = HSDS
PERSON_NAMES = ("欧阳建华", "王小芳", "李四")


def _schema(name: str) -> dict:
    if name.startswith("compiled/"):
        return hsds_compiled(name.removeprefix("compiled/").removesuffix(".json"))
    return json.loads((STANDARD / name).read_text(encoding="utf-8"))


def _validator(schema: dict, registry: Registry | None = None) -> Draft202012Validator:
    # The format checker makes "format": "uuid" an actual check.
    kwargs = {"registry": registry} if registry is not None else {}
    return Draft202012Validator(
        schema, format_checker=Draft202012Validator.FORMAT_CHECKER, **kwargs
    )


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    """The compiled schemas as they are; location.json with the other schema/ files in a
    registry, under their file names, which is how its $refs ("address.json") name them."""
    registry = Registry().with_resources(
        (file.name, Resource.from_contents(_schema(f"schema/{file.name}"), DRAFT202012))
        for file in (STANDARD / "schema").glob("*.json")
        if file.name != "openapi.json"
    )
    found = {
        name: _validator(_schema(f"compiled/{name}.json"))
        for name in ("organization", "service", "service_at_location")
    }
    found["location"] = _validator(_schema("schema/location.json"), registry)
    return found


def errors(validator: Draft202012Validator, item: dict) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(item)]


def assert_valid_service(validators, item: dict) -> None:
    assert errors(validators["service"], item) == []
    for at_location in item.get("service_at_locations", []):
        assert errors(validators["service_at_location"], at_location) == []
        assert errors(validators["location"], at_location["location"]) == []


def assert_valid_organization(validators, item: dict) -> None:
    assert errors(validators["organization"], item) == []
    for place in item.get("locations", []):
        assert errors(validators["location"], place) == []
    for nested in item.get("services", []):
        assert errors(validators["service"], nested) == []


def ids_in(item) -> list[str]:
    """Every value of an "id" or "*_id" key, at any depth."""
    if isinstance(item, list):
        return [found for value in item for found in ids_in(value)]
    if isinstance(item, dict):
        own = [v for k, v in item.items() if (k == "id" or k.endswith("_id")) and v is not None]
        return own + [found for value in item.values() for found in ids_in(value)]
    return []


def services_file() -> tuple[int, str]:
    out = io.StringIO()
    return hsds.write_services(out), out.getvalue()


def organizations_file() -> tuple[int, str]:
    out = io.StringIO()
    return hsds.write_organizations(out), out.getvalue()


def publish(branch: Branch, **kwargs) -> Listing:
    listing = ListingFactory(branch=branch, **kwargs)
    listings_refresh_visibility(provider=branch.provider)
    listing.refresh_from_db()
    assert listing.is_public
    return listing


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def directory(db) -> dict:
    """Two public organisations and one under review.

    锦程 is described and graded, publishes a landline with an extension, and has a branch with
    two listings and a branch with none; 安康 has no description and only a mobile on file (not
    published); the organisation under review has a listing that was published regardless.
    """
    jincheng = ProviderFactory(
        name="锦程居家养老服务中心",
        domains=["eldercare", "domestic"],
        legal_representative="欧阳建华",
        contact_phone="028-85551234-801",
        description="为武侯区长者提供助餐、助洁服务。",
        official_grade="四星级",
        official_grade_until=dt.date(2026, 12, 31),
        credit_grade="A",
    )
    StaffMemberFactory(provider=jincheng, name="王小芳")
    LicenceFactory(provider=jincheng)
    point = BranchFactory(
        provider=jincheng,
        name="浆洗街助餐点",
        beds=30,
        staff_capacity=8,
        accessibility=["step_free", "lift"],
        opening_hours="周一至周日 08:00–20:00",
    )
    empty_branch = BranchFactory(provider=jincheng, name="玉林备用点", opening_hours="")
    meals = publish(
        point,
        title="长者助餐（午餐）",
        description="每日午餐，两荤一素。",
        price_fen=1550,
        price_unit=Listing.PriceUnit.VISIT,
        delivery_mode=Listing.DeliveryMode.AT_BRANCH,
        duration_minutes=30,
        subsidies=["advanced_age", "minimum_living"],
    )
    for weekday, start, end in ((0, 9, 12), (2, 9, 12), (4, 14, 17)):
        RuleFactory(listing=meals, weekday=weekday, start=dt.time(start), end=dt.time(end))
    cleaning = publish(
        point,
        title="上门助洁",
        category=Category.objects.get(code="elder_cleaning"),
        price_fen=8000,
        price_unit=Listing.PriceUnit.HOUR,
        delivery_mode=Listing.DeliveryMode.AT_HOME,
    )

    ankang = ProviderFactory(
        name="安康养老服务站",
        legal_representative="欧阳建华",
        contact_phone="13812345678",
        description="",
    )
    LicenceFactory(provider=ankang)
    ankang_branch = BranchFactory(provider=ankang, name="安康服务站", division_id="510104")
    free_check = publish(ankang_branch, title="免费健康咨询", price_fen=0)

    hidden = ProviderFactory(
        name="未审核养老机构", status=Provider.Status.SUBMITTED, legal_representative="李四"
    )
    LicenceFactory(provider=hidden)
    hidden_listing = ListingFactory(branch=BranchFactory(provider=hidden), title="未公开服务")
    return {
        "jincheng": jincheng,
        "point": point,
        "empty_branch": empty_branch,
        "meals": meals,
        "cleaning": cleaning,
        "ankang": ankang,
        "ankang_branch": ankang_branch,
        "free_check": free_check,
        "hidden": hidden,
        "hidden_listing": hidden_listing,
    }


# --- The release files -------------------------------------------------------------------------


def test_every_service_in_the_release_file_validates_against_the_compiled_schema(
    directory, validators
):
    count, text = services_file()
    items = json.loads(text)

    assert count == len(items) == 3
    for item in items:
        assert_valid_service(validators, item)
        assert errors(validators["organization"], item["organization"]) == []


def test_every_organization_in_the_release_file_validates_against_the_compiled_schema(
    directory, validators
):
    count, text = organizations_file()
    items = json.loads(text)

    assert count == len(items) == 2
    for item in items:
        assert_valid_organization(validators, item)
    jincheng = next(i for i in items if i["id"] == str(directory["jincheng"].pk))
    assert len(jincheng["locations"]) == 2
    assert {s["name"] for s in jincheng["services"]} == {"长者助餐（午餐）", "上门助洁"}


def test_the_directory_release_carries_both_hsds_files_past_the_personal_data_gate(
    directory, catalogue, validators
):
    """The gate scans every release file for the names the portal holds (legal
    representatives, staff): a name in HSDS would refuse the release."""
    run = publish_release(catalogue["provider-directory"])

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    files = {file.name: file for file in run.release.files.all()}
    for name, schema, count in (
        ("hsds_services.json", "service", 3),
        ("hsds_organizations.json", "organization", 2),
    ):
        assert (files[name].format, files[name].rows) == ("hsds", count)
        items = json.loads((release_path(run.release) / name).read_text(encoding="utf-8"))
        assert len(items) == count
        for item in items:
            assert errors(validators[schema], item) == []


def test_the_validators_refuse_what_hsds_does_not_allow(validators):
    """The checks above can fail: a missing required field or a non-UUID id is caught."""
    assert errors(validators["service"], {"id": str(uuid.uuid4()), "name": "x"})
    assert errors(validators["service"], {"id": "listing-1", "name": "x", "status": "active"})
    assert errors(validators["organization"], {"id": str(uuid.uuid4()), "name": "x"})
    broken_address = {"id": str(uuid.uuid4()), "address_1": "x", "city": "成都市"}
    place = {"id": str(uuid.uuid4()), "location_type": "physical", "addresses": [broken_address]}
    assert errors(validators["location"], place)


def test_an_empty_directory_writes_empty_arrays(db):
    assert services_file() == (0, "[\n]\n")
    assert organizations_file() == (0, "[\n]\n")


def test_ids_are_uuids_and_the_same_in_every_run(directory):
    first = services_file()[1] + organizations_file()[1]
    second = services_file()[1] + organizations_file()[1]

    assert first == second
    ids = ids_in(json.loads(services_file()[1])) + ids_in(json.loads(organizations_file()[1]))
    assert len(ids) > 50
    assert all(str(uuid.UUID(value)) == value for value in ids)


def test_services_and_locations_have_distinct_ids_that_lead_back_to_their_rows(directory):
    items = json.loads(services_file()[1])
    service_ids = [item["id"] for item in items]
    location_ids = {
        at["location_id"]: at["location"]["name"]
        for item in items
        for at in item["service_at_locations"]
    }

    assert len(set(service_ids)) == 3
    assert location_ids == {
        hsds.row_uuid("branch", directory["point"].pk): "浆洗街助餐点",
        hsds.row_uuid("branch", directory["ankang_branch"].pk): "安康服务站",
    }
    assert hsds.service_get(hsds.row_uuid("listing", directory["meals"].pk))["name"] == (
        "长者助餐（午餐）"
    )
    # The same number as a branch and as a listing gives two different ids.
    assert hsds.row_uuid("branch", 7) != hsds.row_uuid("listing", 7)
    assert uuid.UUID(hsds.row_uuid("listing", 7)).version == 5


def test_writing_in_batches_of_one_organisation_gives_the_same_files(directory, monkeypatch):
    services_text, organizations_text = services_file()[1], organizations_file()[1]
    monkeypatch.setattr(hsds, "BATCH", 1)

    assert services_file() == (3, services_text)
    assert organizations_file() == (2, organizations_text)


def test_a_service_carries_its_price_times_categories_and_location(directory):
    meals = hsds.service_get(hsds.row_uuid("listing", directory["meals"].pk))
    service_id = meals["id"]

    assert meals["organization_id"] == str(directory["jincheng"].pk)
    assert meals["status"] == "active"
    assert meals["description"] == "每日午餐，两荤一素。"
    assert meals["fees_description"] == "15.50 元/次；可使用：高龄津贴、低保"
    assert meals["accreditations"] == "官方评定等级：四星级（有效期至 2026-12-31）；信用等级：A"
    [cost] = meals["cost_options"]
    assert {k: cost[k] for k in ("service_id", "option", "currency", "amount")} == {
        "service_id": service_id,
        "option": "次",
        "currency": "CNY",
        "amount": 15.5,
    }
    assert cost["amount_description"] == "15.50 元/次，每次约 30 分钟"
    hours, mon_wed, fri = meals["schedules"]
    assert hours["description"] == "浆洗街助餐点营业时间：周一至周日 08:00–20:00"
    assert (mon_wed["byday"], mon_wed["opens_at"], mon_wed["closes_at"]) == (
        "MO,WE",
        "09:00+08:00",
        "12:00+08:00",
    )
    assert (fri["byday"], fri["opens_at"], fri["freq"]) == ("FR", "14:00+08:00", "WEEKLY")
    assert {s["attending_type"] for s in meals["schedules"]} == {"到店服务"}
    terms = {
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"], a["taxonomy_term"]["name"])
        for a in meals["attributes"]
    }
    assert terms == {
        ("portal-categories", "elder_meals", "助餐"),
        ("portal-domains", "eldercare", "养老"),
        ("portal-delivery-modes", "at_branch", "到店服务"),
        ("portal-subsidies", "advanced_age", "高龄津贴"),
        ("portal-subsidies", "minimum_living", "低保"),
    }
    assert {a["link_id"] for a in meals["attributes"]} == {service_id}
    [at_branch] = meals["service_at_locations"]
    assert at_branch["service_id"] == service_id
    assert at_branch["location_id"] == at_branch["location"]["id"]
    assert meals["phones"] == [
        {
            "id": meals["phones"][0]["id"],
            "service_id": service_id,
            "number": "028-85551234",
            "extension": 801,
            "type": "voice",
            "description": "机构对外联系电话",
        }
    ]


def test_a_location_has_a_chinese_address_its_hours_and_accessibility(directory):
    point = directory["point"]
    place = hsds.location_get(hsds.row_uuid("branch", point.pk))

    assert place["location_type"] == "physical"
    assert place["organization_id"] == str(directory["jincheng"].pk)
    assert (place["latitude"], place["longitude"]) == (30.642, 104.0432)
    assert place["description"] == "床位 30 张；服务人员 8 人。坐标为 GCJ-02（国测局）坐标系。"
    [address] = place["addresses"]
    assert {k: v for k, v in address.items() if k != "id"} == {
        "location_id": place["id"],
        "address_1": "武侯区浆洗街街道洗面桥横街9号",
        "city": "成都市",
        "region": "武侯区",
        "state_province": "四川省",
        "postal_code": "",
        "country": "CN",
        "address_type": "physical",
    }
    assert [a["description"] for a in place["accessibility"]] == ["无障碍通道", "电梯"]
    assert [s["description"] for s in place["schedules"]] == ["周一至周日 08:00–20:00"]
    assert (
        hsds.location_get(hsds.row_uuid("branch", directory["empty_branch"].pk))["schedules"] == []
    )


def test_an_organization_is_identified_by_its_credit_code_and_public_phone(directory):
    jincheng = directory["jincheng"]
    found = hsds.organization_get(str(jincheng.pk))

    [identifier] = found["organization_identifiers"]
    assert {k: v for k, v in identifier.items() if k != "id"} == {
        "organization_id": str(jincheng.pk),
        "identifier_scheme": "CN-USCC",
        "identifier_type": "统一社会信用代码",
        "identifier": jincheng.credit_code,
    }
    [phone] = found["phones"]
    assert (phone["number"], phone["extension"], phone["organization_id"]) == (
        "028-85551234",
        801,
        str(jincheng.pk),
    )
    assert found["description"] == "为武侯区长者提供助餐、助洁服务。"
    assert {a["taxonomy_term"]["code"] for a in found["attributes"]} == {"eldercare", "domestic"}


def test_a_mobile_number_is_never_published_and_a_missing_description_is_written(directory):
    ankang = hsds.organization_get(str(directory["ankang"].pk))
    [free_check] = ankang["services"]

    assert ankang["phones"] == []
    assert ankang["description"] == "安康养老服务站是经审核登记的养老服务机构。"
    assert free_check["description"] == "安康养老服务站提供的助餐服务。"
    assert free_check["fees_description"] == "免费"
    assert "13812345678" not in services_file()[1] + organizations_file()[1]


def test_no_person_name_appears_anywhere(directory, api_client):
    published = services_file()[1] + organizations_file()[1]
    for url in ("/hsds/services/?full=true", "/hsds/organizations/?full_service=true"):
        published += api_client.get(url).content.decode()
    published += json.dumps(hsds.location_page(per_page=100), ensure_ascii=False)

    assert "锦程居家养老服务中心" in published
    assert [name for name in PERSON_NAMES if name in published] == []


def test_organisations_not_approved_and_their_services_are_left_out(directory, api_client):
    hidden, hidden_listing = directory["hidden"], directory["hidden_listing"]
    published = services_file()[1] + organizations_file()[1]

    assert str(hidden.pk) not in published
    assert "未审核养老机构" not in published
    assert "未公开服务" not in published
    assert hsds.organization_get(str(hidden.pk)) is None
    assert hsds.service_get(hsds.row_uuid("listing", hidden_listing.pk)) is None
    assert hsds.location_get(hsds.row_uuid("branch", hidden_listing.branch_id)) is None
    assert api_client.get(f"/hsds/organizations/{hidden.pk}/").status_code == 404


def test_a_suspended_organisation_vanishes_at_once_with_its_services(directory):
    """Its listings' own public flag is refreshed later; HSDS goes by the organisation now."""
    ankang = directory["ankang"]
    Provider.objects.filter(pk=ankang.pk).update(standing=Provider.Standing.SUSPENDED)
    free_check = hsds.row_uuid("listing", directory["free_check"].pk)

    assert Listing.objects.get(pk=directory["free_check"].pk).is_public
    assert hsds.service_get(free_check) is None
    assert free_check not in [s["id"] for s in hsds.service_page(per_page=100)["contents"]]
    assert hsds.service_page()["total_items"] == 2
    assert services_file()[0] == 2


# --- The API -----------------------------------------------------------------------------------


def test_the_service_list_is_an_hsds_page_whose_contents_validate(
    directory, api_client, validators
):
    first = api_client.get("/hsds/services/", {"per_page": 2}).json()
    second = api_client.get("/hsds/services/", {"per_page": 2, "page": 2}).json()

    assert {k: v for k, v in first.items() if k != "contents"} == {
        "total_items": 3,
        "total_pages": 2,
        "page_number": 1,
        "size": 2,
        "first_page": True,
        "last_page": False,
        "empty": False,
    }
    assert (second["page_number"], second["size"], second["last_page"]) == (2, 1, True)
    contents = first["contents"] + second["contents"]
    assert len({s["id"] for s in contents}) == 3
    for item in contents:
        assert_valid_service(validators, item)
        assert "schedules" not in item  # the list shows one-to-one fields only


def test_the_full_service_list_nests_everything_and_validates(directory, api_client, validators):
    page = api_client.get("/hsds/services/", {"full": "true"}).json()

    assert page["size"] == 3
    for item in page["contents"]:
        assert_valid_service(validators, item)
        assert item["organization"]["organization_identifiers"]
        assert item["service_at_locations"]


def test_a_page_beyond_the_last_is_empty(directory, api_client):
    page = api_client.get("/hsds/services/", {"page": 9, "per_page": 2}).json()

    assert page["contents"] == []
    assert (page["empty"], page["size"], page["last_page"], page["first_page"]) == (
        True,
        0,
        True,
        False,
    )
    assert page["total_items"] == 3


def test_services_are_filtered_by_organization_search_and_taxonomy(directory, api_client):
    def names(**params) -> set[str]:
        page = api_client.get("/hsds/services/", params)
        assert page.status_code == 200, page.json()
        return {item["name"] for item in page.json()["contents"]}

    everything = {"长者助餐（午餐）", "上门助洁", "免费健康咨询"}
    assert names() == everything
    assert names(organization_id=str(directory["ankang"].pk)) == {"免费健康咨询"}
    assert names(organization_id=str(uuid.uuid4())) == set()
    assert names(search="两荤") == {"长者助餐（午餐）"}
    assert names(search="助洁") == {"上门助洁"}
    assert names(taxonomy_term_id=hsds.CATEGORIES.term_id("elder_cleaning")) == {"上门助洁"}
    assert names(taxonomy_term_id=hsds.CATEGORIES.term_id("elder_meals")) == {
        "长者助餐（午餐）",
        "免费健康咨询",
    }
    assert names(taxonomy_term_id=hsds.DELIVERY_TERMS.term_id("at_home")) == {"上门助洁"}
    assert names(taxonomy_term_id=hsds.SUBSIDY_TERMS.term_id("minimum_living")) == {
        "长者助餐（午餐）"
    }
    assert names(taxonomy_term_id=hsds.DOMAIN_TERMS.term_id("eldercare")) == everything
    assert names(taxonomy_term_id=str(uuid.uuid4())) == set()
    assert names(taxonomy_id=hsds.SUBSIDY_TERMS.id) == {"长者助餐（午餐）"}
    assert names(taxonomy_id=hsds.CATEGORIES.id) == everything
    assert names(taxonomy_id=str(uuid.uuid4())) == set()


def test_organizations_list_and_detail_validate(directory, api_client, validators):
    basic = api_client.get("/hsds/organizations/").json()
    full = api_client.get("/hsds/organizations/", {"full": "true"}).json()
    jincheng = str(directory["jincheng"].pk)
    detail = api_client.get(f"/hsds/organizations/{jincheng}/").json()
    detail_full = api_client.get(f"/hsds/organizations/{jincheng}/?full_service=true").json()

    assert basic["total_items"] == full["total_items"] == 2
    assert set(basic["contents"][0]) == {"id", "name", "description"}
    for item in basic["contents"] + full["contents"] + [detail, detail_full]:
        assert_valid_organization(validators, item)
    assert [s.get("schedules") for s in detail["services"]] == [None, None]
    assert all(s["schedules"] and "organization" not in s for s in detail_full["services"])
    found = api_client.get("/hsds/organizations/", {"search": directory["ankang"].credit_code})
    assert [o["name"] for o in found.json()["contents"]] == ["安康养老服务站"]


def test_locations_list_and_detail_validate_against_the_location_schema(
    directory, api_client, validators
):
    page = api_client.get("/hsds/locations/").json()
    of_ankang = api_client.get(
        "/hsds/locations/", {"organization_id": str(directory["ankang"].pk)}
    ).json()
    one = api_client.get(f"/hsds/locations/{page['contents'][0]['id']}/").json()

    assert page["total_items"] == 3
    assert [place["name"] for place in of_ankang["contents"]] == ["安康服务站"]
    assert of_ankang["contents"][0]["addresses"][0]["region"] == "锦江区"
    assert one == page["contents"][0]
    for place in page["contents"]:
        assert errors(validators["location"], place) == []


def test_a_service_detail_from_the_api_validates(directory, api_client, validators):
    service_id = hsds.row_uuid("listing", directory["cleaning"].pk)
    response = api_client.get(f"/hsds/services/{service_id}/")

    assert response.status_code == 200
    assert response.json()["name"] == "上门助洁"
    assert_valid_service(validators, response.json())


def _forged(value: str) -> str:
    """The same row number with a different hash part."""
    return str(uuid.UUID(int=uuid.UUID(value).int ^ (1 << 100)))


@pytest.mark.parametrize("endpoint", ["services", "organizations", "locations"])
@pytest.mark.parametrize("kind", ["unknown", "malformed", "number", "forged", "other_kind"])
def test_an_unknown_or_malformed_id_is_a_404(directory, api_client, endpoint, kind):
    listing, branch = directory["meals"].pk, directory["point"].pk
    real = {
        "services": hsds.row_uuid("listing", listing),
        "organizations": str(directory["jincheng"].pk),
        "locations": hsds.row_uuid("branch", branch),
    }[endpoint]
    wrong = {
        "unknown": str(uuid.uuid4()),
        "malformed": "not-a-uuid",
        "number": str(listing),
        "forged": _forged(real),
        "other_kind": (
            hsds.row_uuid("branch", listing)
            if endpoint == "services"
            else hsds.row_uuid("listing", branch)
        ),
    }[kind]

    assert api_client.get(f"/hsds/{endpoint}/{real}/").status_code == 200
    response = api_client.get(f"/hsds/{endpoint}/{wrong}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/hsds/services/", {"page": "0"}, "page"),
        ("/hsds/services/", {"page": "abc"}, "page"),
        ("/hsds/services/", {"per_page": "0"}, "per_page"),
        ("/hsds/services/", {"per_page": "101"}, "per_page"),
        ("/hsds/services/", {"organization_id": "nope"}, "organization_id"),
        ("/hsds/services/", {"taxonomy_term_id": "12"}, "taxonomy_term_id"),
        ("/hsds/services/", {"full": "maybe"}, "full"),
        ("/hsds/services/", {"minimal": "true"}, "minimal"),
        ("/hsds/services/", {"modified_after": "2024-01-01T00:00:00Z"}, "modified_after"),
        ("/hsds/services/", {"search": "长" * 101}, "search"),
        ("/hsds/organizations/", {"page": "-1"}, "page"),
        ("/hsds/organizations/", {"full_service": "perhaps"}, "full_service"),
        ("/hsds/locations/", {"per_page": "x"}, "per_page"),
        ("/hsds/locations/", {"organization_id": "x"}, "organization_id"),
        ("/hsds/locations/", {"format": "ndjson"}, "format"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(directory, api_client, url, params, field):
    response = api_client.get(url, params)

    assert response.status_code == 400
    body = response.json()
    assert list(body["fields"]) == [field]
    assert body["detail"]
    assert body["code"]


def test_a_bad_parameter_on_an_organization_detail_is_a_400(directory, api_client):
    url = f"/hsds/organizations/{directory['jincheng'].pk}/"

    assert api_client.get(url, {"full_service": "maybe"}).status_code == 400
    assert api_client.get(url, {"full_service": "false"}).status_code == 200
    assert api_client.get(url, {"format": "json"}).status_code == 200
    assert api_client.get(url, {"format": "ndjson"}).status_code == 400


def test_the_api_needs_no_login_and_ignores_credentials(directory, api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api_client.get("/hsds/services/").status_code == 200


def test_the_api_is_rate_limited_per_client(directory, api_client, monkeypatch):
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "open": "2/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)

    statuses = [api_client.get("/hsds/locations/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_query_counts_do_not_grow_with_the_page(directory, api_client):
    def counts() -> list[int]:
        found = []
        for url in (
            "/hsds/services/?full=true&per_page=100",
            "/hsds/organizations/?full_service=true&per_page=100",
            "/hsds/locations/?per_page=100",
            f"/hsds/services/{hsds.row_uuid('listing', directory['meals'].pk)}/",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert api_client.get(url).status_code == 200
            found.append(len(queries))
            cache.clear()
        return found

    before = counts()
    for n in range(5):
        branch = BranchFactory(provider=directory["ankang"], name=f"新网点{n}")
        RuleFactory(listing=publish(branch, title=f"新服务{n}"), weekday=n)

    assert before == [6, 6, 3, 5]
    assert counts() == before


def test_the_openapi_schema_of_the_hsds_api_has_no_warnings(tmp_path):
    """`spectacular --validate --fail-on-warn` over these views alone (mounted as above)."""
    out = tmp_path / "schema.yaml"
    GENERATOR_STATS.reset()  # warnings of schemas generated earlier in the session are not ours
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--urlconf", __name__, "--file", str(out)
    )

    paths = yaml.safe_load(out.read_text(encoding="utf-8"))["paths"]
    assert sorted(paths) == [
        f"/hsds/{endpoint}/{suffix}"
        for endpoint in ("locations", "organizations", "services")
        for suffix in ("", "{id}/")
    ]
    for url, operations in paths.items():
        operation = operations["get"]
        assert operation["tags"] == ["open-data: HSDS"]
        assert operation["summary"]
        in_path = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
        assert in_path == (["id"] if "{id}" in url else [])
    listed = {p["name"] for p in paths["/hsds/services/"]["get"]["parameters"]}
    assert {"page", "per_page", "search", "organization_id", "taxonomy_term_id", "full"} <= listed
