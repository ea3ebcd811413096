"""The happy path end to end: book, pay into escrow, confirm, serve, complete, capture."""

from services.models import Booking, BookingEvent, Payment
from services.services.bookings import booking_transition
from services.services.ledger import Kind, account, balance, escrow_balance, ledger_reconcile
from tests.services.factories import SlotFactory, book, pay, public_listing


def test_a_paid_booking_is_held_then_captured_on_completion(wang_fang, provider_a, staff_a):
    listing = public_listing(provider_a, price_fen=3000)
    slot = SlotFactory(listing=listing, capacity=2)

    booking = book(wang_fang, slot)
    slot.refresh_from_db()
    assert slot.remaining == 1
    assert booking.status == Booking.Status.REQUESTED
    assert booking.payments.get().status == Payment.Status.PENDING
    assert escrow_balance(provider=provider_a) == 0

    pay(booking)
    assert booking.payments.get().status == Payment.Status.HELD
    assert escrow_balance(provider=provider_a) == 3000

    for action in ("confirm", "start", "complete"):
        booking = booking_transition(booking=booking, action=action, actor=staff_a)
    assert booking.status == Booking.Status.COMPLETED
    payment = booking.payments.get()
    assert payment.status == Payment.Status.CAPTURED
    assert payment.captured_fen == 3000
    assert escrow_balance(provider=provider_a) == 0
    assert balance(account(Kind.PROVIDER_RECEIVABLE, provider=provider_a)) == 3000
    assert list(
        BookingEvent.objects.filter(booking=booking).values_list("to_status", flat=True)
    ) == ["requested", "confirmed", "in_service", "completed"]
    report = ledger_reconcile()
    assert report.ok, report.problems
