"""一网通查: Chinese words and pinyin (full and initials), an exact credit code, filters by kind,
domain, jurisdiction, current grade, status and standing; the page (with and without htmx)
and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from socialorgs.models import SocialOrganisation
from socialorgs.selectors.registry import org_search
from socialorgs.services.evaluation import add_years
from tests.socialorgs.factories_registry import evaluation, indexed_org

pytestmark = pytest.mark.django_db
URL = "/api/v1/socialorgs/orgs/"


@pytest.fixture
def orgs():
    today = timezone.localdate()
    sunshine = indexed_org(
        name="成都市武侯区阳光社会工作服务中心", division_id="510107", domain="social_work"
    )
    elder = indexed_org(
        name="锦江区夕阳红养老服务协会",
        kind=SocialOrganisation.Kind.ASSOCIATION,
        division_id="510104",
        domain="eldercare",
        business_scope="居家养老、助餐助浴",
    )
    fund = indexed_org(
        name="成都市慈善基金会",
        kind=SocialOrganisation.Kind.FOUNDATION,
        division_id="510100",
        domain="charity",
        status=SocialOrganisation.Status.REVOKED,
        status_changed_on=dt.date(2024, 1, 1),
        standing=SocialOrganisation.Standing.SERIOUS,
    )
    evaluation(sunshine, grade=5, awarded_on=today - dt.timedelta(days=30))
    # 夕阳红's 4A has expired: it matches no grade filter.
    evaluation(elder, grade=4, awarded_on=add_years(today, -5) - dt.timedelta(days=1))
    return {"sunshine": sunshine, "elder": elder, "fund": fund}


def names(queryset) -> set[str]:
    return {o.name for o in queryset}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("社会工作", {"成都市武侯区阳光社会工作服务中心"}),
        ("shehuigongzuo", {"成都市武侯区阳光社会工作服务中心"}),
        ("shgz", {"成都市武侯区阳光社会工作服务中心"}),
        ("yangguang", {"成都市武侯区阳光社会工作服务中心"}),
        ("xiyanghong", {"锦江区夕阳红养老服务协会"}),
        ("xyh", {"锦江区夕阳红养老服务协会"}),
        ("助餐", {"锦江区夕阳红养老服务协会"}),  # the business scope
        ("基金会", {"成都市慈善基金会"}),
        ("cishan", {"成都市慈善基金会"}),
        ("火星", set()),
    ],
)
def test_the_text_finds_names_in_chinese_and_pinyin(orgs, text, expected):
    assert names(org_search(text=text)) == expected


def test_the_name_ranks_above_the_business_scope(orgs):
    scope_only = indexed_org(name="青羊区邻里互助中心", business_scope="夕阳红活动室")
    found = list(org_search(text="夕阳红"))
    assert found[0] == orgs["elder"]
    assert scope_only in found


def test_a_whole_credit_code_finds_that_organisation_in_any_case(orgs):
    code = orgs["elder"].credit_code
    assert list(org_search(text=code)) == [orgs["elder"]]
    assert list(org_search(text=f" {code.lower()} ")) == [orgs["elder"]]
    assert list(org_search(code=code)) == [orgs["elder"]]
    assert not org_search(code=code[:10]).exists()


def test_the_filters(orgs):
    assert names(org_search(kind="association")) == {"锦江区夕阳红养老服务协会"}
    assert names(org_search(domain="social_work")) == {"成都市武侯区阳光社会工作服务中心"}
    # A division is a jurisdiction: the city contains its districts.
    assert names(org_search(division="510100")) == names(SocialOrganisation.objects.all())
    assert names(org_search(division="510107")) == {"成都市武侯区阳光社会工作服务中心"}
    assert names(org_search(status="revoked")) == {"成都市慈善基金会"}
    assert names(org_search(standing="serious")) == {"成都市慈善基金会"}


def test_the_grade_filter_reads_only_current_grades(orgs):
    assert names(org_search(grade=5)) == {"成都市武侯区阳光社会工作服务中心"}
    assert not org_search(grade=4).exists()  # 夕阳红's 4A expired yesterday


def test_the_api_searches_with_the_same_filters(api_client, orgs):
    response = api_client.get(URL, {"q": "shgz"})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["name"] == "成都市武侯区阳光社会工作服务中心"
    assert result["current_grade"] == 5
    elder = api_client.get(URL, {"q": "xyh"}).json()["results"][0]
    assert elder["current_grade"] is None
    response = api_client.get(URL, {"division": "510104", "kind": "association"})
    assert [r["name"] for r in response.json()["results"]] == ["锦江区夕阳红养老服务协会"]


@pytest.mark.parametrize(
    "query", [{"grade": "6"}, {"division": "51a"}, {"kind": "company"}, {"status": "lost"}]
)
def test_the_api_refuses_bad_filters_with_field_errors(api_client, query):
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(query)


def test_the_api_list_query_count_does_not_grow_with_the_results(api_client, orgs):
    with CaptureQueriesContext(connection) as few:
        api_client.get(URL)
    for n in range(5):
        indexed_org(name=f"测试社会组织{n}")
    with CaptureQueriesContext(connection) as many:
        response = api_client.get(URL)
    assert response.json()["count"] == 8
    assert len(many) == len(few)


def test_the_page_searches_without_javascript(client, orgs):
    response = client.get(reverse("socialorgs:search"), {"q": "shgz"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" in body
    assert "成都市武侯区阳光社会工作服务中心" in body
    assert "夕阳红" not in body
    assert reverse("socialorgs:detail", args=[orgs["sunshine"].credit_code]) in body


def test_htmx_gets_only_the_results(client, orgs):
    response = client.get(reverse("socialorgs:search"), {"q": "xyh"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "锦江区夕阳红养老服务协会" in body
    assert "<html" not in body


def test_a_bad_filter_on_the_page_is_explained(client, orgs):
    response = client.get(reverse("socialorgs:search"), {"grade": "9"})
    assert response.status_code == 200
    assert "评估等级" in response.content.decode()
    assert "成都市武侯区阳光社会工作服务中心" not in response.content.decode()
