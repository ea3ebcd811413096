"""Social workers: the organisation's owner or managers add, edit and deactivate them; the
certificate number is unique and the certified date not in the future; the public sees counts
by level and masked names, the organisation's accounts the full record (an audited read)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import OrgMembership, SocialWorker
from socialorgs.services.socialwork import social_worker_add, social_worker_update
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories_socialwork import owner_of, project, social_org, worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return social_org()


def _data(**extra) -> dict:
    data = {
        "name": "欧阳晓敏",
        "level": "senior",
        "certificate_number": "s2019510107000123",
        "certified_on": "2019-06-15",
    }
    data.update(extra)
    return data


def test_the_owner_adds_a_social_worker(org):
    added = social_worker_add(organisation=org, actor=owner_of(org), data=_data())

    assert (added.name, added.level, added.certificate_number, added.active) == (
        "欧阳晓敏",
        "senior",
        "S2019510107000123",
        True,
    )
    assert added.certified_on == dt.date(2019, 6, 15)


def test_a_manager_may_a_member_may_not(org):
    manager, member = UserFactory(), UserFactory()
    OrgMembership.objects.create(organisation=org, user=manager, role="manager")
    OrgMembership.objects.create(organisation=org, user=member, role="member")

    social_worker_add(organisation=org, actor=manager, data=_data())
    with pytest.raises(NotAllowed):
        social_worker_add(organisation=org, actor=member, data=_data(certificate_number="S2"))


def test_another_organisation_cannot_add_or_edit():
    org, rival = social_org(), social_org("阳光社会工作服务社")
    theirs = worker(org)

    with pytest.raises(NotAllowed):
        social_worker_add(organisation=org, actor=owner_of(rival), data=_data())
    with pytest.raises(NotAllowed):
        social_worker_update(worker=theirs, actor=owner_of(rival), data={"active": False})


def test_a_certificate_number_is_registered_once_across_organisations(org):
    social_worker_add(organisation=org, actor=owner_of(org), data=_data())
    rival = social_org("阳光社会工作服务社")

    with pytest.raises(SocialOrgConflict) as refused:
        social_worker_add(
            organisation=rival,
            actor=owner_of(rival),
            data=_data(certificate_number="S2019510107000123"),
        )

    assert refused.value.field == "certificate_number"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"certified_on": "tomorrow"}, "certified_on", "future_date"),
        ({"certified_on": "2019-02-30"}, "certified_on", "invalid_date"),
        ({"level": "master"}, "level", "invalid_choice"),
        ({"certificate_number": "证书123"}, "certificate_number", "invalid_certificate"),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_input_is_refused_on_its_field(org, change, field, code):
    if change.get("certified_on") == "tomorrow":
        change = {"certified_on": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}

    with pytest.raises(SocialOrgError) as refused:
        social_worker_add(organisation=org, actor=owner_of(org), data=_data(**change))

    assert (refused.value.field, refused.value.code) == (field, code)
    assert not SocialWorker.objects.exists()


def test_editing_and_deactivating(org):
    record = worker(org, level="assistant")

    social_worker_update(worker=record, actor=owner_of(org), data={"level": "social_worker"})
    social_worker_update(worker=record, actor=owner_of(org), data={"active": False})

    record.refresh_from_db()
    assert (record.level, record.active) == ("social_worker", False)
    assert AuditEntry.objects.filter(action="socialorgs.social_worker_updated").count() == 2


def test_editing_to_a_number_already_taken_is_refused(org):
    worker(org, certificate_number="S2020000000000001")
    record = worker(org)

    with pytest.raises(SocialOrgConflict):
        social_worker_update(
            worker=record, actor=owner_of(org), data={"certificate_number": "S2020000000000001"}
        )


def test_the_public_sees_counts_by_level_and_masked_names(client, api_client, org):
    worker(org, name="欧阳晓敏", level="senior")
    worker(org, name="张伟", level="assistant")
    worker(org, name="李离职", level="assistant", active=False)
    place = project(org)

    page = client.get(reverse("socialorgs:sw-org", args=[org.credit_code])).content.decode()
    detail = client.get(reverse("socialorgs:project-detail", args=[place.pk])).content.decode()
    body = api_client.get(f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/").json()

    for shown in (page, detail):
        assert "欧**敏" in shown
        assert "张*" in shown
        assert "欧阳晓敏" not in shown
        assert "李离职" not in shown
        assert "李*职" not in shown
    levels = {row["level"]: row["count"] for row in body["social_workers"]["by_level"]}
    assert levels == {"assistant": 1, "social_worker": 0, "senior": 1}
    assert {w["masked_name"] for w in body["social_workers"]["workers"]} == {"欧**敏", "张*"}
    assert "欧阳晓敏" not in str(body)


def test_the_organisations_accounts_see_the_full_list_and_the_read_is_logged(client, org):
    worker(org, name="欧阳晓敏")
    client.force_login(owner_of(org))

    page = client.get(reverse("socialorgs:sw-workers", args=[org.credit_code])).content.decode()

    assert "欧阳晓敏" in page
    entry = AuditEntry.objects.get(action="personal_data.read", actor=owner_of(org))
    assert entry.detail["fields"] == ["name"]


def test_someone_outside_the_organisation_gets_404(client, api_client, org, wang_fang):
    record = worker(org)
    client.force_login(wang_fang)
    api_client.force_authenticate(wang_fang)

    assert client.get(reverse("socialorgs:sw-workers", args=[org.credit_code])).status_code == 404
    assert client.get(reverse("socialorgs:sw-worker", args=[record.pk])).status_code == 404
    url = f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/workers/"
    assert api_client.get(url).status_code == 404
    response = api_client.patch(
        f"/api/v1/socialorgs/socialwork/workers/{record.pk}/", {"active": False}, format="json"
    )
    assert response.status_code == 404


def test_a_member_gets_403_before_the_input_is_read(api_client, org):
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    api_client.force_authenticate(member)

    response = api_client.post(
        f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/workers/",
        {"certified_on": "not a date"},
        format="json",
    )

    assert response.status_code == 403


def test_the_api_adds_and_deactivates(api_client, org):
    api_client.force_authenticate(owner_of(org))
    url = f"/api/v1/socialorgs/socialwork/organisations/{org.credit_code}/workers/"

    created = api_client.post(url, _data(), format="json")
    changed = api_client.patch(
        f"/api/v1/socialorgs/socialwork/workers/{created.json()['id']}/",
        {"active": False},
        format="json",
    )
    future = api_client.post(
        url,
        _data(
            certificate_number="S2099000000000009",
            certified_on=(timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        ),
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert changed.json()["active"] is False
    assert future.status_code == 400
    assert "certified_on" in future.json()["fields"]


def test_the_page_adds_a_worker_and_shows_errors(client, org):
    client.force_login(owner_of(org))
    url = reverse("socialorgs:sw-workers", args=[org.credit_code])

    bad = client.post(url, _data(certified_on="2999-01-01"))
    good = client.post(url, _data())

    assert "日期不能晚于今天" in bad.content.decode()
    assert good.status_code == 302
    assert SocialWorker.objects.filter(organisation=org).count() == 1
