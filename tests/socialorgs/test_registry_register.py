"""Registration and the registry record: only 民政 covering the division registers and edits;
status changes (撤销/注销) are dated and reasoned; only a charity holds 公开募捐资格; the
official binds the first owner, who adds the others."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgMembership, SocialOrganisation
from socialorgs.services import registry as services
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import credit_code, socialorg
from tests.socialorgs.factories_registry import civil_affairs_official, registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def official():
    return civil_affairs_official(name="赵敏")


def refused(call, **kwargs) -> SocialOrgError:
    with pytest.raises(SocialOrgError) as caught:
        call(**kwargs)
    return caught.value


# --- Registration -----------------------------------------------------------------------------


def test_a_civil_affairs_official_registers_an_organisation(official):
    org = services.org_register(official=official, data=registration())

    assert org.status == SocialOrganisation.Status.NORMAL
    assert org.division_id == "510107"
    assert org.registered_capital_fen == 3_000_000
    assert org.search_vector  # written with the row
    assert org.legal_rep_masked == "欧**远"
    assert AuditEntry.objects.filter(action="socialorg.registered", actor=official).exists()


def test_the_city_official_registers_in_any_district():
    city = civil_affairs_official("510100")
    org = services.org_register(official=city, data=registration(division="510104"))
    assert org.division_id == "510104"


def test_an_official_of_another_district_may_not_register_here():
    jinjiang = civil_affairs_official("510104")
    error = refused(services.org_register, official=jinjiang, data=registration())
    assert isinstance(error, NotAllowed)
    assert error.status == 403
    assert not SocialOrganisation.objects.exists()


def test_an_official_of_another_department_may_not_register():
    health = OfficialFactory(department=User.Department.HEALTH)
    assert isinstance(
        refused(services.org_register, official=health, data=registration()), NotAllowed
    )


def test_the_permission_is_checked_before_the_input():
    resident = UserFactory()
    error = refused(services.org_register, official=resident, data={"credit_code": "bad"})
    assert isinstance(error, NotAllowed)


def test_a_resident_and_another_district_get_403_from_the_api(api_client):
    data = {**registration(), "founded_on": "2016-05-10"}
    api_client.force_authenticate(UserFactory())
    assert api_client.post("/api/v1/socialorgs/orgs/", data, format="json").status_code == 403
    api_client.force_authenticate(civil_affairs_official("510104"))
    assert api_client.post("/api/v1/socialorgs/orgs/", data, format="json").status_code == 403
    api_client.force_authenticate(None)
    assert api_client.post("/api/v1/socialorgs/orgs/", data, format="json").status_code == 401
    assert not SocialOrganisation.objects.exists()


def test_the_api_registers_and_answers_the_masked_record(api_client, official):
    api_client.force_authenticate(official)
    data = {**registration(), "founded_on": "2016-05-10"}
    response = api_client.post("/api/v1/socialorgs/orgs/", data, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["legal_rep_masked"] == "欧**远"
    assert "欧阳明远" not in response.content.decode()
    assert body["registered_capital_fen"] == 3_000_000


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"name": "  "}, "name", "必填"),
        ({"kind": "company"}, "kind", "组织类型"),
        ({"domain": "mining"}, "domain", "业务领域"),
        ({"division": "999999"}, "division", None),  # outside the jurisdiction: 403
        ({"division": "510107999"}, "division", "行政区划"),
        ({"latitude": "91"}, "latitude", "中国境内"),
        ({"latitude": "abc"}, "latitude", "数字"),
        ({"longitude": ""}, "longitude", "同时填写"),
        ({"legal_rep_name": ""}, "legal_rep_name", "必填"),
        ({"founded_on": dt.date.today() + dt.timedelta(days=1)}, "founded_on", "晚于今天"),
        ({"founded_on": "2016-13-01"}, "founded_on", "有效的日期"),
        ({"registered_capital": "-5"}, "registered_capital", "负数"),
        ({"registered_capital": "1.234"}, "registered_capital", "两位小数"),
        ({"registered_capital": "1e20"}, "registered_capital", "不能超过"),
        ({"authority": "x" * 101}, "authority", "最多 100"),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message_on_its_field(
    official, overrides, field, words
):
    error = refused(services.org_register, official=official, data=registration(**overrides))
    if words is None:
        assert error.status == 403
    else:
        assert error.field == field
        assert words in error.message
    assert not SocialOrganisation.objects.exists()


def test_a_code_registered_twice_is_a_conflict(official):
    data = registration()
    services.org_register(official=official, data=data)
    error = refused(services.org_register, official=official, data={**data, "name": "另一家"})
    assert isinstance(error, SocialOrgConflict)
    assert error.field == "credit_code"


# --- Edits --------------------------------------------------------------------------------------


def test_the_official_edits_the_record_and_the_search_follows(official):
    org = services.org_register(official=official, data=registration())
    org = services.org_update(
        organisation=org, official=official, data={"name": "成都市武侯区晨光助老服务中心"}
    )
    assert org.name == "成都市武侯区晨光助老服务中心"
    from socialorgs.selectors.registry import org_search

    assert list(org_search(text="chenguang")) == [org]
    assert not org_search(text="yangguang").exists()


def test_the_code_and_kind_cannot_be_edited(official):
    org = services.org_register(official=official, data=registration())
    error = refused(
        services.org_update,
        organisation=org,
        official=official,
        data={"kind": SocialOrganisation.Kind.FOUNDATION},
    )
    assert error.field == "kind"


def test_moving_an_organisation_needs_coverage_of_the_new_district(official):
    org = services.org_register(official=official, data=registration())
    error = refused(
        services.org_update, organisation=org, official=official, data={"division": "510104"}
    )
    assert isinstance(error, NotAllowed)
    org.refresh_from_db()
    assert org.division_id == "510107"


def test_another_district_cannot_edit(official):
    org = services.org_register(official=official, data=registration())
    error = refused(
        services.org_update,
        organisation=org,
        official=civil_affairs_official("510104"),
        data={"name": "改名"},
    )
    assert isinstance(error, NotAllowed)


def test_the_api_patch_is_for_the_supervising_official(api_client, official):
    org = services.org_register(official=official, data=registration())
    url = f"/api/v1/socialorgs/orgs/{org.credit_code}/"
    api_client.force_authenticate(civil_affairs_official("510104"))
    assert api_client.patch(url, {"name": "改名"}, format="json").status_code == 403
    api_client.force_authenticate(official)
    response = api_client.patch(url, {"address": "新地址 1 号"}, format="json")
    assert response.status_code == 200
    assert response.json()["address"] == "新地址 1 号"
    response = api_client.patch(url, {"latitude": "99.000000"}, format="json")
    assert response.status_code == 400
    assert "中国境内" in response.json()["fields"]["latitude"][0]


# --- Status -------------------------------------------------------------------------------------


def test_deregistration_is_dated_reasoned_and_told_to_the_accounts(official):
    owner = UserFactory()
    org = socialorg(owner, founded_on=dt.date(2018, 3, 1))
    org = services.org_status_change(
        organisation=org,
        official=official,
        status="deregistered",
        changed_on=dt.date(2024, 6, 1),
        reason="理事会决议解散，清算完毕",
    )
    assert (org.status, org.status_changed_on) == ("deregistered", dt.date(2024, 6, 1))
    assert Notification.objects.filter(recipient=owner, kind="socialorg_registry").exists()
    again = refused(
        services.org_status_change,
        organisation=org,
        official=official,
        status="revoked",
        changed_on=dt.date(2024, 7, 1),
        reason="x",
    )
    assert isinstance(again, SocialOrgConflict)


def test_the_status_date_may_not_precede_the_founding(official):
    org = socialorg(founded_on=dt.date(2018, 3, 1))
    error = refused(
        services.org_status_change,
        organisation=org,
        official=official,
        status="revoked",
        changed_on=dt.date(2018, 2, 28),
        reason="未按规定参加年检",
    )
    assert error.field == "changed_on"
    assert "不能早于成立登记日期" in error.message


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"status": "normal"}, "status"),
        ({"changed_on": None}, "changed_on"),
        ({"reason": ""}, "reason"),
    ],
)
def test_a_status_change_needs_a_status_a_date_and_a_reason(official, values, field):
    org = socialorg()
    data = {"status": "revoked", "changed_on": dt.date(2024, 1, 5), "reason": "违法违规"}
    data.update(values)
    error = refused(services.org_status_change, organisation=org, official=official, **data)
    assert error.field == field


# --- Charity ------------------------------------------------------------------------------------


def test_only_a_charity_holds_the_public_fundraising_qualification(official):
    org = socialorg()
    error = refused(
        services.org_charity_set,
        organisation=org,
        official=official,
        is_charity=False,
        public_fundraising=True,
        fundraising_qualified_on=dt.date(2024, 1, 1),
    )
    assert error.field == "public_fundraising"
    assert "只有慈善组织" in error.message
    org = services.org_charity_set(
        organisation=org,
        official=official,
        is_charity=True,
        charity_recognised_on=dt.date(2023, 1, 1),
        public_fundraising=True,
        fundraising_qualified_on=dt.date(2024, 1, 1),
    )
    assert org.is_charity
    assert org.public_fundraising
    # Withdrawing the recognition takes the qualification with it.
    org = services.org_charity_set(organisation=org, official=official, is_charity=False)
    assert not org.is_charity
    assert not org.public_fundraising
    assert org.fundraising_qualified_on is None


def test_the_qualification_date_follows_the_recognition(official):
    org = socialorg()
    error = refused(
        services.org_charity_set,
        organisation=org,
        official=official,
        is_charity=True,
        charity_recognised_on=dt.date(2024, 1, 1),
        public_fundraising=True,
        fundraising_qualified_on=dt.date(2023, 1, 1),
    )
    assert error.field == "fundraising_qualified_on"


# --- Accounts -------------------------------------------------------------------------------------


def test_the_official_binds_the_first_owner_who_adds_a_manager(official):
    org = socialorg()
    org.memberships.all().delete()
    owner = UserFactory(phone="+8613900001234")
    services.org_owner_bind(organisation=org, official=official, phone="139 0000 1234")
    assert org.memberships.get(user=owner).role == OrgMembership.Role.OWNER
    second = refused(
        services.org_owner_bind, organisation=org, official=official, phone="13900001234"
    )
    assert isinstance(second, SocialOrgConflict)

    manager = UserFactory(phone="+8613900005678")
    services.org_member_add(organisation=org, actor=owner, phone="13900005678", role="manager")
    assert org.memberships.get(user=manager).role == OrgMembership.Role.MANAGER
    twice = refused(services.org_member_add, organisation=org, actor=owner, phone="13900005678")
    assert isinstance(twice, SocialOrgConflict)


def test_only_the_owner_adds_accounts_and_only_people_who_signed_up(official):
    owner = UserFactory()
    org = socialorg(owner)
    manager = UserFactory()
    OrgMembership.objects.create(organisation=org, user=manager, role="manager")
    outsider = UserFactory(phone="+8613900007777")
    assert isinstance(
        refused(services.org_member_add, organisation=org, actor=manager, phone="13900007777"),
        NotAllowed,
    )
    unknown = refused(services.org_member_add, organisation=org, actor=owner, phone="13900009999")
    assert unknown.field == "phone"
    bad = refused(services.org_member_add, organisation=org, actor=owner, phone="12345")
    assert bad.field == "phone"
    official_phone = refused(
        services.org_member_add, organisation=org, actor=owner, phone=official.phone
    )
    assert official_phone.code == "unknown_user"
    owner_role = refused(
        services.org_member_add, organisation=org, actor=owner, phone="13900007777", role="owner"
    )
    assert owner_role.field == "role"
    assert not org.memberships.filter(user=outsider).exists()


# --- Pages ----------------------------------------------------------------------------------------


def test_the_register_page_registers_and_shows_errors_in_chinese(client, official):
    client.force_login(official)
    url = reverse("socialorgs:official-register")
    assert client.get(url).status_code == 200
    data = {**registration(), "founded_on": "2016-05-10", "credit_code": "52510107MJ000012"}
    response = client.post(url, data)
    assert response.status_code == 400
    assert "统一社会信用代码应为 18 位" in response.content.decode()
    data["credit_code"] = credit_code()
    response = client.post(url, data)
    org = SocialOrganisation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("socialorgs:official-org", args=[org.credit_code])


def test_the_register_page_is_for_civil_affairs_officials(client):
    url = reverse("socialorgs:official-register")
    client.force_login(OfficialFactory(department=User.Department.HEALTH))
    assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


def test_the_status_page_of_another_district_is_not_found(client, official):
    org = socialorg(division_id="510104")
    client.force_login(official)
    url = reverse("socialorgs:official-status", args=[org.credit_code])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "revoked"}).status_code == 404


def test_the_status_page_changes_the_status(client, official):
    org = socialorg(founded_on=dt.date(2018, 3, 1))
    client.force_login(official)
    url = reverse("socialorgs:official-status", args=[org.credit_code])
    response = client.post(url, {"status": "revoked", "changed_on": "2017-01-01", "reason": "违规"})
    assert response.status_code == 400
    assert "不能早于成立登记日期" in response.content.decode()
    client.post(url, {"status": "revoked", "changed_on": "2024-01-01", "reason": "违规"})
    org.refresh_from_db()
    assert org.status == "revoked"


def test_the_database_keeps_one_owner_per_organisation():
    from django.db import IntegrityError, transaction

    from socialorgs.models import OrgMembership
    from tests.socialorgs.factories import socialorg

    org = socialorg()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgMembership.objects.create(organisation=org, user=UserFactory(), role="owner")
    assert org.memberships.filter(role="owner").count() == 1
