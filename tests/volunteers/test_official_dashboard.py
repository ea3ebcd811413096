"""The officials' dashboard of volunteer service (scoped to the jurisdiction), its CSV exports
(aggregates without personal data; the masked roster, audit-logged), the statistics API and the
review of volunteer organisations."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, hour_record, organisation, volunteer
from volunteers import selectors
from volunteers.models import HourRecord, Organisation, OrganisationReview
from volunteers.selectors.recognition import ZONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(db):
    """Two districts: in 武侯区 three volunteers (two served eldercare and community), two
    approved organisations and one waiting; in 锦江区 one volunteer with one activity."""
    wuhou_org = organisation(name="浆洗街志愿服务队", division_id="510107")
    organisation(name="玉林志愿服务队", division_id="510107")
    pending = organisation(
        name="望江志愿服务队", division_id="510107", status=Organisation.Status.SUBMITTED
    )
    jinjiang_org = organisation(name="春熙路志愿服务队", division_id="510104")
    wuhou = [volunteer(UserFactory(name=n), division_code="510107") for n in ("王芳", "李娜")]
    wuhou.append(volunteer(UserFactory(name="赵小强"), division_code="510107"))
    jinjiang = volunteer(UserFactory(name="孙小红"), division_code="510104")

    def serve(vol, org, *, days_ago, hours=3, domain="elderly"):
        act = activity(org, starts_in=-dt.timedelta(days=days_ago), hours=hours, domain=domain)
        return hour_record(act, vol, status=HourRecord.Status.CONFIRMED)

    first = serve(wuhou[0], wuhou_org, days_ago=2)
    serve(wuhou[1], wuhou_org, days_ago=3, hours=2, domain="community")
    serve(jinjiang, jinjiang_org, days_ago=2, hours=4)
    # Not counted: a record still pending confirmation.
    act = activity(wuhou_org, starts_in=-dt.timedelta(days=5))
    hour_record(act, wuhou[2], status=HourRecord.Status.PENDING)
    return {
        "year": timezone.localtime(first.period.lower, ZONE).year,
        "wuhou": wuhou,
        "jinjiang": jinjiang,
        "pending": pending,
        "jinjiang_org": jinjiang_org,
    }


def _text(response) -> str:
    assert response.streaming  # a large export is not held in memory
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- The dashboard ------------------------------------------------------------------------------


def test_the_dashboard_counts_the_officials_jurisdiction_only(city, official_wuhou):
    board = selectors.dashboard(official=official_wuhou, year=city["year"])

    assert [row["district"] for row in board.by_district] == ["510107"]
    [wuhou] = board.by_district
    assert wuhou["name"] == "武侯区"
    assert (wuhou["volunteers"], wuhou["active_volunteers"]) == (3, 2)
    assert (wuhou["organisations"], wuhou["activities"]) == (2, 3)
    assert (wuhou["minutes"], wuhou["hours"]) == (300, "5.0")
    assert {row["domain"]: row["hours"] for row in board.by_domain} == {
        "elderly": "3.0",
        "community": "2.0",
    }
    assert board.totals["served_volunteers"] == 2
    assert board.pending_organisations == 1


def test_an_official_of_jinjiang_does_not_count_wuhous_volunteers(city, official_jinjiang):
    board = selectors.dashboard(official=official_jinjiang, year=city["year"])

    assert [row["district"] for row in board.by_district] == ["510104"]
    assert board.totals["volunteers"] == 1
    assert board.totals["hours"] == "4.0"
    assert board.pending_organisations == 0


def test_the_city_official_sees_every_district(city, official_city):
    board = selectors.dashboard(official=official_city, year=city["year"])

    assert [row["district"] for row in board.by_district] == ["510104", "510107"]
    assert board.totals["volunteers"] == 4
    assert board.totals["hours"] == "9.0"


def test_another_year_is_empty(city, official_city):
    board = selectors.dashboard(official=official_city, year=city["year"] - 1)

    assert board.totals["hours"] == "0.0"
    assert board.totals["activities"] == 0


def test_the_dashboard_page(client, city, official_wuhou):
    client.force_login(official_wuhou)

    response = client.get(f"/volunteers/official/?year={city['year']}")

    assert response.status_code == 200
    body = response.content.decode()
    assert "武侯区" in body
    assert "锦江区" not in body
    assert "5.0" in body
    assert "王芳" not in body  # counts only


def test_finding_a_volunteer_of_the_jurisdiction_by_number(
    client, city, official_wuhou, official_jinjiang
):
    number = city["wuhou"][0].number
    client.force_login(official_wuhou)

    found = client.get("/volunteers/official/", {"number": number})

    assert found.status_code == 302
    assert found["Location"] == f"/volunteers/v/{number}/"
    client.force_login(official_jinjiang)
    elsewhere = client.get("/volunteers/official/", {"number": number}, follow=True)
    assert elsewhere.redirect_chain == []
    assert "辖区内没有编号为" in elsewhere.content.decode()


@pytest.mark.parametrize("who", ["wang_fang", "staff_a", "platform_admin"])
def test_the_dashboard_is_for_officials(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get("/volunteers/official/").status_code == 403
    assert client.get("/volunteers/official/roster.csv").status_code == 403
    assert client.get("/volunteers/official/hours.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/volunteers/official/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_dashboard_page_takes_a_fixed_number_of_queries(
    client, city, official_city, django_assert_max_num_queries
):
    client.force_login(official_city)
    url = f"/volunteers/official/?year={city['year']}"
    client.get(url)  # warm the session

    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    # More of everything costs no more queries.
    for n in range(5):
        vol = volunteer(UserFactory(), division_code="510104")
        act = activity(city["jinjiang_org"], starts_in=-dt.timedelta(days=10 + n))
        hour_record(act, vol, status=HourRecord.Status.CONFIRMED)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


# --- The statistics API -----------------------------------------------------------------------


def test_the_stats_api_is_scoped_like_the_page(api_client, city, official_jinjiang):
    api_client.force_authenticate(official_jinjiang)

    response = api_client.get("/api/v1/volunteers/stats/", {"year": city["year"]})

    assert response.status_code == 200
    data = response.json()
    assert data["jurisdiction"] == "510104"
    assert [row["district"] for row in data["by_district"]] == ["510104"]
    assert data["totals"]["hours"] == "4.0"


def test_the_stats_api_for_others(api_client, city, wang_fang):
    assert api_client.get("/api/v1/volunteers/stats/").status_code == 401
    api_client.force_authenticate(wang_fang)
    assert api_client.get("/api/v1/volunteers/stats/").status_code == 403


@pytest.mark.parametrize("year", ["1800", "2999", "abc"])
def test_the_stats_api_refuses_a_bad_year(api_client, official_wuhou, year):
    api_client.force_authenticate(official_wuhou)

    response = api_client.get("/api/v1/volunteers/stats/", {"year": year})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["year"]


def test_the_stats_api_takes_a_fixed_number_of_queries(
    api_client, city, official_city, django_assert_max_num_queries
):
    api_client.force_authenticate(official_city)

    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/volunteers/stats/").status_code == 200


# --- CSV exports --------------------------------------------------------------------------------


def test_the_roster_is_masked_scoped_and_audit_logged(client, city, official_wuhou):
    client.force_login(official_wuhou)

    response = client.get(f"/volunteers/official/roster.csv?year={city['year']}")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = _text(response)
    header, *rows = _rows(text)
    assert header[:3] == ["志愿者编号", "姓名（脱敏）", "身份证号（脱敏）"]
    assert sorted(row[1] for row in rows) == sorted(["王*", "李*", "赵*强"])
    for vol in city["wuhou"]:
        assert vol.real_name not in text
        assert vol.phone[-8:] not in text
    assert city["jinjiang"].number not in text  # another district's volunteer
    first = next(row for row in rows if row[0] == city["wuhou"][0].number)
    assert first[2] == city["wuhou"][0].id_number_masked
    assert first[2].count("*") == 16
    assert (first[5], first[6]) == ("3.0", "3.0")
    entry = AuditEntry.objects.get(action="volunteer.roster_export")
    assert entry.actor == official_wuhou
    assert entry.target_id == "510107"
    assert entry.detail["rows"] == 3
    assert entry.detail["masked"] is True


def test_each_volunteer_in_the_roster_sees_the_read_on_their_data_page(
    client, city, official_wuhou, django_assert_max_num_queries
):
    from portal.audit.selectors import access_log_for

    client.force_login(official_wuhou)
    with django_assert_max_num_queries(12):  # not one insert per volunteer
        response = client.get(f"/volunteers/official/roster.csv?year={city['year']}")
    _text(response)

    reads = AuditEntry.objects.filter(action="personal_data.read", actor=official_wuhou)
    assert sorted(reads.values_list("subject_id", flat=True)) == sorted(
        v.user_id for v in city["wuhou"]
    )
    assert not reads.filter(subject=city["jinjiang"].user).exists()  # not in the roster
    mine = city["wuhou"][0]
    entry = reads.get(subject=mine.user)
    assert (entry.target_type, entry.target_id) == ("volunteers.volunteer", str(mine.pk))
    assert entry.detail["purpose"] == "volunteer_supervision"
    [row] = access_log_for(subject=mine.user)
    assert row.action == "查看个人信息"
    assert row.why == "志愿服务统计与监管"
    assert "身份证号（脱敏）" in row.what
    assert "武侯区" in row.organisation
    client.force_login(mine.user)
    page = client.get("/accounts/me/data/").content.decode()
    assert "志愿服务统计与监管" in page


def test_roster_cells_cannot_become_spreadsheet_formulas(client, official_wuhou):
    volunteer(UserFactory(name="=HYPERLINK(1)"), division_code="510107")
    client.force_login(official_wuhou)

    rows = _rows(_text(client.get("/volunteers/official/roster.csv")))

    assert rows[1][1].startswith("'=")


def test_the_hours_export_holds_counts_only(client, city, official_city):
    client.force_login(official_city)

    response = client.get(f"/volunteers/official/hours.csv?year={city['year']}")

    assert response.status_code == 200
    text = _text(response)
    header, *rows = _rows(text)
    assert header == [
        "月份",
        "区县代码",
        "区县",
        "服务领域",
        "开展活动数",
        "参与志愿者数",
        "确认时长（小时）",
    ]
    people = [*city["wuhou"], city["jinjiang"]]
    for vol in people:
        for value in (vol.real_name, vol.masked_name, vol.number, vol.id_number_masked):
            assert value not in text
    by_cell = {(row[1], row[3]): row for row in rows if row[5] != "0"}
    assert by_cell[("510107", "助老")][5:] == ["1", "3.0"]
    assert by_cell[("510104", "助老")][5:] == ["1", "4.0"]
    assert not AuditEntry.objects.filter(action="volunteer.roster_export").exists()


# --- Organisation review ------------------------------------------------------------------------


def test_the_queue_lists_the_jurisdictions_waiting_organisations(
    client, city, official_wuhou, official_jinjiang
):
    client.force_login(official_wuhou)
    wuhou = client.get("/volunteers/official/organisations/").content.decode()
    client.force_login(official_jinjiang)
    jinjiang = client.get("/volunteers/official/organisations/").content.decode()

    assert "望江志愿服务队" in wuhou
    assert "浆洗街志愿服务队" not in wuhou  # approved: another tab
    assert "望江志愿服务队" not in jinjiang


def test_an_organisation_outside_the_jurisdiction_does_not_exist(client, city, official_jinjiang):
    client.force_login(official_jinjiang)
    url = f"/volunteers/official/organisations/{city['pending'].pk}/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "approve"}).status_code == 404
    assert Organisation.objects.get(pk=city["pending"].pk).status == "submitted"


def test_the_official_approves_from_the_detail_page(client, city, official_wuhou):
    client.force_login(official_wuhou)
    url = f"/volunteers/official/organisations/{city['pending'].pk}/"
    page = client.get(url).content.decode()
    assert "审核决定" in page
    assert "王芳" not in page

    response = client.post(url, {"action": "approve"})

    assert response.status_code == 302
    organisation_ = Organisation.objects.get(pk=city["pending"].pk)
    assert organisation_.status == Organisation.Status.APPROVED
    assert OrganisationReview.objects.get(organisation=organisation_).actor == official_wuhou


def test_returning_needs_a_reason(client, city, official_wuhou):
    client.force_login(official_wuhou)
    url = f"/volunteers/official/organisations/{city['pending'].pk}/"

    response = client.post(url, {"action": "return", "reason": " "})

    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert Organisation.objects.get(pk=city["pending"].pk).status == "submitted"

    client.post(url, {"action": "return", "reason": "请补充章程。"})
    assert Organisation.objects.get(pk=city["pending"].pk).status == "returned"


def test_an_unknown_action_is_refused(client, city, official_wuhou):
    client.force_login(official_wuhou)
    url = f"/volunteers/official/organisations/{city['pending'].pk}/"

    assert client.post(url, {"action": "delete"}).status_code == 400
    assert Organisation.objects.get(pk=city["pending"].pk).status == "submitted"


def test_only_civil_affairs_decides(client, official_jinjiang):
    """锦江区 卫健 sees 锦江's organisations but the decision belongs to 民政."""
    waiting = organisation(division_id="510104", status=Organisation.Status.SUBMITTED)
    client.force_login(official_jinjiang)
    url = f"/volunteers/official/organisations/{waiting.pk}/"

    page = client.get(url).content.decode()
    response = client.post(url, {"action": "approve"})

    assert "审核决定" not in page
    assert response.status_code == 302
    assert Organisation.objects.get(pk=waiting.pk).status == "submitted"


def test_the_reads_of_a_large_roster_are_written_in_a_few_statements(
    city, official_wuhou, django_assert_num_queries
):
    from portal.audit.services import audit_personal_data_reads
    from volunteers.models import Volunteer

    people = [(v.user_id, v.pk) for v in city["wuhou"]] * 1000  # 3,000 reads

    with django_assert_num_queries(3):
        written = audit_personal_data_reads(
            viewer=official_wuhou,
            target_model=Volunteer,
            reads=iter(people),
            fields=["name_masked"],
            purpose="volunteer_supervision",
        )

    assert written == 3000
    assert AuditEntry.objects.filter(action="personal_data.read").count() == 3000
