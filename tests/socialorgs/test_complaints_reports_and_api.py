"""Reports of suspected 非法社会组织 reach the officials covering the chosen division; the API
files a complaint about an organisation into ratings' workflow; both refuse bad input."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.models import Notification
from ratings.models import Complaint
from socialorgs.errors import SocialOrgError
from socialorgs.services import complaints as services
from tests.socialorgs.factories_credit import JINJIANG, civil_official, org_with_staff

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 1, 9, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def jinjiang_civil(db):
    return civil_official(JINJIANG)


def test_a_report_reaches_the_officials_of_the_chosen_division(
    client, wang_fang, jinjiang_civil, official_wuhou, django_capture_on_commit_callbacks
):
    client.force_login(wang_fang)
    url = reverse("socialorgs:report-illegal")
    assert client.get(url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "name": "锦江国学养生研究会",
                "division": JINJIANG,
                "description": "未经登记在社区招募会员，收取入会费。",
            },
        )

    report = Complaint.objects.get()
    assert response.status_code == 302
    assert report.subject_kind == Complaint.SubjectKind.UNREGISTERED_ORG
    assert report.subject_name == "锦江国学养生研究会"
    assert report.division_id == JINJIANG
    assert report.provider_id is None
    told = Notification.objects.filter(kind="complaint.received")
    assert told.filter(recipient=jinjiang_civil).exists()
    assert not told.filter(recipient=official_wuhou).exists()

    client.force_login(jinjiang_civil)
    board = client.get(reverse("ratings:complaint-board")).content.decode()
    assert report.reference in board
    detail = client.get(reverse("ratings:complaint-official", kwargs={"pk": report.pk}))
    assert detail.status_code == 200
    client.force_login(official_wuhou)
    assert report.reference not in client.get(reverse("ratings:complaint-board")).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "division": JINJIANG, "description": "x"}, "name"),
        ({"name": "某协会", "division": "510100", "description": "x"}, "division"),  # a city
        ({"name": "某协会", "division": JINJIANG, "description": ""}, "description"),
    ],
)
def test_a_report_needs_a_name_a_district_and_a_description(client, wang_fang, data, field):
    client.force_login(wang_fang)

    response = client.post(reverse("socialorgs:report-illegal"), data)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Complaint.objects.exists()


def test_the_report_service_refuses_a_division_it_does_not_know(wang_fang):
    with pytest.raises(SocialOrgError) as error:
        services.illegal_org_report(
            resident=wang_fang, name="某协会", division_code="999999", description="x"
        )
    assert error.value.field == "division"


def test_only_residents_report(client, official_wuhou, staff_a):
    for user in (official_wuhou, staff_a):
        client.force_login(user)
        assert client.get(reverse("socialorgs:report-illegal")).status_code == 403


# --- API --------------------------------------------------------------------------------------


def url_for(org) -> str:
    return reverse("api-socialorg-complaint", kwargs={"credit_code": org.credit_code})


def test_a_resident_files_through_the_api_and_follows_it_in_ratings(api_client, wang_fang):
    org = org_with_staff()[0]
    api_client.force_authenticate(wang_fang)

    response = api_client.post(
        url_for(org), {"category": "fees", "description": "收费不透明。"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["subject_kind"] == "social_org"
    assert body["subject_ref"] == org.credit_code
    case = api_client.get(body["url"])
    assert case.status_code == 200
    assert case.json()["subject_name"] == org.name
    assert case.json()["provider"] is None
    assert case.json()["provider_name"] is None


def test_api_filing_refuses_bad_input_with_fields(api_client, wang_fang):
    org = org_with_staff()[0]
    api_client.force_authenticate(wang_fang)

    response = api_client.post(url_for(org), {"category": "x"}, format="json")

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"category", "description"}
    assert not Complaint.objects.exists()


def test_api_filing_is_for_residents_about_known_organisations(api_client, wang_fang):
    org = org_with_staff()[0]
    data = {"category": "fees", "description": "x"}
    assert api_client.post(url_for(org), data, format="json").status_code == 401
    api_client.force_authenticate(civil_official())
    assert api_client.post(url_for(org), data, format="json").status_code == 403
    api_client.force_authenticate(wang_fang)
    unknown = reverse("api-socialorg-complaint", kwargs={"credit_code": "52510107MJ0000000X"})
    assert api_client.post(unknown, data, format="json").status_code == 404
    assert not Complaint.objects.exists()
