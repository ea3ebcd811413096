"""Credit pages and API: who sees whose credit, the public 红黑名单 without personal data,
officials' forms and queue, the provider's appeal form, and the booking refusal over the API."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from ratings.models import CreditAppeal, CreditEvent, CreditListEntry
from ratings.services import credit
from tests.providers.factories import PDF_BYTES, ProviderFactory
from tests.ratings.factories import CreditAppealFactory, CreditEventFactory, CreditListEntryFactory
from tests.services.factories import SlotFactory, public_listing

LISTS_API = "/api/v1/credit/lists/"
APPEALS_API = "/api/v1/credit/appeals/"
BASIS = "《养老机构管理办法》第四十六条"


def pdf(name="evidence.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def official_page(provider) -> str:
    return reverse("ratings:credit-official", args=[provider.pk])


def provider_page(provider) -> str:
    return reverse("ratings:credit-provider", args=[provider.pk])


def credit_api(provider) -> str:
    return f"/api/v1/providers/{provider.pk}/credit/"


@pytest.fixture
def listed(provider_a, provider_b):
    """Provider A on the black list, provider B on the red list."""
    return (
        CreditListEntryFactory(provider=provider_a, reason="虐待老人，情节严重", basis=BASIS),
        CreditListEntryFactory(
            provider=provider_b, list="red", reason="守信示范单位", basis="守信激励办法"
        ),
    )


# --- Public -------------------------------------------------------------------------------------


def test_the_public_lists_show_organisations_and_no_people(
    client, listed, provider_a, django_assert_max_num_queries
):
    removed = ProviderFactory(name="已移出的机构")
    CreditListEntryFactory(provider=removed, removed_at=timezone.now())
    with django_assert_max_num_queries(3):
        response = client.get(reverse("ratings:credit-public-lists"))
    assert response.status_code == 200
    text = response.content.decode()
    assert provider_a.name in text
    assert "虐待老人，情节严重" in text
    assert BASIS in text
    assert "已移出的机构" not in text
    # Neither the legal representative nor the listing official.
    assert provider_a.legal_representative not in text
    assert listed[0].created_by.name not in text

    black = client.get(reverse("ratings:credit-public-lists"), {"list": "black"})
    assert "守信示范单位" not in black.content.decode()


def test_the_public_lists_api(api_client, listed, provider_a, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = api_client.get(LISTS_API)
    assert response.status_code == 200
    rows = response.data["results"]
    assert len(rows) == 2
    assert set(rows[0]) == {
        "id",
        "provider_name",
        "list",
        "list_label",
        "reason",
        "basis",
        "starts_on",
        "ends_on",
    }
    black = api_client.get(LISTS_API, {"list": "black"}).data["results"]
    assert [row["provider_name"] for row in black] == [provider_a.name]
    bad = api_client.get(LISTS_API, {"list": "grey"})
    assert bad.status_code == 400
    assert "list" in bad.data["fields"]


# --- Officials' pages ---------------------------------------------------------------------------


def test_only_covering_officials_see_a_providers_credit_page(
    client, provider_a, official_wuhou, official_city, official_jinjiang, wang_fang
):
    CreditEventFactory(provider=provider_a, note="护理记录造假")
    client.force_login(official_wuhou)
    response = client.get(official_page(provider_a))
    assert response.status_code == 200
    assert "护理记录造假" in response.content.decode()
    client.force_login(official_city)
    assert client.get(official_page(provider_a)).status_code == 200
    client.force_login(official_jinjiang)
    assert client.get(official_page(provider_a)).status_code == 404
    client.force_login(wang_fang)
    assert client.get(official_page(provider_a)).status_code == 403
    client.logout()
    assert client.get(official_page(provider_a)).status_code == 302


def test_an_official_black_lists_and_removes_through_the_page(
    client, provider_a, official_wuhou, django_capture_on_commit_callbacks
):
    client.force_login(official_wuhou)
    add = reverse("ratings:credit-list-add", args=[provider_a.pk])
    form = {
        "list": "black",
        "reason": "虐待老人",
        "basis": BASIS,
        "starts_on": timezone.localdate().isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, form)
    assert response.status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.BLACKLISTED

    again = client.post(add, form)
    assert again.status_code == 400
    assert "该机构已在此名单中。" in again.content.decode()

    entry = CreditListEntry.objects.get(provider=provider_a)
    remove = reverse("ratings:credit-list-remove", args=[provider_a.pk, entry.pk])
    assert client.post(remove, {"reason": ""}).status_code == 302
    entry.refresh_from_db()
    assert entry.removed_at is None  # no reason, no removal
    with django_capture_on_commit_callbacks(execute=True):
        client.post(remove, {"reason": "整改到位"})
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.NORMAL


def test_bad_list_input_is_shown_on_the_form(client, provider_a, official_wuhou):
    client.force_login(official_wuhou)
    response = client.post(
        reverse("ratings:credit-list-add", args=[provider_a.pk]),
        {"list": "black", "reason": "", "basis": BASIS, "starts_on": "2020-13-01"},
    )
    assert response.status_code == 400
    assert response.context["list_form"].errors.keys() == {"reason", "starts_on"}
    assert not CreditListEntry.objects.exists()


def test_an_official_commends_through_the_page(client, provider_a, official_wuhou):
    client.force_login(official_wuhou)
    url = reverse("ratings:credit-commend", args=[provider_a.pk])
    today = timezone.localdate().isoformat()
    assert client.post(url, {"occurred_on": today, "note": "抗疫表彰"}).status_code == 302
    assert CreditEvent.objects.get(provider=provider_a).points == 10
    assert client.post(url, {"occurred_on": today, "note": ""}).status_code == 400


def test_officials_outside_the_jurisdiction_cannot_post(client, provider_a, official_jinjiang):
    client.force_login(official_jinjiang)
    response = client.post(
        reverse("ratings:credit-list-add", args=[provider_a.pk]),
        {"list": "black", "reason": "越权", "basis": BASIS, "starts_on": "2025-01-01"},
    )
    assert response.status_code == 404
    assert not CreditListEntry.objects.exists()


def test_the_officials_lists_page_shows_their_jurisdiction(
    client, listed, provider_a, provider_b, official_wuhou, official_city
):
    client.force_login(official_wuhou)
    text = client.get(reverse("ratings:credit-lists")).content.decode()
    assert provider_a.name in text
    assert provider_b.name not in text
    client.force_login(official_city)
    text = client.get(reverse("ratings:credit-lists")).content.decode()
    assert provider_a.name in text
    assert provider_b.name in text


def test_officials_pages_read_a_fixed_number_of_queries(
    client, official_wuhou, provider_a, django_assert_max_num_queries
):
    for _ in range(5):
        other = ProviderFactory(division_id="510107")
        CreditListEntryFactory(provider=other)
        CreditAppealFactory(event__provider=other)
        CreditAppealFactory(event__provider=provider_a)
    client.force_login(official_wuhou)
    pages = [
        (reverse("ratings:credit-lists"), 5),
        (reverse("ratings:credit-appeals"), 5),
        (official_page(provider_a), 9),
    ]
    for url, queries in pages:
        with django_assert_max_num_queries(queries):
            assert client.get(url).status_code == 200


def test_the_workbench_links_to_credit_supervision(client, official_wuhou):
    client.force_login(official_wuhou)
    response = client.get(reverse("workbench-official"))
    assert reverse("ratings:credit-lists") in response.content.decode()


def test_the_appeal_queue_and_decision(
    client, provider_a, provider_b, staff_a, official_wuhou, official_jinjiang
):
    mine = CreditAppealFactory(event__provider=provider_a, statement="消防通道已清理")
    other = CreditAppealFactory(event__provider=provider_b, statement="托育人员已补证")
    client.force_login(official_wuhou)
    text = client.get(reverse("ratings:credit-appeals")).content.decode()
    assert "消防通道已清理" in text
    assert "托育人员已补证" not in text

    decide = reverse("ratings:credit-appeal-decide", args=[other.pk])
    assert client.post(decide, {"decision": "grant"}).status_code == 404
    decide = reverse("ratings:credit-appeal-decide", args=[mine.pk])
    assert client.post(decide, {"decision": "grant"}).status_code == 302
    mine.refresh_from_db()
    mine.event.refresh_from_db()
    assert mine.status == CreditAppeal.Status.GRANTED
    assert mine.event.voided_at is not None


# --- The provider's page ------------------------------------------------------------------------


def test_provider_staff_see_their_own_credit_only(client, provider_a, staff_a, staff_b):
    CreditEventFactory(provider=provider_a, note="投诉经查属实")
    client.force_login(staff_a)
    response = client.get(provider_page(provider_a))
    assert response.status_code == 200
    assert "投诉经查属实" in response.content.decode()
    client.force_login(staff_b)
    assert client.get(provider_page(provider_a)).status_code == 404


def test_provider_staff_appeal_with_evidence(client, provider_a, staff_a, official_wuhou, staff_b):
    event = CreditEventFactory(provider=provider_a)
    client.force_login(staff_a)
    page = provider_page(provider_a)
    bad = client.post(
        page, {"event": event.pk, "statement": "已整改", "evidence": pdf("x.pdf", b"GIF89a...")}
    )
    assert bad.status_code == 400
    assert "只能上传" in bad.content.decode()
    response = client.post(page, {"event": event.pk, "statement": "已整改", "evidence": pdf()})
    assert response.status_code == 302
    appeal = CreditAppeal.objects.get()
    assert appeal.evidence_type == "application/pdf"

    # The event cannot be appealed twice while the first appeal is open.
    again = client.post(page, {"event": event.pk, "statement": "再次"})
    assert again.status_code == 400

    evidence = reverse("ratings:credit-appeal-evidence", args=[appeal.pk])
    assert client.get(evidence).status_code == 200
    client.force_login(official_wuhou)
    assert client.get(evidence).status_code == 200
    client.force_login(staff_b)
    assert client.get(evidence).status_code == 404


# --- API ----------------------------------------------------------------------------------------


def test_the_provider_credit_api_is_for_its_staff_and_covering_officials(
    api_client, provider_a, staff_a, staff_b, official_wuhou, official_jinjiang, wang_fang
):
    CreditEventFactory(provider=provider_a)
    credit.credit_grade_refresh(provider=provider_a)
    for user in (staff_a, official_wuhou):
        api_client.force_authenticate(user)
        response = api_client.get(credit_api(provider_a))
        assert response.status_code == 200
        assert (response.data["score"], response.data["grade"]) == (90, "B")
        assert response.data["events"][0]["points"] == -10
    for user in (staff_b, official_jinjiang, wang_fang):
        api_client.force_authenticate(user)
        assert api_client.get(credit_api(provider_a)).status_code == 404
    api_client.force_authenticate(None)
    assert api_client.get(credit_api(provider_a)).status_code in (401, 403)


def test_officials_list_through_the_api(
    api_client, provider_a, official_wuhou, official_jinjiang, staff_a
):
    body = {
        "provider": str(provider_a.pk),
        "list": "black",
        "reason": "虐待老人",
        "basis": BASIS,
        "starts_on": timezone.localdate().isoformat(),
    }
    api_client.force_authenticate(staff_a)
    assert api_client.post(LISTS_API, body, format="json").status_code == 403
    api_client.force_authenticate(official_jinjiang)
    refused = api_client.post(LISTS_API, body, format="json")
    assert refused.status_code == 403
    assert refused.data["code"] == "out_of_jurisdiction"
    api_client.force_authenticate(official_wuhou)
    bad = api_client.post(LISTS_API, {**body, "reason": "", "ends_on": "x"}, format="json")
    assert bad.status_code == 400
    assert set(bad.data["fields"]) == {"reason", "ends_on"}
    created = api_client.post(LISTS_API, body, format="json")
    assert created.status_code == 201
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.BLACKLISTED
    duplicate = api_client.post(LISTS_API, body, format="json")
    assert duplicate.status_code == 409

    remove = f"/api/v1/credit/lists/{created.data['id']}/remove/"
    api_client.force_authenticate(official_jinjiang)
    assert api_client.post(remove, {"reason": "越权"}, format="json").status_code == 404
    api_client.force_authenticate(official_wuhou)
    removed = api_client.post(remove, {"reason": "整改到位"}, format="json")
    assert removed.status_code == 200
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.NORMAL


def test_appeals_through_the_api(
    api_client, provider_a, staff_a, staff_b, official_wuhou, official_jinjiang
):
    event = CreditEventFactory(provider=provider_a)
    api_client.force_authenticate(staff_b)
    response = api_client.post(APPEALS_API, {"event": event.pk, "statement": "冒名"})
    assert response.status_code == 400
    assert "event" in response.data["fields"]

    api_client.force_authenticate(staff_a)
    created = api_client.post(
        APPEALS_API, {"event": event.pk, "statement": "已整改", "evidence": pdf()}
    )
    assert created.status_code == 201, created.data
    assert created.data["has_evidence"] is True
    again = api_client.post(APPEALS_API, {"event": event.pk, "statement": "再次"})
    assert again.status_code == 409

    decide = f"/api/v1/credit/appeals/{created.data['id']}/decide/"
    api_client.force_authenticate(official_jinjiang)
    assert api_client.post(decide, {"grant": True}, format="json").status_code == 404
    api_client.force_authenticate(official_wuhou)
    no_reason = api_client.post(decide, {"grant": False}, format="json")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.data["fields"]
    granted = api_client.post(decide, {"grant": True}, format="json")
    assert granted.status_code == 200
    assert granted.data["status"] == "granted"
    event.refresh_from_db()
    assert event.voided_at is not None


def test_an_official_commends_through_the_api(api_client, provider_a, official_wuhou, staff_a):
    url = f"/api/v1/providers/{provider_a.pk}/credit/commendations/"
    body = {"occurred_on": timezone.localdate().isoformat(), "note": "抗疫表彰"}
    api_client.force_authenticate(staff_a)
    assert api_client.post(url, body, format="json").status_code == 403
    api_client.force_authenticate(official_wuhou)
    response = api_client.post(url, body, format="json")
    assert response.status_code == 201
    assert response.data["points"] == 10


def test_a_black_listed_providers_old_slot_gets_a_clear_refusal(
    api_client, provider_a, official_wuhou, wang_fang, django_capture_on_commit_callbacks
):
    slot = SlotFactory(listing=public_listing(provider_a))
    with django_capture_on_commit_callbacks(execute=True):
        credit.list_add(
            official=official_wuhou,
            provider=provider_a,
            list="black",
            reason="虐待老人",
            basis=BASIS,
            starts_on=timezone.localdate(),
        )
    api_client.force_authenticate(wang_fang)
    response = api_client.post(
        "/api/v1/bookings/", {"slot": slot.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert response.status_code == 409
    assert response.data["code"] == "provider_suspended"
    assert response.data["detail"] == "该机构因信用问题暂停接受预约。"
