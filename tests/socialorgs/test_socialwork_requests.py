"""Residents' social-work requests: creating one (a saved address or typed coordinates; one
in progress per target group), the states after the proposal (accept, decline, cancel, the
organisation's decline and completion), who may act and see, and the serving organisation's
audited read of the address and need."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django.urls import reverse

from portal.audit.models import AuditEntry
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgMembership, ServiceRequest
from socialorgs.services.socialwork import (
    SERVICE_PURPOSE,
    service_request_accept,
    service_request_cancel,
    service_request_complete,
    service_request_create,
    service_request_decline,
    service_request_full_view,
    service_request_org_decline,
)
from tests.accounts.factories import UserFactory
from tests.services.factories import AddressFactory
from tests.socialorgs.factories_socialwork import (
    WUHOU,
    accepted,
    north_of,
    owner_of,
    project,
    service_request,
    social_org,
)

pytestmark = pytest.mark.django_db
S = ServiceRequest.Status
ADDRESS = "武侯区浆洗街街道洗面桥街8号3栋2单元501室"
NEED = "父亲独居，请回电 13912345678。"


@pytest.fixture
def org():
    return social_org()


@pytest.fixture
def rival():
    return social_org("阳光社会工作服务社")


@pytest.fixture
def place(org):
    return project(org, capacity=3)


def _data(**extra) -> dict:
    data = {
        "target_group": "elderly",
        "division": "510107",
        "address": ADDRESS,
        "latitude": str(north_of(WUHOU, 1)[0]),
        "longitude": str(WUHOU[1]),
        "description": NEED,
    }
    data.update(extra)
    return data


def _proposed(resident, place) -> ServiceRequest:
    return service_request(resident, status=S.PROPOSED, project=place)


# --- Creating a request -------------------------------------------------------------------------


def test_a_request_is_created_and_matched_after_commit(wang_fang, place):
    with TestCase.captureOnCommitCallbacks(execute=True):
        created = service_request_create(resident=wang_fang, data=_data())

    created.refresh_from_db()
    assert created.reference.startswith("SW")
    assert (created.status, created.project) == (S.PROPOSED, place)
    assert AuditEntry.objects.filter(
        actor=wang_fang, action="socialorgs.service_request_created"
    ).exists()


def test_a_saved_address_gives_the_place(wang_fang, place):
    address = AddressFactory(owner=wang_fang, detail=ADDRESS)

    created = service_request_create(
        resident=wang_fang,
        data={"target_group": "elderly", "saved_address": address.pk, "description": NEED},
    )

    assert (created.address, created.latitude, created.division_id) == (
        ADDRESS,
        address.latitude,
        "510107",
    )


def test_someone_elses_saved_address_is_as_good_as_none(wang_fang, daughter):
    theirs = AddressFactory(owner=daughter)

    with pytest.raises(SocialOrgError) as refused:
        service_request_create(
            resident=wang_fang,
            data={"target_group": "elderly", "saved_address": theirs.pk, "description": NEED},
        )

    assert (refused.value.code, refused.value.field) == ("not_found", "saved_address")


def test_one_request_in_progress_per_target_group(wang_fang):
    service_request_create(resident=wang_fang, data=_data())

    with pytest.raises(SocialOrgConflict) as refused:
        service_request_create(resident=wang_fang, data=_data())

    assert refused.value.code == "request_in_progress"
    # Another group is another need.
    service_request_create(resident=wang_fang, data=_data(target_group="disabled"))


def test_a_new_request_is_possible_once_the_last_one_ended(wang_fang):
    first = service_request_create(resident=wang_fang, data=_data())
    service_request_cancel(service_request=first, resident=wang_fang)

    assert service_request_create(resident=wang_fang, data=_data()).pk != first.pk


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"latitude": "104.0432", "longitude": "30.642"}, "latitude", "outside_china"),
        ({"latitude": "30.642", "longitude": "-3.2"}, "longitude", "outside_china"),
        ({"latitude": "北纬三十度"}, "latitude", "invalid"),
        ({"division": "510100"}, "division", "division_too_wide"),
        ({"division": "123456"}, "division", "unknown_division"),
        ({"target_group": "pets"}, "target_group", "invalid_choice"),
        ({"description": " "}, "description", "required"),
        ({"address": ""}, "address", "required"),
    ],
)
def test_bad_input_is_refused_on_its_field(wang_fang, change, field, code):
    with pytest.raises(SocialOrgError) as refused:
        service_request_create(resident=wang_fang, data=_data(**change))

    assert (refused.value.field, refused.value.code) == (field, code)
    assert not ServiceRequest.objects.exists()


def test_only_residents_request_service(official_wuhou, staff_a):
    for user in (official_wuhou, staff_a):
        with pytest.raises(NotAllowed):
            service_request_create(resident=user, data=_data())


# --- The resident's decisions -------------------------------------------------------------------


def test_the_resident_accepts_a_proposal(wang_fang, place, org):
    request = _proposed(wang_fang, place)

    service_request_accept(service_request=request, resident=wang_fang)

    request.refresh_from_db()
    assert request.status == S.ACCEPTED
    assert request.accepted_at is not None
    assert owner_of(org).notifications.filter(kind="socialwork_request").exists()


def test_declining_reopens_the_request_without_that_project(wang_fang, place, rival):
    other = project(rival, at=north_of(WUHOU, 2))
    request = _proposed(wang_fang, place)

    with TestCase.captureOnCommitCallbacks(execute=True):
        service_request_decline(service_request=request, resident=wang_fang, reason="太远")

    request.refresh_from_db()
    assert request.excluded_projects == [place.pk]
    assert (request.status, request.project) == (S.PROPOSED, other)  # rematched at once


def test_cancelling_is_possible_until_accepted(wang_fang, place):
    waiting = service_request(wang_fang)
    service_request_cancel(service_request=waiting, resident=wang_fang)
    waiting.refresh_from_db()
    assert waiting.status == S.CANCELLED

    taken = accepted(wang_fang, project_=place)
    with pytest.raises(SocialOrgConflict):
        service_request_cancel(service_request=taken, resident=wang_fang)


@pytest.mark.parametrize("status", [S.OPEN, S.UNMATCHED, S.ACCEPTED, S.CANCELLED])
def test_only_a_proposal_can_be_accepted_or_declined(wang_fang, place, status):
    request = service_request(
        wang_fang, status=status, project=place if status == S.ACCEPTED else None
    )

    for act in (service_request_accept, service_request_decline):
        with pytest.raises(SocialOrgConflict):
            act(service_request=request, resident=wang_fang)


def test_another_resident_cannot_act_on_the_request(wang_fang, daughter, place):
    request = _proposed(wang_fang, place)

    for act in (service_request_accept, service_request_decline, service_request_cancel):
        with pytest.raises(NotAllowed):
            act(service_request=request, resident=daughter)


# --- The organisation ---------------------------------------------------------------------------


def test_the_organisation_declines_a_proposal_and_the_resident_is_told(wang_fang, place, org):
    request = _proposed(wang_fang, place)

    service_request_org_decline(service_request=request, actor=owner_of(org), reason="名额调整")

    request.refresh_from_db()
    assert (request.status, request.project, request.excluded_projects) == (
        S.OPEN,
        None,
        [place.pk],
    )
    assert "名额调整" in request.closed_reason
    assert wang_fang.notifications.filter(title__contains="重新匹配").exists()


def test_the_organisation_completes_an_accepted_case(wang_fang, place, org):
    request = accepted(wang_fang, project_=place)

    service_request_complete(service_request=request, actor=owner_of(org), note="已建立探访计划")

    request.refresh_from_db()
    assert request.status == S.COMPLETED
    assert request.completed_at is not None
    with pytest.raises(SocialOrgConflict):
        service_request_complete(service_request=request, actor=owner_of(org))


def test_a_proposal_cannot_be_completed_nor_an_accepted_case_declined(wang_fang, place, org):
    proposal = _proposed(wang_fang, place)
    case = accepted(project_=place)

    with pytest.raises(SocialOrgConflict):
        service_request_complete(service_request=proposal, actor=owner_of(org))
    with pytest.raises(SocialOrgConflict):
        service_request_org_decline(service_request=case, actor=owner_of(org), reason="忙")


def test_another_organisation_cannot_complete_or_decline(wang_fang, place, rival):
    case = accepted(wang_fang, project_=place)

    with pytest.raises(NotAllowed):
        service_request_complete(service_request=case, actor=owner_of(rival))
    with pytest.raises(NotAllowed):
        service_request_org_decline(
            service_request=_proposed(None, place), actor=owner_of(rival), reason="不是我们的"
        )


def test_a_member_reads_but_only_owners_and_managers_act(wang_fang, place, org):
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    case = accepted(wang_fang, project_=place)

    assert service_request_full_view(service_request=case, actor=member) is not None
    with pytest.raises(NotAllowed):
        service_request_complete(service_request=case, actor=member)


# --- Personal data: the serving organisation's audited read ---------------------------------------


def test_the_serving_organisation_reads_the_address_in_full_with_an_audit_entry(
    wang_fang, place, org
):
    case = accepted(wang_fang, project_=place, address=ADDRESS, description=NEED)
    reader = owner_of(org)

    shown = service_request_full_view(service_request=case, actor=reader)

    assert shown == {"address": ADDRESS, "description": NEED}
    entry = AuditEntry.objects.get(actor=reader, action="personal_data.read")
    assert entry.subject == wang_fang
    assert entry.detail["purpose"] == SERVICE_PURPOSE
    assert entry.detail["organisation"] == org.name


def test_before_acceptance_the_organisation_sees_it_masked_and_nothing_is_logged(
    client, wang_fang, place, org
):
    proposal = service_request(
        wang_fang, status=S.PROPOSED, project=place, address=ADDRESS, description=NEED
    )
    client.force_login(owner_of(org))

    page = client.get(reverse("socialorgs:sw-org-request", args=[proposal.pk])).content.decode()

    assert "3栋2单元501室" not in page
    assert "13912345678" not in page
    assert "139****5678" in page
    assert not AuditEntry.objects.filter(action="personal_data.read", subject=wang_fang).exists()


def test_the_case_page_shows_the_serving_organisation_the_address_and_logs_it(
    client, wang_fang, place, org
):
    case = accepted(wang_fang, project_=place, address=ADDRESS, description=NEED)
    client.force_login(owner_of(org))

    page = client.get(reverse("socialorgs:sw-org-request", args=[case.pk])).content.decode()

    assert ADDRESS in page
    assert "13912345678" in page
    assert (
        AuditEntry.objects.filter(
            actor=owner_of(org), subject=wang_fang, action="personal_data.read"
        ).count()
        == 1
    )


def test_the_organisations_list_masks_the_address_and_redacts_the_need(
    client, api_client, wang_fang, place, org
):
    accepted(wang_fang, project_=place, address=ADDRESS, description=NEED)
    client.force_login(owner_of(org))
    api_client.force_authenticate(owner_of(org))

    page = client.get(reverse("socialorgs:sw-desk", args=[org.credit_code])).content.decode()
    body = api_client.get(
        f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/requests/"
    ).content.decode()

    for shown in (page, body):
        assert "3栋2单元501室" not in shown
        assert "13912345678" not in shown


def test_another_organisation_cannot_see_the_case(client, api_client, wang_fang, place, rival):
    case = accepted(wang_fang, project_=place)
    client.force_login(owner_of(rival))
    api_client.force_authenticate(owner_of(rival))

    assert client.get(reverse("socialorgs:sw-org-request", args=[case.pk])).status_code == 404
    assert (
        api_client.get(f"/api/v1/socialorgs/socialwork/org-requests/{case.pk}/").status_code == 404
    )
    response = api_client.post(f"/api/v1/socialorgs/socialwork/org-requests/{case.pk}/complete/")
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == S.ACCEPTED


def test_a_resident_cannot_see_another_residents_request(client, api_client, wang_fang, daughter):
    theirs = service_request(daughter)
    client.force_login(wang_fang)
    api_client.force_authenticate(wang_fang)

    assert client.get(reverse("socialorgs:sw-request", args=[theirs.pk])).status_code == 404
    assert api_client.get(f"/api/v1/socialorgs/socialwork/requests/{theirs.pk}/").status_code == 404
    response = api_client.post(f"/api/v1/socialorgs/socialwork/requests/{theirs.pk}/cancel/")
    assert response.status_code == 404


# --- Pages and API: the whole way ---------------------------------------------------------------


def test_the_request_pages_from_form_to_acceptance(client, wang_fang, place):
    client.force_login(wang_fang)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("socialorgs:sw-request-new"), _data())
    request = ServiceRequest.objects.get(resident=wang_fang)
    page = client.get(response["Location"]).content.decode()
    client.post(reverse("socialorgs:sw-request", args=[request.pk]), {"action": "accept"})

    assert response["Location"] == reverse("socialorgs:sw-request", args=[request.pk])
    assert place.title in page
    assert "推荐理由" in page
    request.refresh_from_db()
    assert request.status == S.ACCEPTED


def test_the_request_form_shows_errors_in_chinese(client, wang_fang):
    client.force_login(wang_fang)

    response = client.post(
        reverse("socialorgs:sw-request-new"), _data(latitude="104.04", longitude="30.64")
    )

    assert response.status_code == 200
    assert "纬度不在中国境内" in response.content.decode()


def test_the_api_creates_lists_and_accepts(api_client, wang_fang, place):
    api_client.force_authenticate(wang_fang)

    with TestCase.captureOnCommitCallbacks(execute=True):
        created = api_client.post("/api/v1/socialorgs/socialwork/requests/", _data(), format="json")
    pk = created.json()["id"]
    mine = api_client.get("/api/v1/socialorgs/socialwork/requests/").json()
    detail = api_client.get(f"/api/v1/socialorgs/socialwork/requests/{pk}/").json()
    done = api_client.post(f"/api/v1/socialorgs/socialwork/requests/{pk}/accept/")

    assert created.status_code == 201, created.json()
    assert [row["id"] for row in mine] == [pk]
    assert detail["status"] == "proposed"
    assert detail["project"]["id"] == place.pk
    assert done.json()["status"] == "accepted"


def test_the_api_refuses_bad_coordinates_with_a_field_error(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)

    response = api_client.post(
        "/api/v1/socialorgs/socialwork/requests/",
        _data(latitude="104.04", longitude="30.64"),
        format="json",
    )

    assert response.status_code == 400
    assert "latitude" in response.json()["fields"]


def test_the_api_answers_a_second_request_with_a_conflict(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)
    api_client.post("/api/v1/socialorgs/socialwork/requests/", _data(), format="json")

    response = api_client.post("/api/v1/socialorgs/socialwork/requests/", _data(), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "request_in_progress"


def test_the_org_api_completes_and_shows_the_case_in_full(api_client, wang_fang, place, org):
    case = accepted(wang_fang, project_=place, address=ADDRESS)
    api_client.force_authenticate(owner_of(org))

    response = api_client.post(f"/api/v1/socialorgs/socialwork/org-requests/{case.pk}/complete/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "completed"
    assert response.json()["address"] == ADDRESS
    assert response.json()["full"] is True


def test_the_org_api_declines_a_proposal(api_client, wang_fang, place, org):
    proposal = _proposed(wang_fang, place)
    api_client.force_authenticate(owner_of(org))

    missing = api_client.post(
        f"/api/v1/socialorgs/socialwork/org-requests/{proposal.pk}/decline/", {}, format="json"
    )
    response = api_client.post(
        f"/api/v1/socialorgs/socialwork/org-requests/{proposal.pk}/decline/",
        {"reason": "本月名额已满"},
        format="json",
    )

    assert missing.status_code == 400
    assert response.status_code == 200
    assert response.json()["status"] == "open"


# --- The resident's data rights -------------------------------------------------------------


def test_the_data_export_holds_the_requests_and_erasure_detaches_them(wang_fang, place):
    from portal.accounts.personal_data import erase_for, export_for

    case = accepted(wang_fang, project_=place, address=ADDRESS, description=NEED)

    exported = export_for(wang_fang)["sections"]["socialwork"]
    erase_for(wang_fang)

    assert exported["requests"][0]["address"] == ADDRESS
    case.refresh_from_db()
    assert (case.status, case.project, case.address, case.description) == (
        S.CANCELLED,
        None,
        "已注销",
        "已注销",
    )
    assert (case.latitude, case.longitude) == (case.division.latitude, case.division.longitude)
