"""Credit through the test clients: the public lists, exposures and credit section; the
officials' credit desk (read by any official covering the organisation, written by 民政 only,
404 outside the jurisdiction); the API's public reads and officials' writes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from socialorgs.models import OrgListEntry, Penalty, SocialOrganisation
from socialorgs.selectors.credit import public_credit_profile
from socialorgs.services import credit as services
from tests.socialorgs.factories_credit import (
    JINJIANG,
    civil_official,
    health_official,
    listed,
    org_with_staff,
    penalty,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def official():
    return civil_official()


@pytest.fixture
def staffed():
    return org_with_staff(name="武侯区阳光社会工作服务中心")


@pytest.fixture
def org(staffed):
    return staffed[0]


def desk(org) -> str:
    return reverse("socialorgs:credit-desk", kwargs={"credit_code": org.credit_code})


PENALTY_FORM = {
    "action": "penalty",
    "decision_number": "武民罚〔2026〕21号",
    "kind": "fine",
    "facts": "超出章程规定的业务范围开展活动。",
    "basis": "《社会组织登记管理条例》第三十条",
    "amount_yuan": "3000",
    "decided_on": "2026-03-10",
    "decided_by": "成都市武侯区民政局",
}


# --- The public ---------------------------------------------------------------------------------


def test_the_public_credit_section_shows_penalties_lists_licences_and_events(official, org):
    penalty(official, org, number="武民罚〔2026〕5号", kind="fine", amount_yuan="2500.5")
    listed(official, org, list="abnormal")

    html = render_to_string(
        "socialorgs/credit/_public_profile.html", {"credit": public_credit_profile(org)}
    )

    assert "武民罚〔2026〕5号" in html
    assert "罚款" in html
    assert "2,500.50" in html
    assert "《社会组织登记管理条例》第三十条" in html
    assert "未按规定报送年度工作报告" in html
    assert "活动异常名录" in html
    assert "-15" in html
    assert "-10" in html
    # 100 − 10 − 15 = 75 → C
    assert ">C<" in html
    assert reverse("socialorgs:complain", kwargs={"credit_code": org.credit_code}) in html
    # The facts of a penalty may name people: not on the public section.
    assert "未按规定办理变更登记" not in html


def test_the_profile_counts_only_the_last_three_years(official, org):
    old = penalty(official, org, number="武民罚〔2022〕1号", decided_on=dt.date(2023, 3, 15))
    recent = penalty(official, org, number="武民罚〔2026〕1号", decided_on=dt.date(2026, 3, 1))

    profile = public_credit_profile(org)

    assert [event.source for event in profile["events"]] == [f"penalty:{recent.pk}"]
    assert {p.pk for p in profile["penalties"]} == {old.pk, recent.pk}


def test_the_lists_page_shows_the_entries_in_force(client, official, org):
    other = org_with_staff(name="青羊区某某促进会")[0]
    listed(official, org, list="abnormal")
    entry = listed(official, other, list="serious")
    services.list_remove(actor=official, entry=entry, reason="已整改")

    abnormal = client.get(reverse("socialorgs:lists")).content.decode()
    serious = client.get(reverse("socialorgs:lists") + "?list=serious").content.decode()

    assert org.name in abnormal
    assert org.credit_code in abnormal
    assert other.name not in serious


def test_the_illegal_page_lists_exposures_and_links_the_report(client, official):
    services.illegal_org_expose(
        actor=official,
        name="中华国学复兴促进总会",
        description="非法发展会员。",
        division="510107",
        basis="《取缔非法民间组织暂行办法》",
        exposed_on=TODAY,
    )

    html = client.get(reverse("socialorgs:illegal")).content.decode()

    assert "中华国学复兴促进总会" in html
    assert reverse("socialorgs:report-illegal") in html


# --- The officials' desk --------------------------------------------------------------------


def test_the_desk_records_a_penalty(client, official, org):
    client.force_login(official)
    page = client.get(desk(org))
    assert page.status_code == 200
    assert 'name="decision_number"' in page.content.decode()

    response = client.post(desk(org), PENALTY_FORM)

    assert response.status_code == 302
    record = Penalty.objects.get()
    assert record.amount_fen == 300_000
    assert record.recorded_by == official
    org.refresh_from_db()
    assert org.credit_score == 90


def test_the_desk_shows_bad_input_on_the_form(client, official, org):
    client.force_login(official)

    response = client.post(desk(org), {**PENALTY_FORM, "kind": "warning"})

    assert response.status_code == 400
    assert "amount_yuan" in response.context["forms"]["penalty"].errors
    assert not Penalty.objects.exists()


def test_the_desk_lists_and_removes_an_entry(client, official, org):
    client.force_login(official)
    client.post(
        desk(org),
        {
            "action": "list",
            "list": "serious",
            "reason": "弄虚作假骗取登记",
            "basis": "《社会组织信用信息管理办法》第十五条",
            "starts_on": "2026-03-16",
        },
    )
    entry = OrgListEntry.objects.get()
    org.refresh_from_db()
    assert org.standing == SocialOrganisation.Standing.SERIOUS

    url = reverse("socialorgs:credit-list-remove", kwargs={"pk": entry.pk})
    assert client.post(url, {"reason": ""}).status_code == 302
    entry.refresh_from_db()
    assert entry.removed_at is None  # no reason, nothing removed
    client.post(url, {"reason": "行政复议撤销原决定"})
    org.refresh_from_db()
    assert org.standing == SocialOrganisation.Standing.NORMAL


def test_an_official_of_another_department_reads_the_desk_but_does_not_act(client, org):
    reader = health_official()
    client.force_login(reader)

    page = client.get(desk(org))
    assert page.status_code == 200
    assert 'name="decision_number"' not in page.content.decode()
    assert client.post(desk(org), PENALTY_FORM).status_code == 403
    assert not Penalty.objects.exists()


def test_the_desk_does_not_exist_outside_the_jurisdiction(client, org, official):
    client.force_login(civil_official(JINJIANG))
    assert client.get(desk(org)).status_code == 404
    assert client.post(desk(org), PENALTY_FORM).status_code == 404
    entry = listed(official, org)
    url = reverse("socialorgs:credit-list-remove", kwargs={"pk": entry.pk})
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_org_staff_cannot_reach_the_desk(client, staffed):
    org, owner, _manager, _member = staffed
    client.force_login(owner)
    assert client.get(desk(org)).status_code == 403
    assert client.post(desk(org), PENALTY_FORM).status_code == 403
    assert not Penalty.objects.exists()


def test_the_credit_home_lists_the_jurisdictions_organisations(client, official, org):
    elsewhere = org_with_staff(division=JINJIANG, name="锦江区某某服务中心")[0]
    client.force_login(official)

    html = client.get(reverse("socialorgs:credit-home")).content.decode()

    assert org.name in html
    assert elsewhere.name not in html


def test_the_exposure_form(client, official):
    client.force_login(official)
    url = reverse("socialorgs:illegal-manage")
    assert client.get(url).status_code == 200

    bad = client.post(url, {"name": "", "division": "510107"})
    assert bad.status_code == 400

    client.post(
        url,
        {
            "name": "某某国际慈善总会",
            "division": "510107",
            "description": "未经登记开展募捐。",
            "basis": "《慈善法》第一百零一条",
            "exposed_on": "2026-03-16",
        },
    )
    html = client.get(reverse("socialorgs:illegal")).content.decode()
    assert "某某国际慈善总会" in html


# --- API ----------------------------------------------------------------------------------------


def api_penalties(org) -> str:
    return reverse("api-socialorg-penalties", kwargs={"credit_code": org.credit_code})


PENALTY_JSON = {k: v for k, v in PENALTY_FORM.items() if k != "action"}


def test_the_api_records_a_penalty_once(api_client, official, org):
    api_client.force_authenticate(official)

    first = api_client.post(api_penalties(org), PENALTY_JSON, format="json")
    again = api_client.post(api_penalties(org), PENALTY_JSON, format="json")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["amount_yuan"] == "3,000.00"
    assert Penalty.objects.count() == 1


def test_the_api_gives_field_errors(api_client, official, org):
    api_client.force_authenticate(official)

    shape = api_client.post(api_penalties(org), {"kind": "x"}, format="json")
    rule = api_client.post(api_penalties(org), {**PENALTY_JSON, "kind": "warning"}, format="json")

    assert shape.status_code == 400
    assert {"kind", "decision_number", "facts"} <= set(shape.json()["fields"])
    assert rule.status_code == 400
    assert set(rule.json()["fields"]) == {"amount_yuan"}
    assert not Penalty.objects.exists()


def test_the_api_refuses_before_reading_the_input(api_client, staffed):
    org, owner, _manager, _member = staffed
    url = api_penalties(org)
    assert api_client.post(url, {}, format="json").status_code == 401
    api_client.force_authenticate(owner)
    assert api_client.post(url, {}, format="json").status_code == 403
    api_client.force_authenticate(health_official())
    assert api_client.post(url, {}, format="json").status_code == 403
    api_client.force_authenticate(civil_official(JINJIANG))
    assert api_client.post(url, {}, format="json").status_code == 404


def test_the_api_lists_entries_and_removes_them(api_client, official, org):
    api_client.force_authenticate(official)
    url = reverse("api-socialorg-list-entries", kwargs={"credit_code": org.credit_code})
    body = {
        "list": "abnormal",
        "reason": "无法取得联系",
        "basis": "第十一条",
        "starts_on": "2026-03-16",
    }

    created = api_client.post(url, body, format="json")
    conflict = api_client.post(url, body, format="json")

    assert created.status_code == 201
    assert created.json()["standing"] == "abnormal"
    assert conflict.status_code == 409
    public = api_client.get(reverse("api-socialorg-credit-lists"), {"list": "abnormal"}).json()
    assert [row["credit_code"] for row in public] == [org.credit_code]

    remove = reverse("api-socialorg-list-entry-remove", kwargs={"pk": created.json()["id"]})
    removed = api_client.post(remove, {"reason": "已恢复联系"}, format="json")
    assert removed.status_code == 200
    assert removed.json()["standing"] == "normal"
    assert api_client.post(remove, {"reason": "再次"}, format="json").status_code == 409


def test_the_api_records_licences_and_exposures(api_client, official, org):
    api_client.force_authenticate(official)
    licence = api_client.post(
        reverse("api-socialorg-licences", kwargs={"credit_code": org.credit_code}),
        {
            "name": "公开募捐资格",
            "number": "武民许1号",
            "issued_by": "武侯区民政局",
            "issued_on": "2026-03-01",
        },
        format="json",
    )
    exposure = api_client.post(
        reverse("api-socialorg-illegal"),
        {
            "name": "某某研究总会",
            "description": "非法敛财。",
            "division": "510107",
            "basis": "暂行办法",
            "exposed_on": "2026-03-16",
        },
        format="json",
    )
    assert licence.status_code == 201
    assert exposure.status_code == 201
    status_url = reverse("api-socialorg-illegal-status", kwargs={"pk": exposure.json()["id"]})
    banned = api_client.post(status_url, {"status": "banned"}, format="json")
    assert banned.status_code == 200
    assert banned.json()["status"] == "banned"

    api_client.force_authenticate(None)
    public = api_client.get(reverse("api-socialorg-illegal"), {"division": "5101"}).json()
    assert [row["name"] for row in public] == ["某某研究总会"]
    assert api_client.post(status_url, {"status": "withdrawn"}, format="json").status_code == 401
