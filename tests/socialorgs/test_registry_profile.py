"""The one-page profile (一网通查): basic information with the legal representative masked for
everyone (never the full name), annual-report results with finance totals (drafts private),
the grade and its validity (an expired one shown as 已过期), credit; the official's page
shows the name masked and reveals it only on an audit-logged POST."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from socialorgs.models import OrgMembership
from socialorgs.services.evaluation import add_years
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import socialorg
from tests.socialorgs.factories_registry import civil_affairs_official, evaluation, report

pytestmark = pytest.mark.django_db
FULL_NAME = "欧阳明远"


@pytest.fixture
def owner():
    return UserFactory(name="钱多多")


@pytest.fixture
def org(owner):
    org = socialorg(owner, legal_rep_name=FULL_NAME, name="武侯区阳光社会工作服务中心")
    report(org, 2022, status="reviewed", result="qualified", income_fen=12_345_600)
    report(org, 2023, status="draft", income_fen=99_999_900, activities="草稿里的秘密")
    return org


def page(client, org):
    return client.get(reverse("socialorgs:detail", args=[org.credit_code]))


@pytest.mark.parametrize("who", ["anonymous", "resident", "owner", "official"])
def test_the_profile_shows_the_legal_rep_masked_and_never_in_full(client, org, owner, who):
    viewer = {
        "anonymous": None,
        "resident": UserFactory(),
        "owner": owner,
        "official": civil_affairs_official(),
    }[who]
    if viewer is not None:
        client.force_login(viewer)
    response = page(client, org)
    body = response.content.decode()
    assert response.status_code == 200
    assert "欧**远" in body
    assert FULL_NAME not in body


def test_the_profile_shows_handed_in_reports_with_their_totals_and_hides_drafts(client, org):
    body = page(client, org).content.decode()
    assert "2022" in body
    assert "123456.00" in body
    assert "合格" in body
    assert "99999900" not in body
    assert "999999.00" not in body
    assert "草稿里的秘密" not in body


def test_a_valid_grade_shows_its_validity_and_an_expired_one_is_marked(client, org):
    today = timezone.localdate()
    graded = evaluation(org, grade=5, awarded_on=today - dt.timedelta(days=10))
    body = page(client, org).content.decode()
    assert "5A" in body
    assert f"有效期至 {graded.valid_until:%Y-%m-%d}" in body
    assert "已过期" not in body

    graded.delete()
    evaluation(org, grade=4, awarded_on=add_years(today, -5) - dt.timedelta(days=1))
    body = page(client, org).content.decode()
    assert "已过期" in body
    assert "目前没有有效的评估等级" in body


def test_an_unknown_code_is_not_found(client):
    assert client.get("/socialorgs/org/52510107MJ000000XX/").status_code == 404


def test_the_api_profile_carries_reports_grade_and_credit(api_client, org):
    evaluation(org, grade=3, awarded_on=timezone.localdate() - dt.timedelta(days=1))
    response = api_client.get(f"/api/v1/socialorgs/orgs/{org.credit_code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["organisation"]["legal_rep_masked"] == "欧**远"
    assert FULL_NAME not in response.content.decode()
    assert [(r["year"], r["result"], r["income_fen"]) for r in body["reports"]] == [
        (2022, "qualified", 12_345_600)
    ]
    assert body["grade"]["grade"] == 3
    assert body["grade"]["current"] is True
    assert body["credit"]["grade"] == "A"


def test_the_officials_page_masks_the_name_until_an_audited_post(client, org):
    official = civil_affairs_official()
    client.force_login(official)
    body = client.get(reverse("socialorgs:official-org", args=[org.credit_code])).content.decode()
    assert "欧**远" in body
    assert FULL_NAME not in body

    url = reverse("socialorgs:official-legal-rep", args=[org.credit_code])
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert FULL_NAME in response.content.decode()
    entry = AuditEntry.objects.get(action="personal_data.read", actor=official)
    assert entry.detail == {"fields": ["legal_representative"], "purpose": "socialorg_registry"}
    assert entry.target_id == str(org.pk)


def test_the_reveal_is_for_civil_affairs_covering_the_organisation(client, org):
    url = reverse("socialorgs:official-legal-rep", args=[org.credit_code])
    client.force_login(civil_affairs_official("510104"))
    assert client.post(url).status_code == 404
    client.force_login(OfficialFactory(department="health"))  # covers 武侯区, not 民政
    assert client.post(url).status_code == 403
    client.force_login(UserFactory())
    assert client.post(url).status_code == 403
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


def test_members_see_the_link_to_their_organisation_page(client, org, owner):
    client.force_login(owner)
    body = page(client, org).content.decode()
    assert reverse("socialorgs:mine-org", args=[org.credit_code]) in body
    OrgMembership.objects.filter(user=owner).delete()
    body = page(client, org).content.decode()
    assert reverse("socialorgs:mine-org", args=[org.credit_code]) not in body


def test_the_profile_links_the_organisations_projects(client, org):
    from socialorgs.models import FundraisingProject, SocialWorkProject

    active = SocialWorkProject.objects.create(
        organisation=org,
        title="困境儿童陪伴计划",
        target_group="children",
        division_id="510107",
        address="浆洗街社区服务站",
        latitude="30.640000",
        longitude="104.040000",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2030, 12, 31),
        funding="self",
        status="active",
    )
    SocialWorkProject.objects.create(
        organisation=org,
        title="未发布的草稿项目",
        target_group="elderly",
        division_id="510107",
        address="x",
        latitude="30.640000",
        longitude="104.040000",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2030, 12, 31),
        funding="self",
    )
    fund = FundraisingProject.objects.create(
        organisation=org,
        filing_number="53510107MJ0000001A-2025-001",
        title="助学圆梦",
        purpose="资助困难学生",
        beneficiary_group="困难学生",
        target_fen=1_000_000,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2030, 12, 31),
    )
    body = page(client, org).content.decode()
    assert "困境儿童陪伴计划" in body
    assert reverse("socialorgs:project-detail", kwargs={"pk": active.pk}) in body
    assert "未发布的草稿项目" not in body
    assert "助学圆梦" in body
    assert (
        reverse("socialorgs:charity-project", kwargs={"filing_number": fund.filing_number}) in body
    )
