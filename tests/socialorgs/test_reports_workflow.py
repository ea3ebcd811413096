"""Annual reports: the organisation saves a draft and submits it; the supervising official
concludes 合格/基本合格/不合格 (不合格 is a credit event) or returns it, after which it is
changed and submitted again. Permissions and bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import Notification
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import AnnualReport, OrgCreditEvent, OrgMembership
from socialorgs.services.reports import (
    annual_report_return,
    annual_report_review,
    annual_report_save,
)
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import socialorg
from tests.socialorgs.factories_registry import civil_affairs_official

pytestmark = pytest.mark.django_db
LAST_YEAR = timezone.localdate().year - 1
DATA = {
    "activities": "全年开展社区矫正帮扶 120 人次，青少年暑期课堂 30 场。",
    "income": "523400.50",
    "expenditure": "498000",
    "net_assets": "210000.00",
    "staff_count": "12",
    "volunteer_count": 85,
}


@pytest.fixture
def owner():
    return UserFactory()


@pytest.fixture
def org(owner):
    return socialorg(owner, founded_on=dt.date(2018, 3, 1))


@pytest.fixture
def official():
    return civil_affairs_official()


def submit(org, actor, **extra):
    return annual_report_save(
        organisation=org, actor=actor, year=LAST_YEAR, data={**DATA, **extra}, submit=True
    )


def refused(call, **kwargs) -> SocialOrgError:
    with pytest.raises(SocialOrgError) as caught:
        call(**kwargs)
    return caught.value


def test_a_draft_is_saved_then_submitted_in_fen(org, owner):
    draft = annual_report_save(organisation=org, actor=owner, year=LAST_YEAR, data=DATA)
    assert draft.status == AnnualReport.Status.DRAFT
    assert draft.income_fen == 52_340_050
    assert (draft.staff_count, draft.volunteer_count) == (12, 85)
    report = annual_report_save(organisation=org, actor=owner, year=LAST_YEAR, data={}, submit=True)
    assert report.pk == draft.pk
    assert report.status == AnnualReport.Status.SUBMITTED
    assert report.submitted_by == owner
    assert report.submitted_at is not None


def test_a_manager_files_a_member_may_not(org):
    manager, member = UserFactory(), UserFactory()
    OrgMembership.objects.create(organisation=org, user=manager, role="manager")
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    assert submit(org, manager).status == "submitted"
    assert isinstance(refused(submit, org=org, actor=member), NotAllowed)


def test_another_organisations_owner_may_not_file(org):
    stranger = UserFactory()
    socialorg(stranger)
    assert isinstance(refused(submit, org=org, actor=stranger), NotAllowed)


def test_review_qualified_tells_the_accounts(org, owner, official):
    report = submit(org, owner)
    report = annual_report_review(report=report, official=official, result="qualified")
    assert (report.status, report.result) == ("reviewed", "qualified")
    assert report.reviewed_by == official
    assert Notification.objects.filter(recipient=owner, kind="socialorg_report").exists()
    assert not OrgCreditEvent.objects.exists()
    # A reviewed report is closed.
    again = refused(submit, org=org, actor=owner)
    assert isinstance(again, SocialOrgConflict)
    twice = refused(annual_report_review, report=report, official=official, result="qualified")
    assert isinstance(twice, SocialOrgConflict)


def test_unqualified_needs_a_comment_and_records_a_credit_event(org, owner, official):
    report = submit(org, owner)
    error = refused(annual_report_review, report=report, official=official, result="unqualified")
    assert error.field == "comment"
    annual_report_review(
        report=report, official=official, result="unqualified", comment="财务数据与审计报告不符"
    )
    event = OrgCreditEvent.objects.get(organisation=org)
    assert event.kind == OrgCreditEvent.Kind.REPORT_UNQUALIFIED
    assert event.source == f"report-unqualified:{LAST_YEAR}"
    assert event.points < 0
    org.refresh_from_db()
    assert org.credit_score == 100 + event.points


def test_a_returned_report_is_changed_and_submitted_again(org, owner, official):
    report = submit(org, owner)
    error = refused(annual_report_return, report=report, official=official, comment="")
    assert error.field == "comment"
    report = annual_report_return(report=report, official=official, comment="请补充志愿者人数说明")
    assert report.status == AnnualReport.Status.RETURNED
    # While returned it cannot be reviewed...
    assert isinstance(
        refused(annual_report_review, report=report, official=official, result="qualified"),
        SocialOrgConflict,
    )
    # ...the organisation changes and resubmits it.
    report = annual_report_save(
        organisation=org, actor=owner, year=LAST_YEAR, data={"volunteer_count": 90}, submit=True
    )
    assert (report.status, report.volunteer_count) == ("submitted", 90)
    report = annual_report_review(
        report=report, official=official, result="basically", comment="ok"
    )
    assert report.result == "basically"


def test_a_submitted_report_cannot_be_changed_until_returned(org, owner):
    submit(org, owner)
    error = refused(
        annual_report_save, organisation=org, actor=owner, year=LAST_YEAR, data={"income": "1"}
    )
    assert isinstance(error, SocialOrgConflict)
    assert AnnualReport.objects.get().income_fen == 52_340_050


def test_only_civil_affairs_covering_the_organisation_reviews(org, owner):
    report = submit(org, owner)
    for outsider in (civil_affairs_official("510104"), OfficialFactory(department="health"), owner):
        error = refused(annual_report_review, report=report, official=outsider, result="qualified")
        assert isinstance(error, NotAllowed)
    city = civil_affairs_official("510100")
    assert annual_report_review(report=report, official=city, result="qualified").result


@pytest.mark.parametrize(
    ("year", "words"),
    [
        (timezone.localdate().year, "已结束的年度"),
        (timezone.localdate().year + 3, "已结束的年度"),
        (2017, "成立于 2018 年"),
        ("二〇二三", "请输入年度"),
    ],
)
def test_the_year_has_ended_and_follows_the_founding(org, owner, year, words):
    error = refused(annual_report_save, organisation=org, actor=owner, year=year, data=DATA)
    assert error.field == "year"
    assert words in error.message


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("income", "-1", "负数"),
        ("expenditure", "12.345", "两位小数"),
        ("net_assets", "100000000001", "不能超过"),
        ("income", "很多", "金额"),
        ("staff_count", "-3", "负数"),
        ("staff_count", "2.5", "整数"),
        ("volunteer_count", 10**8, "不能超过"),
        ("activities", "字" * 5001, "最多 5000"),
    ],
)
def test_bad_figures_are_refused_in_chinese(org, owner, field, value, words):
    error = refused(
        annual_report_save,
        organisation=org,
        actor=owner,
        year=LAST_YEAR,
        data={**DATA, field: value},
    )
    assert error.field == field
    assert words in error.message
    assert not AnnualReport.objects.exists()


def test_submission_needs_the_activities(org, owner):
    error = refused(submit, org=org, actor=owner, activities="  ")
    assert error.field == "activities"
    assert not AnnualReport.objects.filter(status="submitted").exists()


def test_a_revoked_organisation_files_no_report(org, owner):
    org.status, org.status_changed_on = "revoked", dt.date(2024, 1, 1)
    org.save()
    assert isinstance(refused(submit, org=org, actor=owner), SocialOrgConflict)


# --- The API --------------------------------------------------------------------------------------


def test_the_api_workflow(api_client, org, owner, official):
    url = f"/api/v1/socialorgs/orgs/{org.credit_code}/reports/"
    api_client.force_authenticate(owner)
    response = api_client.post(url, {"year": LAST_YEAR, **DATA, "submit": True}, format="json")
    assert response.status_code == 200, response.json()
    report_id = response.json()["id"]
    assert response.json()["income_fen"] == 52_340_050
    changed = api_client.post(url, {"year": LAST_YEAR, "income": "5"}, format="json")
    assert changed.status_code == 409  # submitted: waiting for review
    bad = api_client.post(url, {"year": LAST_YEAR, "income": "-5"}, format="json")
    assert bad.status_code == 400
    assert "负数" in bad.json()["fields"]["income"][0]

    review = f"/api/v1/socialorgs/reports/{report_id}/review/"
    assert api_client.post(review, {"decision": "qualified"}, format="json").status_code == 403
    api_client.force_authenticate(civil_affairs_official("510104"))
    assert api_client.post(review, {"decision": "qualified"}, format="json").status_code == 404
    api_client.force_authenticate(official)
    response = api_client.post(review, {"decision": "return", "comment": ""}, format="json")
    assert response.status_code == 400
    assert "退回修改" in response.json()["fields"]["comment"][0]
    response = api_client.post(review, {"decision": "return", "comment": "补充"}, format="json")
    assert response.json()["status"] == "returned"
    assert api_client.get(url).json()[0]["status"] == "returned"


def test_the_api_keeps_reports_from_strangers(api_client, org):
    url = f"/api/v1/socialorgs/orgs/{org.credit_code}/reports/"
    api_client.force_authenticate(UserFactory())
    assert api_client.get(url).status_code == 404
    assert api_client.post(url, {"year": LAST_YEAR}, format="json").status_code == 404
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    api_client.force_authenticate(member)
    assert api_client.get(url).status_code == 200
    assert api_client.post(url, {"year": LAST_YEAR}, format="json").status_code == 403


# --- Pages ----------------------------------------------------------------------------------------


def test_the_report_page_saves_submits_and_shows_errors(client, org, owner):
    client.force_login(owner)
    url = reverse("socialorgs:mine-report", args=[org.credit_code, LAST_YEAR])
    assert client.get(url).status_code == 200
    response = client.post(url, {**DATA, "income": "-1", "action": "save"})
    assert response.status_code == 400
    assert "金额不能为负数" in response.content.decode()
    client.post(url, {**DATA, "action": "submit"})
    assert AnnualReport.objects.get().status == "submitted"
    # Submitted: the page shows it, without a form.
    body = client.get(url).content.decode()
    assert "523400.50" in body
    assert 'name="action"' not in body


def test_the_review_page(client, org, owner, official):
    report = submit(org, owner)
    client.force_login(official)
    queue = client.get(reverse("socialorgs:official-reports")).content.decode()
    assert org.name in queue
    url = reverse("socialorgs:official-report", args=[report.pk])
    response = client.post(url, {"decision": "unqualified", "comment": ""})
    assert response.status_code == 400
    assert "请填写审核意见" in response.content.decode()
    response = client.post(url, {"decision": "qualified"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.result == "qualified"


def test_pages_of_another_organisation_or_a_future_year_are_not_found(client, org, owner):
    client.force_login(UserFactory())
    assert client.get(reverse("socialorgs:mine-org", args=[org.credit_code])).status_code == 404
    client.force_login(owner)
    future = reverse("socialorgs:mine-report", args=[org.credit_code, LAST_YEAR + 2])
    assert client.get(future).status_code == 404
    client.force_login(civil_affairs_official())
    assert client.get(reverse("socialorgs:mine")).status_code == 403
