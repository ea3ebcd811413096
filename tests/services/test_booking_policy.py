"""The booking policy: what a cancellation, a refusal, an expiry or a no-show does with the
money and the place; reschedules; staff assignment. The ledger reconciles after each."""

import datetime as dt

import pytest
import time_machine

from portal.notifications.models import Notification
from services.errors import BookingError, BookingInputError
from services.models import Booking, JournalEntry, Payment, SandboxTransaction, Slot
from services.services.bookings import (
    BookingForbidden,
    booking_assign_staff,
    booking_cancellation_quote,
    booking_reschedule,
    booking_transition,
    bookings_expire,
)
from services.services.ledger import Kind, account, balance, escrow_balance, ledger_reconcile
from tests.providers.factories import StaffMemberFactory
from tests.services.factories import DependantFactory, SlotFactory, book, pay, public_listing

pytestmark = pytest.mark.django_db

S = Booking.Status
PRICE = 3000
FEE_PCT = 20


@pytest.fixture
def listing(provider_a):
    return public_listing(
        provider_a, price_fen=PRICE, free_cancel_hours=24, late_cancel_fee_pct=FEE_PCT
    )


@pytest.fixture
def slot(listing):
    return SlotFactory(listing=listing, capacity=2)


@pytest.fixture
def paid(wang_fang, slot) -> Booking:
    booking = book(wang_fang, slot)
    pay(booking)
    return booking


def _remaining(slot) -> int:
    return Slot.objects.get(pk=slot.pk).remaining


def _receivable(provider) -> int:
    return balance(account(Kind.PROVIDER_RECEIVABLE, provider=provider))


def _reconciled():
    report = ledger_reconcile()
    assert report.ok, report.problems
    return report


def _late(booking, hours=2):
    """The clock `hours` before the start: past the free-cancellation cutoff."""
    return time_machine.travel(booking.starts_at - dt.timedelta(hours=hours), tick=False)


def _refunded_by_gateway(payment) -> int:
    return sum(
        SandboxTransaction.objects.filter(
            reference=payment.gateway_reference, kind="refund"
        ).values_list("amount_fen", flat=True)
    )


# --- Cancellation and refusal ---------------------------------------------------------------


def test_a_cancellation_before_the_cutoff_refunds_everything(wang_fang, provider_a, slot, paid):
    assert _remaining(slot) == 1

    booking_transition(booking=paid, action="cancel", actor=wang_fang)

    payment = paid.payments.get()
    assert (payment.status, payment.refunded_fen, payment.captured_fen) == (
        Payment.Status.REFUNDED,
        PRICE,
        0,
    )
    assert _refunded_by_gateway(payment) == PRICE
    assert escrow_balance(provider=provider_a) == 0
    assert _receivable(provider_a) == 0
    assert _remaining(slot) == 2
    _reconciled()


def test_a_late_cancellation_pays_the_provider_its_fee_and_refunds_the_rest(
    wang_fang, provider_a, slot, paid
):
    fee = PRICE * FEE_PCT // 100

    with _late(paid):
        booking_transition(booking=paid, action="cancel", actor=wang_fang)

    payment = paid.payments.get()
    assert (payment.status, payment.captured_fen, payment.refunded_fen) == (
        Payment.Status.PARTLY_REFUNDED,
        fee,
        PRICE - fee,
    )
    assert _refunded_by_gateway(payment) == PRICE - fee
    assert _receivable(provider_a) == fee
    assert escrow_balance(provider=provider_a) == 0
    assert _remaining(slot) == 2
    _reconciled()


def test_the_fee_share_is_the_one_copied_when_booking(wang_fang, provider_a, listing, slot, paid):
    listing.late_cancel_fee_pct = 100
    listing.save()

    with _late(paid):
        booking_transition(booking=paid, action="cancel", actor=wang_fang)

    assert _receivable(provider_a) == PRICE * FEE_PCT // 100
    _reconciled()


def test_cancelling_at_exactly_the_cutoff_is_still_free(wang_fang, provider_a, paid):
    with _late(paid, hours=24):
        booking_transition(booking=paid, action="cancel", actor=wang_fang)

    assert paid.payments.get().refunded_fen == PRICE
    assert _receivable(provider_a) == 0
    _reconciled()


@pytest.mark.parametrize("action", ["cancel_by_provider", "decline"])
def test_a_provider_refusal_refunds_everything_even_late(action, staff_a, provider_a, slot, paid):
    with _late(paid, hours=1):
        booking_transition(booking=paid, action=action, actor=staff_a)

    payment = paid.payments.get()
    assert (payment.status, payment.refunded_fen) == (Payment.Status.REFUNDED, PRICE)
    assert _receivable(provider_a) == 0
    assert escrow_balance(provider=provider_a) == 0
    assert _remaining(slot) == 2
    _reconciled()


def test_a_provider_cancels_a_confirmed_booking_and_refunds_it(staff_a, provider_a, slot, paid):
    booking_transition(booking=paid, action="confirm", actor=staff_a)

    with _late(paid, hours=1):
        booking_transition(booking=paid, action="cancel_by_provider", actor=staff_a)

    assert paid.payments.get().refunded_fen == PRICE
    assert _remaining(slot) == 2
    _reconciled()


def test_cancelling_an_unpaid_booking_voids_its_payment_and_moves_no_money(
    wang_fang, provider_a, slot
):
    booking = book(wang_fang, slot)

    with _late(booking):
        booking_transition(booking=booking, action="cancel", actor=wang_fang)

    payment = booking.payments.get()
    assert (payment.status, payment.captured_fen, payment.refunded_fen) == (
        Payment.Status.VOID,
        0,
        0,
    )
    assert not JournalEntry.objects.exists()
    assert not SandboxTransaction.objects.exists()
    assert _remaining(slot) == 2
    _reconciled()


def test_a_no_show_captures_the_fee_and_keeps_the_place(staff_a, provider_a, slot, paid):
    booking_transition(booking=paid, action="confirm", actor=staff_a)
    fee = PRICE * FEE_PCT // 100

    with time_machine.travel(paid.starts_at + dt.timedelta(minutes=15), tick=False):
        booking_transition(booking=paid, action="no_show", actor=staff_a)

    payment = paid.payments.get()
    assert (payment.captured_fen, payment.refunded_fen) == (fee, PRICE - fee)
    assert _receivable(provider_a) == fee
    assert escrow_balance(provider=provider_a) == 0
    assert _remaining(slot) == 1  # the time has passed: the place does not come back
    _reconciled()


def test_completion_pays_the_provider_less_the_platform_fee(settings, staff_a, provider_a, paid):
    settings.PLATFORM_FEE_BP = 500  # 5 %

    for action in ("confirm", "start", "complete"):
        booking_transition(booking=paid, action=action, actor=staff_a)

    assert _receivable(provider_a) == PRICE - PRICE * 5 // 100
    assert balance(account(Kind.FEES)) == PRICE * 5 // 100
    assert paid.payments.get().status == Payment.Status.CAPTURED
    _reconciled()


# --- Quotes --------------------------------------------------------------------------------------


def test_a_quote_before_the_cutoff_is_free(paid):
    now = paid.starts_at - dt.timedelta(hours=30)

    quote = booking_cancellation_quote(booking=paid, now=now)

    assert (quote.free, quote.fee_fen, quote.refund_fen) == (True, 0, PRICE)
    assert quote.free_until == paid.starts_at - dt.timedelta(hours=24)


def test_a_quote_after_the_cutoff_shows_the_fee(paid):
    now = paid.starts_at - dt.timedelta(hours=3)

    quote = booking_cancellation_quote(booking=paid, now=now)

    fee = PRICE * FEE_PCT // 100
    assert (quote.free, quote.fee_fen, quote.refund_fen) == (False, fee, PRICE - fee)


def test_a_quote_for_an_unpaid_booking_moves_no_money(wang_fang, slot):
    booking = book(wang_fang, slot)

    quote = booking_cancellation_quote(booking=booking, now=booking.starts_at)

    assert (quote.free, quote.fee_fen, quote.refund_fen) == (False, 0, 0)


def test_the_quote_is_what_the_cancellation_then_does(wang_fang, provider_a, paid):
    with _late(paid, hours=5):
        quote = booking_cancellation_quote(booking=paid)
        booking_transition(booking=paid, action="cancel", actor=wang_fang)

    payment = paid.payments.get()
    assert (quote.fee_fen, quote.refund_fen) == (payment.captured_fen, payment.refunded_fen)


# --- Reschedule ----------------------------------------------------------------------------------


def _later_slot(listing, slot, *, capacity=1, days=1):
    return SlotFactory(
        listing=listing, starts_at=slot.starts_at + dt.timedelta(days=days), capacity=capacity
    )


def test_a_reschedule_moves_the_place_and_asks_the_provider_again(
    wang_fang, staff_a, provider_a, listing, slot, paid
):
    booking_transition(booking=paid, action="confirm", actor=staff_a)
    caregiver = StaffMemberFactory(provider=provider_a)
    booking_assign_staff(booking=paid, staff=caregiver, actor=staff_a)
    new_slot = _later_slot(listing, slot)

    booking = booking_reschedule(booking=paid, new_slot_id=new_slot.pk, actor=wang_fang)

    booking.refresh_from_db()
    assert (booking.slot, booking.starts_at, booking.ends_at) == (
        new_slot,
        new_slot.starts_at,
        new_slot.ends_at,
    )
    assert (booking.status, booking.staff) == (S.REQUESTED, None)
    assert (_remaining(slot), _remaining(new_slot)) == (2, 0)
    event = booking.events.order_by("-at", "-id").first()
    assert (event.from_status, event.to_status, event.actor) == (
        S.CONFIRMED,
        S.REQUESTED,
        wang_fang,
    )
    assert booking.payments.get().status == Payment.Status.HELD
    # The money stays held: the provider may confirm the new time at once.
    assert booking_transition(booking=booking, action="confirm", actor=staff_a).status == (
        S.CONFIRMED
    )
    _reconciled()


def test_a_reschedule_tells_the_provider(
    wang_fang, staff_a, colleague_a, listing, slot, paid, django_capture_on_commit_callbacks
):
    new_slot = _later_slot(listing, slot)

    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=paid, new_slot_id=new_slot.pk, actor=wang_fang)

    notified = Notification.objects.filter(kind="booking.rescheduled")
    assert set(notified.values_list("recipient", flat=True)) == {staff_a.pk, colleague_a.pk}


def test_a_reschedule_to_a_full_slot_changes_nothing(wang_fang, daughter, listing, slot, paid):
    full = _later_slot(listing, slot, capacity=1)
    book(daughter, full)

    with pytest.raises(BookingError) as exc:
        booking_reschedule(booking=paid, new_slot_id=full.pk, actor=wang_fang)

    assert exc.value.code == "slot_full"
    booking = Booking.objects.get(pk=paid.pk)
    assert (booking.slot_id, booking.starts_at, booking.status) == (
        slot.pk,
        slot.starts_at,
        S.REQUESTED,
    )
    assert (_remaining(slot), _remaining(full)) == (1, 0)
    assert booking.events.count() == 1


def test_a_reschedule_after_the_cutoff_is_refused(wang_fang, listing, slot, paid):
    new_slot = _later_slot(listing, slot)

    with _late(paid), pytest.raises(BookingError) as exc:
        booking_reschedule(booking=paid, new_slot_id=new_slot.pk, actor=wang_fang)

    assert exc.value.code == "too_late"
    assert (_remaining(slot), _remaining(new_slot)) == (1, 1)
    assert Booking.objects.get(pk=paid.pk).slot_id == slot.pk


def test_a_reschedule_stays_within_the_listing(wang_fang, provider_a, paid):
    elsewhere = SlotFactory(listing=public_listing(provider_a))

    with pytest.raises(BookingInputError) as exc:
        booking_reschedule(booking=paid, new_slot_id=elsewhere.pk, actor=wang_fang)

    assert exc.value.field == "slot"
    assert _remaining(elsewhere) == 1


def test_a_reschedule_to_the_same_slot_is_refused(wang_fang, slot, paid):
    with pytest.raises(BookingInputError):
        booking_reschedule(booking=paid, new_slot_id=slot.pk, actor=wang_fang)

    assert _remaining(slot) == 1


def test_a_reschedule_into_the_past_is_refused(wang_fang, listing, slot, paid):
    past = SlotFactory(listing=listing, starts_at=slot.starts_at - dt.timedelta(days=10))

    with pytest.raises(BookingError) as exc:
        booking_reschedule(booking=paid, new_slot_id=past.pk, actor=wang_fang)

    assert exc.value.code == "slot_past"
    assert _remaining(past) == 1


def test_only_the_resident_may_reschedule(staff_a, daughter, listing, slot, paid):
    new_slot = _later_slot(listing, slot)

    for actor in (staff_a, daughter):
        with pytest.raises(BookingForbidden):
            booking_reschedule(booking=paid, new_slot_id=new_slot.pk, actor=actor)

    assert _remaining(new_slot) == 1


def test_a_finished_booking_cannot_be_rescheduled(wang_fang, listing, slot, paid):
    booking_transition(booking=paid, action="cancel", actor=wang_fang)
    new_slot = _later_slot(listing, slot)

    with pytest.raises(BookingError) as exc:
        booking_reschedule(booking=paid, new_slot_id=new_slot.pk, actor=wang_fang)

    assert exc.value.code == "illegal_transition"
    assert _remaining(new_slot) == 1


def test_a_reschedule_onto_another_booking_of_the_same_person_is_refused(
    wang_fang, provider_a, listing, slot, paid
):
    new_slot = _later_slot(listing, slot)
    other = SlotFactory(listing=public_listing(provider_a), starts_at=new_slot.starts_at)
    book(wang_fang, other)

    with pytest.raises(BookingError) as exc:
        booking_reschedule(booking=paid, new_slot_id=new_slot.pk, actor=wang_fang)

    assert exc.value.code == "person_busy"
    assert (_remaining(slot), _remaining(new_slot)) == (1, 1)


def test_a_reschedule_within_the_same_hours_is_not_a_clash_with_itself(
    wang_fang, listing, slot, paid
):
    overlapping = SlotFactory(
        listing=listing,
        starts_at=slot.starts_at + dt.timedelta(minutes=30),
        ends_at=slot.ends_at + dt.timedelta(minutes=30),
    )

    booking = booking_reschedule(booking=paid, new_slot_id=overlapping.pk, actor=wang_fang)

    assert booking.slot_id == overlapping.pk


# --- Expiry ------------------------------------------------------------------------------------


def test_the_expiry_job_expires_and_refunds_overdue_requests(
    wang_fang, daughter, staff_a, provider_a, listing, slot
):
    overdue = book(wang_fang, slot)
    pay(overdue)
    unpaid = book(daughter, slot)
    confirmed = book(daughter, _later_slot(listing, slot, capacity=1, days=2))
    pay(confirmed)
    booking_transition(booking=confirmed, action="confirm", actor=staff_a)

    with time_machine.travel(overdue.confirm_by + dt.timedelta(minutes=1), tick=False):
        assert bookings_expire() == 2
        entries = JournalEntry.objects.count()
        assert bookings_expire() == 0

    assert JournalEntry.objects.count() == entries
    statuses = dict(Booking.objects.values_list("pk", "status"))
    assert statuses == {overdue.pk: S.EXPIRED, unpaid.pk: S.EXPIRED, confirmed.pk: S.CONFIRMED}
    assert overdue.payments.get().refunded_fen == PRICE
    assert unpaid.payments.get().status == Payment.Status.VOID
    assert _remaining(slot) == 2
    assert Booking.objects.get(pk=overdue.pk).events.filter(to_status=S.EXPIRED).count() == 1
    assert escrow_balance(provider=provider_a) == PRICE  # the confirmed booking's money
    _reconciled()


def test_the_expiry_job_leaves_requests_within_their_deadline(wang_fang, slot):
    booking = book(wang_fang, slot)

    with time_machine.travel(booking.confirm_by - dt.timedelta(minutes=1), tick=False):
        assert bookings_expire() == 0

    assert Booking.objects.get(pk=booking.pk).status == S.REQUESTED


# --- Staff ---------------------------------------------------------------------------------------


def test_one_caregiver_cannot_serve_two_overlapping_bookings(
    wang_fang, daughter, staff_a, provider_a, slot
):
    first, second = book(wang_fang, slot), book(daughter, slot)
    caregiver = StaffMemberFactory(provider=provider_a)
    booking_assign_staff(booking=first, staff=caregiver, actor=staff_a)

    with pytest.raises(BookingError) as exc:
        booking_assign_staff(booking=second, staff=caregiver, actor=staff_a)

    assert (exc.value.code, exc.value.field) == ("staff_busy", "staff")
    assert Booking.objects.get(pk=second.pk).staff is None
    assert Booking.objects.get(pk=first.pk).staff == caregiver


def test_a_caregiver_is_free_again_once_the_other_booking_is_cancelled(
    wang_fang, daughter, staff_a, provider_a, slot
):
    first, second = book(wang_fang, slot), book(daughter, slot)
    caregiver = StaffMemberFactory(provider=provider_a)
    booking_assign_staff(booking=first, staff=caregiver, actor=staff_a)
    booking_transition(booking=first, action="cancel", actor=wang_fang)

    booking_assign_staff(booking=second, staff=caregiver, actor=staff_a)

    assert Booking.objects.get(pk=second.pk).staff == caregiver


def test_a_caregiver_serves_consecutive_bookings(wang_fang, staff_a, provider_a, listing, slot):
    first = book(wang_fang, slot)
    next_hour = SlotFactory(
        listing=listing, starts_at=slot.ends_at, ends_at=slot.ends_at + dt.timedelta(hours=1)
    )
    second = book(wang_fang, next_hour, dependant=DependantFactory(owner=wang_fang))
    caregiver = StaffMemberFactory(provider=provider_a)

    booking_assign_staff(booking=first, staff=caregiver, actor=staff_a)
    booking_assign_staff(booking=second, staff=caregiver, actor=staff_a)

    assert Booking.objects.filter(staff=caregiver).count() == 2


def test_a_caregiver_of_another_provider_is_refused(wang_fang, staff_a, provider_b, slot):
    booking = book(wang_fang, slot)

    with pytest.raises(BookingInputError) as exc:
        booking_assign_staff(
            booking=booking, staff=StaffMemberFactory(provider=provider_b), actor=staff_a
        )

    assert (exc.value.code, exc.value.field) == ("unknown_staff", "staff")
    assert Booking.objects.get(pk=booking.pk).staff is None


def test_a_caregiver_who_left_is_refused(wang_fang, staff_a, provider_a, slot):
    booking = book(wang_fang, slot)

    with pytest.raises(BookingInputError):
        booking_assign_staff(
            booking=booking,
            staff=StaffMemberFactory(provider=provider_a, is_active=False),
            actor=staff_a,
        )


@pytest.mark.parametrize("who", ["wang_fang", "staff_b"])
def test_only_the_providers_staff_assign_caregivers(who, request, wang_fang, provider_a, slot):
    booking = book(wang_fang, slot)

    with pytest.raises(BookingForbidden):
        booking_assign_staff(
            booking=booking,
            staff=StaffMemberFactory(provider=provider_a),
            actor=request.getfixturevalue(who),
        )

    assert Booking.objects.get(pk=booking.pk).staff is None


def test_a_finished_booking_gets_no_caregiver(wang_fang, staff_a, provider_a, slot):
    booking = book(wang_fang, slot)
    booking_transition(booking=booking, action="cancel", actor=wang_fang)

    with pytest.raises(BookingError) as exc:
        booking_assign_staff(
            booking=booking, staff=StaffMemberFactory(provider=provider_a), actor=staff_a
        )

    assert exc.value.code == "illegal_transition"
