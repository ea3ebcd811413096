"""A resident's booking data in their export, and what closing the account does to it."""

from portal.accounts.personal_data import export_for
from portal.accounts.services import user_erase
from services.models import Address, Booking, Dependant, Payment
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    SlotFactory,
    book,
    pay,
    public_listing,
)


def test_the_export_holds_bookings_payments_family_and_addresses(wang_fang, provider_a):
    father = DependantFactory(owner=wang_fang, care_notes="高血压")
    AddressFactory(owner=wang_fang)
    booking = book(wang_fang, SlotFactory(listing=public_listing(provider_a)), dependant=father)
    pay(booking)
    sections = export_for(wang_fang)["sections"]
    assert sections["bookings"][0]["reference"] == booking.reference
    assert sections["bookings"][0]["for"] == "王建国"
    assert sections["payments"][0]["status"] == "held"
    assert sections["family"]["family_members"][0]["care_notes"] == "高血压"
    assert sections["family"]["addresses"][0]["detail"].startswith("武侯区")


def test_erasure_cancels_and_refunds_active_bookings_and_removes_family_data(
    wang_fang, password, provider_a
):
    father = DependantFactory(owner=wang_fang, care_notes="高血压", phone="+8613800000199")
    AddressFactory(owner=wang_fang)
    booking = book(
        wang_fang, SlotFactory(listing=public_listing(provider_a)), dependant=father, note="请敲门"
    )
    pay(booking)

    user_erase(user=wang_fang, password=password)

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED_BY_RESIDENT
    assert booking.note == ""
    assert booking.payments.get().status == Payment.Status.REFUNDED
    assert not Address.objects.filter(owner=wang_fang).exists()
    father = Dependant.objects.get(pk=father.pk)
    assert (father.name, father.phone, father.care_notes) == ("已注销", "", "")
