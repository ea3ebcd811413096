"""Protected prepayment: signed gateway callbacks applied once, escrow, prepaid packages, and a
ledger that cannot be left unbalanced and reconciles against payments and the gateway."""

import json

import pytest
from django.db import IntegrityError, connection, transaction

from services.errors import BookingError, BookingInputError, PaymentError
from services.gateways.sandbox import SandboxGateway
from services.models import (
    Booking,
    GatewayEvent,
    JournalEntry,
    Payment,
    Posting,
    PrepaidPackage,
    SandboxTransaction,
    Slot,
)
from services.services.bookings import booking_transition, bookings_expire
from services.services.ledger import (
    Kind,
    account,
    balance,
    entry_post,
    escrow_balance,
    ledger_reconcile,
)
from services.services.payments import (
    callback_receive,
    package_buy,
    package_refund_unused,
)
from tests.services.factories import SlotFactory, book, pay, public_listing

pytestmark = pytest.mark.django_db

PRICE = 3000
gateway = SandboxGateway()


@pytest.fixture
def listing(provider_a):
    return public_listing(provider_a, price_fen=PRICE)


@pytest.fixture
def booking(wang_fang, listing):
    return book(wang_fang, SlotFactory(listing=listing))


def _payment(booking) -> Payment:
    return booking.payments.get()


def _deliver(body: bytes, signature: str) -> Payment:
    return callback_receive(gateway="sandbox", body=body, signature=signature)


def _charge(payment) -> tuple[bytes, str]:
    return gateway.charge(reference=payment.gateway_reference, amount_fen=payment.amount_fen)


def _reconciled():
    report = ledger_reconcile()
    assert report.ok, report.problems
    return report


def _receivable(provider) -> int:
    return balance(account(Kind.PROVIDER_RECEIVABLE, provider=provider))


# --- Callbacks -----------------------------------------------------------------------------------


def test_a_paid_callback_holds_the_money_in_escrow(booking, provider_a):
    payment = pay(booking)

    assert payment.status == Payment.Status.HELD
    assert payment.held_fen == PRICE
    assert escrow_balance(provider=provider_a) == PRICE
    entry = JournalEntry.objects.get()
    assert (entry.key, entry.payment, entry.booking) == (f"hold:{payment.pk}", payment, booking)
    assert sum(entry.postings.values_list("amount_fen", flat=True)) == 0
    _reconciled()


@pytest.mark.parametrize(
    "signature", ["", "0" * 64, "tampered", gateway.sign(b"another body")], ids=str
)
def test_a_callback_with_a_bad_signature_changes_nothing(signature, booking):
    payment = _payment(booking)
    body, _good = _charge(payment)

    with pytest.raises(PaymentError) as exc:
        _deliver(body, signature)

    assert exc.value.code == "bad_signature"
    assert _payment(booking).status == Payment.Status.PENDING
    assert not GatewayEvent.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_callback_signed_with_another_secret_is_refused(settings, booking):
    payment = _payment(booking)
    settings.SANDBOX_GATEWAY_SECRET = "someone-else"
    body, forged = _charge(payment)
    settings.SANDBOX_GATEWAY_SECRET = "the-real-secret"

    with pytest.raises(PaymentError) as exc:
        _deliver(body, forged)

    assert exc.value.code == "bad_signature"
    assert _payment(booking).status == Payment.Status.PENDING


def test_the_same_callback_delivered_twice_holds_once(booking, provider_a):
    payment = _payment(booking)
    body, signature = _charge(payment)

    first = _deliver(body, signature)
    second = _deliver(body, signature)

    assert first.pk == second.pk
    assert second.status == Payment.Status.HELD
    assert GatewayEvent.objects.count() == 1
    assert JournalEntry.objects.count() == 1
    assert escrow_balance(provider=provider_a) == PRICE
    _reconciled()


def test_a_second_success_event_for_a_held_payment_moves_no_money(booking, provider_a):
    pay(booking)
    payment = _payment(booking)
    body = json.dumps(
        {
            "event_id": "another-event",
            "kind": "charge.succeeded",
            "reference": payment.gateway_reference,
            "amount_fen": PRICE,
        }
    ).encode()

    _deliver(body, gateway.sign(body))

    assert GatewayEvent.objects.count() == 2
    assert JournalEntry.objects.count() == 1
    assert escrow_balance(provider=provider_a) == PRICE


def test_a_callback_for_another_amount_is_refused(booking, provider_a):
    payment = _payment(booking)
    body, signature = gateway.callback(
        kind="charge.succeeded", reference=payment.gateway_reference, amount_fen=PRICE - 1
    )

    with pytest.raises(PaymentError) as exc:
        _deliver(body, signature)

    assert exc.value.code == "amount_mismatch"
    assert _payment(booking).status == Payment.Status.PENDING
    assert not GatewayEvent.objects.exists()  # refused events are not marked as handled
    assert escrow_balance(provider=provider_a) == 0


def test_a_callback_for_an_unknown_payment_is_refused():
    body, signature = gateway.callback(
        kind="charge.succeeded", reference="PAYNOSUCHTHING", amount_fen=100
    )

    with pytest.raises(PaymentError) as exc:
        _deliver(body, signature)

    assert exc.value.code == "unknown_payment"
    assert not GatewayEvent.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"kind": "charge.succeeded"}'])
def test_a_signed_but_malformed_callback_is_refused(body):
    with pytest.raises(PaymentError) as exc:
        _deliver(body, gateway.sign(body))

    assert exc.value.code == "bad_payload"


def test_a_failed_charge_marks_the_payment_failed(booking, provider_a):
    payment = _payment(booking)
    body, signature = gateway.decline(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )

    result = _deliver(body, signature)

    assert result.status == Payment.Status.FAILED
    assert _payment(booking).status == Payment.Status.FAILED
    assert not JournalEntry.objects.exists()
    assert escrow_balance(provider=provider_a) == 0
    _reconciled()


def test_a_failure_after_success_does_not_undo_the_hold(booking):
    pay(booking)
    payment = _payment(booking)
    body, signature = gateway.decline(reference=payment.gateway_reference, amount_fen=PRICE)

    _deliver(body, signature)

    assert _payment(booking).status == Payment.Status.HELD


def test_a_charge_that_succeeds_after_a_failed_attempt_is_held(booking, provider_a):
    payment = _payment(booking)
    _deliver(*gateway.decline(reference=payment.gateway_reference, amount_fen=PRICE))

    _deliver(*_charge(payment))  # the resident tried again, or the events came out of order

    assert _payment(booking).status == Payment.Status.HELD
    assert escrow_balance(provider=provider_a) == PRICE
    _reconciled()


def test_a_charge_after_a_failed_attempt_on_a_cancelled_booking_is_refunded(
    wang_fang, booking, provider_a
):
    payment = _payment(booking)
    _deliver(*gateway.decline(reference=payment.gateway_reference, amount_fen=PRICE))
    booking_transition(booking=booking, action="cancel", actor=wang_fang)

    _deliver(*_charge(payment))

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen) == (Payment.Status.REFUNDED, PRICE)
    assert escrow_balance(provider=provider_a) == 0
    _reconciled()


def test_a_payment_after_cancellation_is_refunded_automatically(wang_fang, booking, provider_a):
    booking_transition(booking=booking, action="cancel", actor=wang_fang)
    payment = _payment(booking)
    assert payment.status == Payment.Status.VOID

    _deliver(*_charge(payment))

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen, payment.held_fen) == (
        Payment.Status.REFUNDED,
        PRICE,
        0,
    )
    book_of_gateway = dict(
        SandboxTransaction.objects.filter(reference=payment.gateway_reference).values_list(
            "kind", "amount_fen"
        )
    )
    assert book_of_gateway == {"charge": PRICE, "refund": PRICE}
    assert escrow_balance(provider=provider_a) == 0
    assert Booking.objects.get(pk=booking.pk).status == Booking.Status.CANCELLED_BY_RESIDENT
    _reconciled()


def test_a_payment_after_expiry_is_refunded_automatically(booking, provider_a):
    import time_machine

    with time_machine.travel(booking.confirm_by, tick=False) as traveller:
        traveller.shift(60)
        assert bookings_expire() == 1
    payment = _payment(booking)

    _deliver(*_charge(payment))

    payment.refresh_from_db()
    assert (payment.status, payment.refunded_fen) == (Payment.Status.REFUNDED, PRICE)
    assert escrow_balance(provider=provider_a) == 0
    _reconciled()


# --- Prepaid packages ----------------------------------------------------------------------------

PACKAGE_PRICE = 10_000  # three uses: 3333 + 3333 + 3334
USES = 3


@pytest.fixture
def package_listing(provider_a):
    return public_listing(
        provider_a,
        price_fen=4000,
        package_uses=USES,
        package_price_fen=PACKAGE_PRICE,
        package_valid_days=90,
    )


@pytest.fixture
def package(wang_fang, package_listing) -> PrepaidPackage:
    package, payment = package_buy(resident=wang_fang, listing=package_listing)
    _deliver(*_charge(payment))
    package.refresh_from_db()
    return package


def _package_booking(resident, listing, *, days=0, **kwargs) -> Booking:
    import datetime as dt

    from django.utils import timezone

    start = (timezone.now() + dt.timedelta(days=3 + days)).replace(
        minute=0, second=0, microsecond=0
    )
    return book(resident, SlotFactory(listing=listing, starts_at=start), use_package=True, **kwargs)


def _serve(booking, staff):
    for action in ("confirm", "start", "complete"):
        booking = booking_transition(booking=booking, action=action, actor=staff)
    return booking


def test_buying_a_package_is_pending_until_paid(wang_fang, package_listing, provider_a):
    package, payment = package_buy(resident=wang_fang, listing=package_listing)

    assert (package.status, package.uses_left, package.price_fen) == (
        PrepaidPackage.Status.PENDING,
        USES,
        PACKAGE_PRICE,
    )
    assert (payment.package, payment.booking, payment.amount_fen) == (package, None, PACKAGE_PRICE)

    _deliver(*_charge(payment))

    package.refresh_from_db()
    assert package.status == PrepaidPackage.Status.ACTIVE
    assert escrow_balance(provider=provider_a) == PACKAGE_PRICE
    _reconciled()


def test_a_listing_without_a_package_sells_none(wang_fang, listing):
    with pytest.raises(PaymentError) as exc:
        package_buy(resident=wang_fang, listing=listing)

    assert exc.value.code == "no_package"
    assert not PrepaidPackage.objects.exists()


def test_an_unpaid_package_cannot_be_used(wang_fang, package_listing):
    package_buy(resident=wang_fang, listing=package_listing)
    slot = SlotFactory(listing=package_listing)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, slot, use_package=True)

    assert (exc.value.code, exc.value.field) == ("no_package", "use_package")
    assert Slot.objects.get(pk=slot.pk).remaining == 1


def test_a_booking_with_the_package_costs_nothing_and_takes_a_use(
    wang_fang, package, package_listing
):
    booking = _package_booking(wang_fang, package_listing)

    assert (booking.price_fen, booking.package) == (0, package)
    assert not booking.payments.exists()
    package.refresh_from_db()
    assert package.uses_left == USES - 1


def test_a_package_is_personal(daughter, package, package_listing):
    with pytest.raises(BookingInputError):
        _package_booking(daughter, package_listing)

    package.refresh_from_db()
    assert package.uses_left == USES


def test_completion_releases_one_share_of_the_package(
    wang_fang, staff_a, provider_a, package, package_listing
):
    booking = _package_booking(wang_fang, package_listing)

    _serve(booking, staff_a)

    unit = PACKAGE_PRICE // USES
    assert _receivable(provider_a) == unit
    assert escrow_balance(provider=provider_a) == PACKAGE_PRICE - unit
    assert Payment.objects.get(package=package).captured_fen == unit
    _reconciled()


def test_the_final_use_releases_the_remainder(
    wang_fang, staff_a, provider_a, package, package_listing
):
    bookings = [_package_booking(wang_fang, package_listing, days=d) for d in range(USES)]

    for booking in bookings:
        _serve(booking, staff_a)

    assert escrow_balance(provider=provider_a) == 0
    assert _receivable(provider_a) == PACKAGE_PRICE
    package.refresh_from_db()
    assert (package.uses_left, package.status) == (0, PrepaidPackage.Status.USED_UP)
    payment = Payment.objects.get(package=package)
    assert (payment.status, payment.captured_fen) == (Payment.Status.CAPTURED, PACKAGE_PRICE)
    _reconciled()


def test_a_used_up_package_books_nothing_more(wang_fang, staff_a, package, package_listing):
    for d in range(USES):
        _package_booking(wang_fang, package_listing, days=d)

    with pytest.raises(BookingInputError) as exc:
        _package_booking(wang_fang, package_listing, days=USES)

    assert exc.value.code == "no_package"


def test_a_free_cancellation_gives_the_use_back(wang_fang, provider_a, package, package_listing):
    booking = _package_booking(wang_fang, package_listing)

    booking_transition(booking=booking, action="cancel", actor=wang_fang)

    package.refresh_from_db()
    assert package.uses_left == USES
    assert escrow_balance(provider=provider_a) == PACKAGE_PRICE
    _reconciled()


def test_a_no_show_spends_the_use_and_the_last_use_still_releases_everything(
    wang_fang, staff_a, provider_a, package, package_listing
):
    import time_machine

    missed = _package_booking(wang_fang, package_listing)
    booking_transition(booking=missed, action="confirm", actor=staff_a)
    with time_machine.travel(missed.ends_at, tick=False):
        booking_transition(booking=missed, action="no_show", actor=staff_a)
    assert _receivable(provider_a) == PACKAGE_PRICE // USES

    for d in (1, 2):
        _serve(_package_booking(wang_fang, package_listing, days=d), staff_a)

    assert escrow_balance(provider=provider_a) == 0
    assert _receivable(provider_a) == PACKAGE_PRICE
    package.refresh_from_db()
    assert package.status == PrepaidPackage.Status.USED_UP
    _reconciled()


def test_a_late_cancellation_spends_the_use_and_pays_its_share(
    wang_fang, provider_a, package, package_listing
):
    import time_machine

    booking = _package_booking(wang_fang, package_listing)

    with time_machine.travel(booking.starts_at, tick=False) as traveller:
        traveller.shift(-3600)
        booking_transition(booking=booking, action="cancel", actor=wang_fang)

    package.refresh_from_db()
    assert package.uses_left == USES - 1
    assert _receivable(provider_a) == PACKAGE_PRICE // USES
    _reconciled()


@pytest.mark.parametrize("action", ["decline", "expire"])
def test_a_refusal_or_expiry_gives_the_use_back(
    action, wang_fang, staff_a, package, package_listing
):
    booking = _package_booking(wang_fang, package_listing)

    booking_transition(
        booking=booking, action=action, actor=staff_a if action == "decline" else None
    )

    package.refresh_from_db()
    assert package.uses_left == USES


def test_a_full_slot_takes_no_use_of_the_package(wang_fang, daughter, package, package_listing):
    slot = SlotFactory(listing=package_listing)
    book(daughter, slot)

    with pytest.raises(BookingError) as exc:
        book(wang_fang, slot, use_package=True)

    assert exc.value.code == "slot_full"
    package.refresh_from_db()
    assert package.uses_left == USES


def test_a_repeated_request_takes_one_use(wang_fang, package, package_listing):
    slot = SlotFactory(listing=package_listing)

    book(wang_fang, slot, use_package=True, idempotency_key="again")
    book(wang_fang, slot, use_package=True, idempotency_key="again")

    package.refresh_from_db()
    assert package.uses_left == USES - 1


def test_unused_uses_are_refunded(wang_fang, staff_a, provider_a, package, package_listing):
    _serve(_package_booking(wang_fang, package_listing), staff_a)
    unit = PACKAGE_PRICE // USES

    refunded = package_refund_unused(package=package, actor=wang_fang, reason="不再需要")

    assert refunded == PACKAGE_PRICE - unit
    package.refresh_from_db()
    assert (package.status, package.uses_left) == (PrepaidPackage.Status.REFUNDED, 0)
    payment = Payment.objects.get(package=package)
    assert (payment.captured_fen, payment.refunded_fen, payment.status) == (
        unit,
        PACKAGE_PRICE - unit,
        Payment.Status.PARTLY_REFUNDED,
    )
    assert escrow_balance(provider=provider_a) == 0
    assert (
        SandboxTransaction.objects.get(
            reference=payment.gateway_reference, kind="refund"
        ).amount_fen
        == PACKAGE_PRICE - unit
    )
    _reconciled()


def test_a_package_with_a_pending_booking_is_not_refunded(
    wang_fang, provider_a, package, package_listing
):
    _package_booking(wang_fang, package_listing)

    with pytest.raises(PaymentError) as exc:
        package_refund_unused(package=package, actor=wang_fang, reason="不再需要")

    assert exc.value.code == "package_in_use"
    package.refresh_from_db()
    assert (package.status, package.uses_left) == (PrepaidPackage.Status.ACTIVE, USES - 1)
    assert escrow_balance(provider=provider_a) == PACKAGE_PRICE


# --- The ledger ----------------------------------------------------------------------------------


def test_entry_post_refuses_lines_that_do_not_balance():
    with pytest.raises(ValueError, match="does not balance"):
        entry_post(key="bad", memo="x", lines=[(account(Kind.GATEWAY), 100)])

    assert not JournalEntry.objects.exists()


def test_entry_post_is_idempotent_by_key():
    lines = [(account(Kind.GATEWAY), -100), (account(Kind.FEES), 100)]

    assert entry_post(key="once", memo="x", lines=lines) is not None
    assert entry_post(key="once", memo="x", lines=lines) is None

    assert Posting.objects.count() == 2
    assert balance(account(Kind.FEES)) == 100


def _unbalanced_entry():
    entry = JournalEntry.objects.create(key="unbalanced", memo="tampering")
    Posting.objects.bulk_create(
        [
            Posting(entry=entry, account=account(Kind.GATEWAY), amount_fen=-100),
            Posting(entry=entry, account=account(Kind.FEES), amount_fen=90),
        ]
    )


def test_the_database_refuses_an_unbalanced_entry_when_checked_immediately():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _unbalanced_entry()

    assert not JournalEntry.objects.filter(key="unbalanced").exists()
    # A balanced entry passes the same check.
    entry_post(
        key="balanced", memo="ok", lines=[(account(Kind.GATEWAY), -5), (account(Kind.FEES), 5)]
    )
    assert JournalEntry.objects.filter(key="balanced").exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_an_unbalanced_entry_at_commit():
    with pytest.raises(IntegrityError, match="does not balance"), transaction.atomic():
        _unbalanced_entry()

    assert not JournalEntry.objects.exists()
    assert not Posting.objects.exists()


def test_reconciliation_detects_a_tampered_payment(booking):
    pay(booking)
    _reconciled()

    Payment.objects.filter(booking=booking).update(captured_fen=1000)

    report = ledger_reconcile()
    assert not report.ok
    assert any("escrow" in problem for problem in report.problems)


def test_reconciliation_detects_a_charge_the_ledger_never_saw(booking):
    _charge(_payment(booking))  # the gateway took the money; its callback never arrived

    report = ledger_reconcile()

    assert not report.ok
    assert report.figures["gateway_book_net"] == PRICE
