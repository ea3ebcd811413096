"""The registration review: each transition, who may perform it, and what it records."""

import pytest
from django.urls import reverse

from portal.notifications.models import Notification
from providers.models import Provider, ReviewEvent
from providers.services import review
from providers.services.review import NotAllowed, ProviderError
from tests.accounts.factories import OfficialFactory
from tests.providers.factories import BranchFactory, LicenceFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(staff_a, provider_a):
    """Provider A back in draft, complete: a branch and a valid 养老机构备案."""
    provider_a.status = Provider.Status.DRAFT
    provider_a.save()
    BranchFactory(provider=provider_a)
    LicenceFactory(provider=provider_a)
    return provider_a


def _submit(provider, owner):
    return review.provider_transition(provider=provider, action="submit", actor=owner)


def test_the_owner_submits_a_complete_registration(draft, staff_a, official_wuhou):
    provider = _submit(draft, staff_a)

    assert provider.status == Provider.Status.SUBMITTED
    assert provider.submitted_at is not None
    event = ReviewEvent.objects.get(provider=draft)
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "submit",
        "draft",
        "submitted",
        staff_a,
    )
    # The official who will review it is told.
    assert Notification.objects.filter(recipient=official_wuhou, kind="review_submitted").exists()


def test_an_incomplete_registration_cannot_be_submitted(staff_a, provider_a):
    provider_a.status = Provider.Status.DRAFT
    provider_a.save()

    with pytest.raises(ProviderError) as exc:
        _submit(provider_a, staff_a)

    assert exc.value.code == "incomplete"
    assert "服务网点" in exc.value.message
    assert "养老机构备案" in exc.value.message
    provider_a.refresh_from_db()
    assert provider_a.status == Provider.Status.DRAFT
    assert not ReviewEvent.objects.exists()


def test_an_expired_licence_does_not_count(draft, staff_a):
    draft.licences.update(valid_from="2019-01-01", valid_until="2020-01-01")
    with pytest.raises(ProviderError, match="养老机构备案"):
        _submit(draft, staff_a)


def test_a_colleague_who_is_not_the_owner_cannot_submit(draft, colleague_a):
    with pytest.raises(NotAllowed):
        _submit(draft, colleague_a)


def test_staff_of_another_provider_cannot_submit(draft, staff_b):
    with pytest.raises(NotAllowed):
        _submit(draft, staff_b)


@pytest.mark.parametrize(
    ("action", "target", "reason"),
    [
        ("approve", "approved", ""),
        ("reject", "rejected", "资质不符"),
        ("return", "returned", "请补充消防验收材料"),
    ],
)
def test_an_official_in_jurisdiction_decides(
    draft, staff_a, official_wuhou, action, target, reason
):
    _submit(draft, staff_a)

    provider = review.provider_transition(
        provider=draft, action=action, actor=official_wuhou, reason=reason
    )

    assert provider.status == target
    assert provider.status_reason == reason
    event = ReviewEvent.objects.filter(provider=draft).first()
    assert (event.action, event.actor, event.reason) == (action, official_wuhou, reason)
    notice = Notification.objects.get(recipient=staff_a, kind="review_decision")
    assert notice.body == reason  # the provider sees why


@pytest.mark.parametrize("action", ["reject", "return"])
def test_refusals_need_a_reason(draft, staff_a, official_wuhou, action):
    _submit(draft, staff_a)
    with pytest.raises(ProviderError) as exc:
        review.provider_transition(provider=draft, action=action, actor=official_wuhou)
    assert exc.value.field == "reason"
    draft.refresh_from_db()
    assert draft.status == Provider.Status.SUBMITTED


def test_an_official_of_another_district_cannot_decide(draft, staff_a, official_jinjiang):
    _submit(draft, staff_a)
    with pytest.raises(NotAllowed):
        review.provider_transition(provider=draft, action="approve", actor=official_jinjiang)


def test_an_official_of_another_department_cannot_decide(draft, staff_a):
    health_official = OfficialFactory(jurisdiction_id="510107", department="health")
    _submit(draft, staff_a)
    with pytest.raises(NotAllowed):
        review.provider_transition(provider=draft, action="approve", actor=health_official)


def test_a_city_official_of_the_right_department_decides_anywhere_in_the_city(
    draft, staff_a, official_city
):
    _submit(draft, staff_a)
    provider = review.provider_transition(provider=draft, action="approve", actor=official_city)
    assert provider.status == Provider.Status.APPROVED


def test_providers_cannot_decide_their_own_registration(draft, staff_a):
    _submit(draft, staff_a)
    with pytest.raises(NotAllowed):
        review.provider_transition(provider=draft, action="approve", actor=staff_a)


def test_suspend_reinstate_and_revoke(provider_a, official_wuhou):
    for action, status in [
        ("suspend", "suspended"),
        ("reinstate", "approved"),
        ("revoke", "revoked"),
    ]:
        provider = review.provider_transition(
            provider=provider_a, action=action, actor=official_wuhou, reason="监督检查"
        )
        assert provider.status == status
    assert list(
        ReviewEvent.objects.filter(provider=provider_a).values_list("action", flat=True)
    ) == ["revoke", "reinstate", "suspend"]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "approve"),
        ("approved", "approve"),
        ("revoked", "reinstate"),
        ("submitted", "suspend"),
        ("approved", "submit"),
    ],
)
def test_transitions_from_the_wrong_state_are_refused(
    provider_a, staff_a, official_wuhou, status, action
):
    provider_a.status = status
    provider_a.save()
    actor = staff_a if action == "submit" else official_wuhou
    with pytest.raises(ProviderError) as exc:
        review.provider_transition(provider=provider_a, action=action, actor=actor, reason="x")
    assert exc.value.code == "invalid_transition"


def test_the_review_queue_shows_the_officials_jurisdiction_and_department(
    official_wuhou, official_jinjiang
):
    mine = ProviderFactory(status="submitted", division_id="510107", domains=["eldercare"])
    ProviderFactory(status="submitted", division_id="510104", domains=["eldercare"])
    ProviderFactory(status="submitted", division_id="510107", domains=["health"])
    ProviderFactory(status="approved", division_id="510107", domains=["eldercare"])

    from providers.selectors import review_queue, review_queue_summary

    assert list(review_queue(official=official_wuhou)) == [mine]
    summary = review_queue_summary(official=official_wuhou)
    assert summary["total"] == 1
    assert (
        summary["ages"]["under_3"] + summary["ages"]["days_3_to_7"] + summary["ages"]["over_7"] == 0
    )  # submitted_at unset by the factory


def test_the_decision_page_flow(client, draft, staff_a, official_wuhou):
    _submit(draft, staff_a)
    client.force_login(official_wuhou)
    page = client.get(reverse("providers:official-detail", args=[draft.pk])).content.decode()
    assert "审核通过" in page

    client.post(
        reverse("providers:official-decide", args=[draft.pk, "return"]),
        {"reason": "请补充消防验收材料"},
    )

    draft.refresh_from_db()
    assert draft.status == Provider.Status.RETURNED
    client.force_login(staff_a)
    page = client.get(reverse("providers:staff-detail", args=[draft.pk])).content.decode()
    assert "请补充消防验收材料" in page


def test_the_decision_page_refuses_an_official_of_another_district(
    client, draft, staff_a, official_jinjiang
):
    _submit(draft, staff_a)
    client.force_login(official_jinjiang)
    response = client.post(reverse("providers:official-decide", args=[draft.pk, "approve"]))
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Provider.Status.SUBMITTED


def test_the_api_runs_the_same_workflow_with_field_errors(
    api_client, draft, staff_a, official_wuhou, official_jinjiang
):
    api_client.force_authenticate(staff_a)
    assert (
        api_client.post(
            f"/api/v1/providers/{draft.pk}/transitions/", {"action": "submit"}, format="json"
        ).status_code
        == 200
    )
    api_client.force_authenticate(official_jinjiang)
    assert (
        api_client.post(
            f"/api/v1/providers/{draft.pk}/transitions/", {"action": "approve"}, format="json"
        ).status_code
        == 404
    )
    api_client.force_authenticate(official_wuhou)
    bad = api_client.post(
        f"/api/v1/providers/{draft.pk}/transitions/", {"action": "reject"}, format="json"
    )
    assert bad.status_code == 400
    assert "reason" in bad.json()["fields"]
    unknown = api_client.post(
        f"/api/v1/providers/{draft.pk}/transitions/", {"action": "bless"}, format="json"
    )
    assert "action" in unknown.json()["fields"]
    ok = api_client.post(
        f"/api/v1/providers/{draft.pk}/transitions/", {"action": "approve"}, format="json"
    )
    assert ok.json()["status"] == "approved"


def test_a_mixed_organisation_needs_every_supervising_department(
    staff_a, provider_a, official_wuhou
):
    """医养结合: eldercare (民政) and health (卫健) must both approve."""
    from providers.selectors import review_queue

    provider_a.status = Provider.Status.DRAFT
    provider_a.domains = ["eldercare", "health"]
    provider_a.save()
    BranchFactory(provider=provider_a)
    LicenceFactory(provider=provider_a)
    LicenceFactory(provider=provider_a, kind="medical_practice")
    health_official = OfficialFactory(jurisdiction_id="510107", department="health")
    _submit(provider_a, staff_a)

    provider = review.provider_transition(
        provider=provider_a, action="approve", actor=official_wuhou
    )
    assert provider.status == Provider.Status.SUBMITTED  # 卫健 has not decided yet
    assert provider.approved_domains == ["eldercare"]
    assert list(review_queue(official=official_wuhou)) == []
    assert list(review_queue(official=health_official)) == [provider_a]
    with pytest.raises(ProviderError, match="已审核通过"):
        review.provider_transition(provider=provider_a, action="approve", actor=official_wuhou)

    provider = review.provider_transition(
        provider=provider_a, action="approve", actor=health_official
    )
    assert provider.status == Provider.Status.APPROVED
    assert provider.approved_domains == ["eldercare", "health"]


def test_a_draft_cannot_take_the_code_of_a_registered_organisation(provider_a, staff_b):
    from providers.services.registration import provider_create

    with pytest.raises(ProviderError, match="已被其他机构登记") as exc:
        provider_create(
            owner=staff_b,
            name="冒名机构",
            credit_code=provider_a.credit_code,
            division_code="510104",
            domains=["childcare"],
        )
    assert exc.value.field == "credit_code"


def test_of_two_drafts_with_one_code_only_the_first_submitted_gets_it(staff_a, staff_b):
    from providers.services.registration import provider_create

    code = "91350100M000100Y43"
    first = provider_create(
        owner=staff_a,
        name="甲",
        credit_code=code,
        division_code="510107",
        domains=["eldercare"],
        legal_representative="甲",
        contact_phone="028-85551234",
    )
    second = provider_create(
        owner=staff_b,
        name="乙",
        credit_code=code,
        division_code="510107",
        domains=["eldercare"],
        legal_representative="乙",
        contact_phone="028-85551235",
    )
    for provider in (first, second):
        BranchFactory(provider=provider)
        LicenceFactory(provider=provider)
    _submit(first, staff_a)

    with pytest.raises(ProviderError) as exc:
        _submit(second, staff_b)

    assert exc.value.code == "credit_code_taken"
    second.refresh_from_db()
    assert second.status == Provider.Status.DRAFT
