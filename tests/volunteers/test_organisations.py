"""Volunteer organisations: registration, the review by a 民政 official covering the
division, members and roles."""

from __future__ import annotations

import pytest

from providers.demo import demo_credit_code
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import organisation
from volunteers.models import Member, Organisation, OrganisationReview

pytestmark = pytest.mark.django_db

LIST = "/api/v1/volunteers/organisations/"


def _register(api_client, user, **changes):
    body = {
        "name": "浆洗街社区志愿服务队",
        "kind": "community",
        "division": "510107",
        "contact_phone": "13800003333",
    }
    body.update(changes)
    api_client.force_authenticate(user)
    return api_client.post(LIST, body, format="json")


def test_a_resident_registers_an_organisation_for_review_as_its_owner(api_client, wang_fang):
    response = _register(api_client, wang_fang)

    assert response.status_code == 201, response.json()
    org = Organisation.objects.get(pk=response.json()["id"])
    assert org.status == Organisation.Status.SUBMITTED
    assert Member.objects.get(organisation=org).role == Member.Role.OWNER
    # Not public until approved.
    api_client.force_authenticate(None)
    assert api_client.get(f"{LIST}{org.pk}/").status_code == 404


def test_a_social_organisation_needs_a_valid_credit_code(api_client, wang_fang):
    missing = _register(api_client, wang_fang, kind="social_organisation")
    bad = _register(api_client, wang_fang, kind="social_organisation", credit_code="12345")
    good = _register(
        api_client,
        wang_fang,
        kind="social_organisation",
        credit_code=demo_credit_code("510107", 77),
    )

    assert missing.status_code == 400
    assert missing.json()["fields"] == {
        "credit_code": ["社会组织和服务机构请填写统一社会信用代码。"]
    }
    assert bad.status_code == 400
    assert list(bad.json()["fields"]) == ["credit_code"]
    assert good.status_code == 201


def test_officials_cannot_register_organisations(api_client, official_wuhou):
    assert _register(api_client, official_wuhou).status_code == 403


def test_the_covering_official_approves_and_the_other_district_cannot(
    api_client, wang_fang, official_wuhou, official_jinjiang
):
    org = organisation(wang_fang, status=Organisation.Status.SUBMITTED)
    url = f"{LIST}{org.pk}/decision/"

    api_client.force_authenticate(official_jinjiang)
    assert api_client.post(url, {"action": "approve"}, format="json").status_code == 404
    api_client.force_authenticate(official_wuhou)
    no_reason = api_client.post(url, {"action": "reject"}, format="json")
    approved = api_client.post(url, {"action": "approve"}, format="json")
    again = api_client.post(url, {"action": "approve"}, format="json")

    assert no_reason.status_code == 400
    assert no_reason.json()["fields"] == {"reason": ["请填写理由，组织将看到这段说明。"]}
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    assert again.status_code == 409
    assert OrganisationReview.objects.get(organisation=org).actor == official_wuhou
    api_client.force_authenticate(None)
    assert api_client.get(f"{LIST}{org.pk}/").status_code == 200


def test_the_owner_adds_members_by_phone_and_a_manager_cannot(api_client, wang_fang, daughter):
    org = organisation(wang_fang)
    manager = UserFactory()
    Member.objects.create(organisation=org, user=manager, role="manager")
    url = f"{LIST}{org.pk}/members/"

    api_client.force_authenticate(wang_fang)
    added = api_client.post(url, {"phone": daughter.phone, "role": "member"}, format="json")
    unknown = api_client.post(url, {"phone": "13999999999"}, format="json")
    api_client.force_authenticate(manager)
    by_manager = api_client.post(url, {"phone": UserFactory().phone}, format="json")
    listed = api_client.get(url)

    assert added.status_code == 201
    assert unknown.status_code == 400
    assert list(unknown.json()["fields"]) == ["phone"]
    assert by_manager.status_code == 403
    assert listed.status_code == 200
    assert len(listed.json()) == 3
    # Names and phones are masked even for managers.
    assert daughter.name not in listed.content.decode()


def test_members_who_do_not_manage_cannot_read_the_member_list(api_client, wang_fang, daughter):
    org = organisation(wang_fang)
    Member.objects.create(organisation=org, user=daughter, role="member")
    api_client.force_authenticate(daughter)
    assert api_client.get(f"{LIST}{org.pk}/members/").status_code == 404
