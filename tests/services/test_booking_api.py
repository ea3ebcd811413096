"""The bookings API: residents, the provider's desk and bulk actions, gateway callbacks."""

import json

import pytest

from services.gateways.sandbox import SandboxGateway
from services.models import Booking, JournalEntry, Payment
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    SlotFactory,
    book,
    pay,
    public_listing,
)

BOOKINGS = "/api/v1/bookings/"


@pytest.fixture
def slot(provider_a):
    return SlotFactory(listing=public_listing(provider_a, price_fen=2000), capacity=2)


def test_create_is_idempotent_by_header(api_client, wang_fang, slot):
    api_client.force_authenticate(wang_fang)
    first = api_client.post(BOOKINGS, {"slot": slot.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api_client.post(BOOKINGS, {"slot": slot.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.data["id"] == again.data["id"]
    assert first.data["payments"][0]["status"] == "pending"
    assert first.data["payments"][0]["cashier_url"]
    slot.refresh_from_db()
    assert slot.remaining == 1


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({"slot": 1}, {}, "idempotency_key"),
        ({"slot": "abc"}, {"HTTP_IDEMPOTENCY_KEY": "k"}, "slot"),
        ({"slot": 999999}, {"HTTP_IDEMPOTENCY_KEY": "k"}, "slot"),
        ({"slot": 1, "dependant": 999999}, {"HTTP_IDEMPOTENCY_KEY": "k"}, "dependant"),
        ({"slot": 1, "idempotency_key": "x" * 65}, {}, "idempotency_key"),
    ],
)
def test_bad_input_names_the_field(api_client, wang_fang, slot, body, headers, field):
    api_client.force_authenticate(wang_fang)
    if body.get("slot") == 1:
        body["slot"] = slot.pk
    response = api_client.post(BOOKINGS, body, format="json", **headers)
    assert response.status_code == 400, response.data
    assert field in response.data["fields"]
    assert not Booking.objects.exists()


def test_a_full_slot_is_a_409(api_client, wang_fang, daughter, provider_a):
    full = SlotFactory(listing=public_listing(provider_a), capacity=1)
    book(daughter, full)
    api_client.force_authenticate(wang_fang)
    response = api_client.post(BOOKINGS, {"slot": full.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert response.status_code == 409
    assert response.data["code"] == "slot_full"


def test_booking_for_a_dependant_and_cancelling(api_client, wang_fang, slot):
    father = DependantFactory(owner=wang_fang)
    api_client.force_authenticate(wang_fang)
    created = api_client.post(
        BOOKINGS, {"slot": slot.pk, "dependant": father.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert created.data["dependant"] == father.pk
    quote = api_client.get(f"{BOOKINGS}{created.data['id']}/cancellation-quote/")
    assert quote.data["free"] is True
    cancelled = api_client.post(
        f"{BOOKINGS}{created.data['id']}/cancel/", {"reason": "改天"}, format="json"
    )
    assert cancelled.data["status"] == "cancelled_by_resident"
    illegal = api_client.post(f"{BOOKINGS}{created.data['id']}/cancel/", {}, format="json")
    assert illegal.status_code == 409
    assert illegal.data["code"] == "illegal_transition"


def test_residents_only_see_their_own_bookings(api_client, wang_fang, daughter, slot, staff_a):
    booking = book(wang_fang, slot)
    api_client.force_authenticate(daughter)
    assert api_client.get(f"{BOOKINGS}{booking.pk}/").status_code == 404
    assert api_client.get(BOOKINGS).data["count"] == 0
    api_client.force_authenticate(staff_a)
    assert api_client.get(BOOKINGS).status_code == 403


def test_the_provider_desk_api_masks_the_person(api_client, wang_fang, staff_a, staff_b, slot):
    book(wang_fang, slot)
    url = f"/api/v1/providers/{slot.listing.provider_id}/bookings/"
    api_client.force_authenticate(staff_a)
    rows = api_client.get(url).data["results"]
    assert rows[0]["person"] == "王*"
    assert "*" in rows[0]["phone"]
    assert api_client.get(url + "?view=nonsense").status_code == 400
    api_client.force_authenticate(staff_b)
    assert api_client.get(url).status_code == 404


def test_bulk_actions_are_all_or_nothing(api_client, wang_fang, daughter, staff_a, slot):
    paid = book(wang_fang, slot)
    pay(paid)
    unpaid = book(daughter, slot)
    url = f"/api/v1/providers/{slot.listing.provider_id}/bookings/bulk/"
    api_client.force_authenticate(staff_a)
    items = [
        {"booking": str(paid.pk), "action": "confirm"},
        {"booking": str(unpaid.pk), "action": "confirm"},
    ]
    refused = api_client.post(url, {"items": items}, format="json")
    assert refused.status_code == 400
    assert list(refused.data["fields"]["items"]) == ["1"]
    paid.refresh_from_db()
    assert paid.status == Booking.Status.REQUESTED  # nothing applied

    done = api_client.post(url, {"items": items[:1]}, format="json")
    assert done.status_code == 200
    assert done.data[0]["status"] == "confirmed"


def test_the_gateway_callback_checks_the_signature_and_applies_once(api_client, wang_fang, slot):
    booking = book(wang_fang, slot)
    payment = booking.payments.get()
    body, signature = SandboxGateway().charge(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )
    url = "/api/v1/payments/callbacks/sandbox/"

    forged = api_client.post(
        url, body, content_type="application/json", HTTP_X_SANDBOX_SIGNATURE="0" * 64
    )
    assert forged.status_code == 403
    tampered = json.loads(body) | {"amount_fen": 1}
    assert (
        api_client.post(
            url,
            json.dumps(tampered),
            content_type="application/json",
            HTTP_X_SANDBOX_SIGNATURE=signature,
        ).status_code
        == 403
    )
    for _ in range(2):
        ok = api_client.post(
            url, body, content_type="application/json", HTTP_X_SANDBOX_SIGNATURE=signature
        )
        assert ok.status_code == 200
        assert ok.data["status"] == "held"
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.HELD
    assert JournalEntry.objects.filter(payment=payment).count() == 1


def test_addresses_and_dependants_belong_to_their_owner(api_client, wang_fang, daughter):
    mine = AddressFactory(owner=wang_fang)
    api_client.force_authenticate(daughter)
    assert api_client.get(f"/api/v1/me/addresses/{mine.pk}/").status_code == 404
    bad = api_client.post(
        "/api/v1/me/addresses/",
        {
            "label": "家",
            "division": "999999",
            "detail": "x",
            "latitude": "30.6",
            "longitude": "104.0",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert "division" in bad.data["fields"]
    created = api_client.post(
        "/api/v1/me/dependants/",
        {"name": "王芳", "relationship": "parent", "authority": "consent"},
        format="json",
    )
    assert created.status_code == 201
    api_client.force_authenticate(wang_fang)
    assert api_client.get("/api/v1/me/dependants/").data == []
