"""The resident's and the provider's booking pages, through the test client."""

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from services.models import Booking, Payment
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    SlotFactory,
    book,
    pay,
    public_listing,
)


@pytest.fixture
def listing(provider_a):
    return public_listing(provider_a, price_fen=1500)


@pytest.fixture
def slot(listing):
    return SlotFactory(listing=listing, capacity=3)


def test_the_listing_page_offers_booking_and_states_the_policy(client, listing, slot):
    page = client.get(reverse("services:public-detail", args=[listing.pk])).content.decode()
    assert reverse("services:book", args=[listing.pk, slot.pk]) in page
    assert "取消" in page
    assert "监管" in page


def test_a_resident_books_pays_and_sees_the_hold(client, wang_fang, listing, slot):
    client.force_login(wang_fang)
    url = reverse("services:book", args=[listing.pk, slot.pk])
    form = client.get(url)
    token = form.context["form"].initial["token"]

    response = client.post(url, {"token": token, "person": "self", "note": ""})
    booking = Booking.objects.get(resident=wang_fang)
    payment = booking.payments.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "services:sandbox-cashier", args=[payment.gateway_reference]
    )

    again = client.post(url, {"token": token, "person": "self", "note": ""})  # double click
    assert again.status_code == 302
    assert Booking.objects.filter(resident=wang_fang).count() == 1

    client.post(response["Location"], {"outcome": "pay"})
    payment.refresh_from_db()
    assert payment.status == Payment.Status.HELD
    page = client.get(reverse("services:my-booking", args=[booking.pk])).content.decode()
    assert "已冻结" in page


def test_booking_for_someone_elses_family_member_is_refused(
    client, wang_fang, daughter, listing, slot
):
    theirs = DependantFactory(owner=daughter)
    client.force_login(wang_fang)
    url = reverse("services:book", args=[listing.pk, slot.pk])
    response = client.post(url, {"token": "t-1", "person": str(theirs.pk)})
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not Booking.objects.exists()


def test_a_full_slot_is_explained_on_the_form(client, wang_fang, daughter, listing):
    full = SlotFactory(listing=listing, capacity=1)
    book(daughter, full)
    client.force_login(wang_fang)
    response = client.post(
        reverse("services:book", args=[listing.pk, full.pk]), {"token": "t-2", "person": "self"}
    )
    assert "已约满" in response.content.decode()


def test_providers_and_anonymous_visitors_cannot_book(client, staff_a, listing, slot):
    url = reverse("services:book", args=[listing.pk, slot.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(staff_a)
    assert client.get(url).status_code == 403


def test_another_resident_cannot_see_my_booking(client, wang_fang, daughter, slot):
    booking = book(wang_fang, slot)
    client.force_login(daughter)
    assert client.get(reverse("services:my-booking", args=[booking.pk])).status_code == 404


def test_the_resident_cancels_and_is_refunded(client, wang_fang, slot):
    booking = book(wang_fang, slot)
    pay(booking)
    client.force_login(wang_fang)
    client.post(reverse("services:my-booking", args=[booking.pk]), {"action": "cancel"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_RESIDENT
    assert booking.payments.get().status == Payment.Status.REFUNDED


def test_the_desk_confirms_with_htmx_and_masks_names(client, staff_a, wang_fang, slot):
    booking = book(wang_fang, slot)
    pay(booking)
    client.force_login(staff_a)
    desk = client.get(reverse("services:desk", args=[slot.listing.provider_id]) + "?view=upcoming")
    assert "王*" in desk.content.decode()
    assert "王芳" not in desk.content.decode()

    row = client.post(
        reverse("services:desk-action", args=[booking.pk]),
        {"action": "confirm"},
        HTTP_HX_REQUEST="true",
    )
    assert row.status_code == 200
    assert "已确认" in row.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_an_illegal_desk_action_is_shown_in_the_row(client, staff_a, wang_fang, slot):
    booking = book(wang_fang, slot)
    client.force_login(staff_a)
    row = client.post(
        reverse("services:desk-action", args=[booking.pk]),
        {"action": "complete"},
        HTTP_HX_REQUEST="true",
    )
    assert "不能" in row.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_another_providers_staff_cannot_touch_the_booking(client, staff_b, wang_fang, slot):
    booking = book(wang_fang, slot)
    client.force_login(staff_b)
    assert (
        client.post(
            reverse("services:desk-action", args=[booking.pk]), {"action": "confirm"}
        ).status_code
        == 404
    )
    assert client.get(reverse("services:staff-booking", args=[booking.pk])).status_code == 404
    assert client.get(reverse("services:desk", args=[slot.listing.provider_id])).status_code == 404


def test_staff_reading_contact_details_is_audit_logged(client, staff_a, wang_fang, slot):
    address = AddressFactory(owner=wang_fang)
    booking = book(wang_fang, slot)
    client.force_login(staff_a)
    page = client.get(reverse("services:staff-booking", args=[booking.pk])).content.decode()
    assert wang_fang.phone in page
    entry = AuditEntry.objects.get(action="personal_data.read", subject=wang_fang)
    assert entry.actor == staff_a
    assert address  # the booking itself is at the branch, so no address is shown
    assert address.detail not in page


def test_the_csv_export_is_masked_and_logged(client, staff_a, wang_fang, slot):
    book(wang_fang, slot)
    client.force_login(staff_a)
    response = client.get(reverse("services:desk-export", args=[slot.listing.provider_id]))
    body = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "王*" in body
    assert "王芳" not in body
    assert wang_fang.phone not in body
    assert AuditEntry.objects.filter(action="booking.export", actor=staff_a).exists()


def test_the_week_calendar_lists_the_booking(client, staff_a, wang_fang, slot):
    booking = book(wang_fang, slot)
    client.force_login(staff_a)
    start = slot.starts_at.date().isoformat()
    page = client.get(
        reverse("services:desk-calendar", args=[slot.listing.provider_id]) + f"?start={start}"
    )
    assert reverse("services:staff-booking", args=[booking.pk]) in page.content.decode()


def test_resident_record_pages_render(client, wang_fang):
    client.force_login(wang_fang)
    for name in (
        "my-bookings",
        "my-family",
        "my-addresses",
        "my-plans",
        "my-payments",
        "my-doctor",
    ):
        assert client.get(reverse(f"services:{name}")).status_code == 200, name


def test_adding_a_family_member_needs_an_authority(client, wang_fang):
    client.force_login(wang_fang)
    response = client.post(
        reverse("services:my-family"), {"name": "王建国", "relationship": "parent"}
    )
    assert response.status_code == 200
    assert "authority" in response.context["form"].errors
    client.post(
        reverse("services:my-family"),
        {"name": "王建国", "relationship": "parent", "authority": "consent"},
    )
    assert wang_fang.dependants.count() == 1


def test_an_address_outside_china_is_refused(client, wang_fang):
    client.force_login(wang_fang)
    response = client.post(
        reverse("services:my-addresses"),
        {
            "label": "家",
            "division": "510107",
            "detail": "某街 1 号",
            "latitude": "48.85",
            "longitude": "2.35",
        },
    )
    assert "坐标不在中国境内" in response.content.decode()
    assert not wang_fang.addresses.exists()


def test_records_of_another_resident_do_not_exist_for_me(client, wang_fang, daughter):
    theirs = DependantFactory(owner=daughter)
    their_address = AddressFactory(owner=daughter)
    client.force_login(wang_fang)
    assert client.post(reverse("services:my-family-remove", args=[theirs.pk])).status_code == 404
    assert (
        client.post(reverse("services:my-address-delete", args=[their_address.pk])).status_code
        == 404
    )
    mine = AddressFactory(owner=wang_fang)
    client.post(reverse("services:my-address-delete", args=[mine.pk]))
    assert not wang_fang.addresses.exists()
    assert daughter.addresses.count() == 1
