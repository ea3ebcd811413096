"""Commendations (表彰): recorded by an official covering the volunteer, up to the level of the
official's jurisdiction, once per title and year, audited; shown on the public profile and in
the person's data export."""

from __future__ import annotations

import pytest

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from tests.accounts.factories import OfficialFactory
from tests.volunteers.factories import volunteer
from volunteers import services
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import Commendation
from volunteers.personal_data import export_volunteering
from volunteers.selectors import this_year

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(wang_fang):
    return volunteer(wang_fang, division_code="510107")


def url(vol) -> str:
    return f"/api/v1/volunteers/{vol.pk}/commendations/"


def body(**changes) -> dict:
    values = {
        "title": "优秀志愿者",
        "level": "district",
        "year": this_year(),
        "reason": "全年助老服务 200 小时。",
    }
    values.update(changes)
    return values


def record(actor, vol, **changes):
    return services.commendation_record(actor=actor, volunteer=vol, **body(**changes))


# --- Happy path -------------------------------------------------------------------------------


def test_the_districts_official_records_a_commendation(api_client, official_wuhou, vol):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(url(vol), body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["title"], data["level"], data["level_label"]) == (
        "优秀志愿者",
        "district",
        "区县级",
    )
    assert (data["division"], data["division_name"]) == ("510107", "武侯区")
    commendation = Commendation.objects.get()
    assert commendation.awarded_by == official_wuhou
    entry = AuditEntry.objects.get(action="volunteer.commendation_recorded")
    assert (entry.actor, entry.subject) == (official_wuhou, vol.user)
    assert entry.detail == {"title": "优秀志愿者", "level": "district", "year": this_year()}
    assert Notification.objects.filter(recipient=vol.user, kind="volunteer_commendation").exists()


def test_the_commendation_shows_publicly_and_in_the_persons_record(
    client, api_client, official_city, vol
):
    record(official_city, vol, title="成都市优秀志愿者", level="city")

    listed = api_client.get(url(vol))
    profile = client.get(f"/volunteers/v/{vol.number}/")

    assert [c["title"] for c in listed.json()] == ["成都市优秀志愿者"]
    assert "成都市优秀志愿者" in profile.content.decode()
    assert "市级" in profile.content.decode()
    exported = export_volunteering(vol.user)["commendations"]
    assert exported == [
        {
            "title": "成都市优秀志愿者",
            "level": "city",
            "year": this_year(),
            "reason": "全年助老服务 200 小时。",
            "awarded_by": "成都市",
        }
    ]


def test_a_city_official_grants_up_to_city_level(official_city, vol):
    assert services.grantable_levels(official_city) == ["district", "city"]
    assert record(official_city, vol, level="city").level == "city"
    with pytest.raises(NotAllowed) as refused:
        record(official_city, vol, title="省优秀志愿者", level="province")
    assert refused.value.field == "level"


def test_a_county_official_grants_district_level_only(official_wuhou, vol):
    assert services.grantable_levels(official_wuhou) == ["district"]
    with pytest.raises(NotAllowed) as refused:
        record(official_wuhou, vol, level="city")
    assert (refused.value.code, refused.value.field) == ("level_not_grantable", "level")


def test_a_province_official_records_national_commendations(vol):
    province = OfficialFactory(name="省厅干部", jurisdiction_id="510000")

    assert record(province, vol, title="全国优秀志愿者", level="national").level == "national"


def test_the_same_title_in_the_same_year_is_recorded_once(api_client, official_wuhou, vol):
    record(official_wuhou, vol)
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(url(vol), body(), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert Commendation.objects.count() == 1
    # Another year, or another title, is a new commendation.
    record(official_wuhou, vol, year=this_year() - 1)
    record(official_wuhou, vol, title="最美志愿者")
    assert Commendation.objects.count() == 3


# --- Permission boundary -------------------------------------------------------------------------


def test_an_official_of_another_district_is_refused(api_client, official_jinjiang, vol):
    api_client.force_authenticate(official_jinjiang)

    response = api_client.post(url(vol), body(), format="json")
    # Refused before the input is read: bad input gives the same answer.
    bad = api_client.post(url(vol), {"level": "nope"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "out_of_jurisdiction"
    assert bad.status_code == 403
    assert not Commendation.objects.exists()
    with pytest.raises(NotAllowed):
        record(official_jinjiang, vol)


@pytest.mark.parametrize("who", ["wang_fang", "daughter", "staff_a", "platform_admin"])
def test_only_officials_record_commendations(api_client, request, vol, who):
    api_client.force_authenticate(request.getfixturevalue(who))

    response = api_client.post(url(vol), body(), format="json")

    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        record(request.getfixturevalue(who), vol)


def test_anonymous_callers_must_sign_in(api_client, vol):
    assert api_client.post(url(vol), body(), format="json").status_code == 401


def test_the_form_is_offered_only_to_covering_officials(
    client, official_wuhou, official_jinjiang, vol
):
    client.force_login(official_jinjiang)
    assert "记录表彰" not in client.get(f"/volunteers/v/{vol.number}/").content.decode()
    assert client.post(f"/volunteers/v/{vol.number}/commend/", body()).status_code == 403

    client.force_login(official_wuhou)
    page = client.get(f"/volunteers/v/{vol.number}/").content.decode()
    assert "记录表彰" in page
    assert 'value="city"' not in page  # the level list stops at what the official grants


def test_the_page_form_records_and_redirects_to_the_profile(client, official_wuhou, vol):
    client.force_login(official_wuhou)

    response = client.post(f"/volunteers/v/{vol.number}/commend/", body())

    assert response.status_code == 302
    assert response["Location"] == f"/volunteers/v/{vol.number}/"
    assert Commendation.objects.get().title == "优秀志愿者"


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": "galactic"}, "level"),
        ({"year": 1989}, "year"),
        ({"year": this_year() + 1}, "year"),
        ({"year": "去年"}, "year"),
        ({"title": "   "}, "title"),
        ({"title": "奖" * 101}, "title"),
        ({"reason": "长" * 2001}, "reason"),
    ],
)
def test_bad_input_is_refused_with_the_field_at_fault(official_wuhou, vol, changes, field):
    with pytest.raises(VolunteerError) as refused:
        record(official_wuhou, vol, **changes)

    assert refused.value.field == field
    assert refused.value.status == 400
    assert not Commendation.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": "galactic"}, "level"),
        ({"year": 1800}, "year"),
        ({"year": this_year() + 1}, "year"),
        ({"title": ""}, "title"),
    ],
)
def test_the_api_answers_bad_input_with_field_errors(
    api_client, official_wuhou, vol, changes, field
):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(url(vol), body(**changes), format="json")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_the_page_form_shows_errors_on_the_field(client, official_wuhou, vol):
    client.force_login(official_wuhou)

    response = client.post(f"/volunteers/v/{vol.number}/commend/", body(year=1800))

    assert response.status_code == 400
    assert response.context["form"].errors["year"]
    assert not Commendation.objects.exists()


def test_a_duplicate_from_the_page_is_explained(client, official_wuhou, vol):
    record(official_wuhou, vol)
    client.force_login(official_wuhou)

    response = client.post(f"/volunteers/v/{vol.number}/commend/", body())

    assert response.status_code == 400
    assert "已记录" in response.content.decode()
    with pytest.raises(VolunteerConflict):
        record(official_wuhou, vol)


def test_a_closed_account_cannot_be_commended(api_client, official_wuhou, vol, wang_fang):
    from portal.accounts.services import user_erase

    user_erase(user=wang_fang, password="Portal-test-pw-1")
    api_client.force_authenticate(official_wuhou)

    assert api_client.post(url(vol), body(), format="json").status_code == 404
    assert User.objects.get(pk=wang_fang.pk).erased_at is not None
