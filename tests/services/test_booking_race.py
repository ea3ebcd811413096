"""Acceptance: clients racing for scarce places, over real parallel database connections.

50 residents race for 10 slots of capacity 1 → exactly 10 bookings, 10 payments held in
escrow, 40 clean "slot full" answers, and a balanced ledger. The same idempotency key sent by
10 threads at once makes one booking and gives all 10 callers the same answer.

Each thread has its own Django database connection (connections are per thread), so these
tests commit for real (`transaction=True`); tests/conftest.py puts back the rows the
migrations loaded (categories, divisions) that the flush after a transactional test removes.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.utils import timezone

from services.errors import BookingError
from services.models import Booking, BookingEvent, Payment, SandboxTransaction, Slot
from services.services.bookings import booking_create
from services.services.ledger import escrow_balance, ledger_reconcile
from tests.accounts.factories import UserFactory
from tests.services.factories import SlotFactory, pay, public_listing

CLIENTS = 50
SLOTS = 10
PRICE_FEN = 3000
JOIN_TIMEOUT_S = 120

race = pytest.mark.django_db(transaction=True)


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None


@dataclass
class Race:
    outcomes: list[Outcome]
    max_in_flight: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def values(self) -> list:
        return [o.value for o in self.outcomes if o.error is None]

    @property
    def errors(self) -> list[BaseException]:
        return [o.error for o in self.outcomes if o.error is not None]


def run_together(calls: list) -> Race:
    """Run each callable in its own thread, all released at once by a barrier, each over its
    own database connection (opened before the barrier, closed at the end). Every result and
    every exception is kept, one per call: nothing raised in a thread is lost."""
    n = len(calls)
    barrier = threading.Barrier(n)
    outcomes = [Outcome() for _ in range(n)]
    lock = threading.Lock()
    state = {"in_flight": 0, "max": 0}

    def worker(i: int) -> None:
        try:
            connection.ensure_connection()  # connect now, so the barrier releases only work
            barrier.wait(timeout=60)
            with lock:
                state["in_flight"] += 1
                state["max"] = max(state["max"], state["in_flight"])
            try:
                outcomes[i].value = calls[i]()
            finally:
                with lock:
                    state["in_flight"] -= 1
        except BaseException as exc:
            outcomes[i].error = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,), name=f"client-{i}") for i in range(n)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threads if t.is_alive()]
    assert not stuck, f"threads still running after {JOIN_TIMEOUT_S} s: {stuck}"
    return Race(outcomes=outcomes, max_in_flight=state["max"])


def _unexpected(errors: list[BaseException], codes: set[str]) -> list[str]:
    """Errors that are not a BookingError with one of `codes`, described for the failure."""
    return [
        f"{type(e).__name__}({getattr(e, 'code', '')}): {e!r}"
        for e in errors
        if not (type(e) is BookingError and e.code in codes)
    ]


def _slots(listing, count: int, capacity: int = 1) -> list[Slot]:
    first = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return [
        SlotFactory(listing=listing, starts_at=first + dt.timedelta(hours=2 * i), capacity=capacity)
        for i in range(count)
    ]


@race
def test_fifty_clients_race_for_ten_places(provider_a):
    listing = public_listing(provider_a, price_fen=PRICE_FEN)
    slots = _slots(listing, SLOTS)
    residents = [UserFactory() for _ in range(CLIENTS)]

    # Client i wants slot i % 10: five clients race for every place, demand 50 > supply 10.
    def attempt(i: int):
        def call() -> Booking:
            return booking_create(
                resident=residents[i],
                slot_id=slots[i % SLOTS].pk,
                idempotency_key=f"race-{i}-{uuid.uuid4().hex}",
            )

        return call

    booked = run_together([attempt(i) for i in range(CLIENTS)])
    assert booked.max_in_flight > 1, "the threads never overlapped"

    assert _unexpected(booked.errors, {"slot_full"}) == []
    assert Counter(e.code for e in booked.errors) == {"slot_full": CLIENTS - SLOTS}
    winners = booked.values
    assert len(winners) == SLOTS
    # One winner per slot, each a different resident, and the winner of slot k wanted slot k.
    assert sorted(b.slot_id for b in winners) == sorted(s.pk for s in slots)
    assert len({b.resident_id for b in winners}) == SLOTS
    for i, outcome in enumerate(booked.outcomes):
        if outcome.error is None:
            assert outcome.value.slot_id == slots[i % SLOTS].pk
            assert outcome.value.resident_id == residents[i].pk

    assert Booking.objects.count() == SLOTS
    assert set(Booking.objects.values_list("pk", flat=True)) == {b.pk for b in winners}
    assert BookingEvent.objects.count() == SLOTS
    assert (
        list(Slot.objects.filter(listing=listing).values_list("remaining", flat=True))
        == [0] * SLOTS
    )
    # The losers' transactions rolled back whole: no payment without a booking.
    assert Payment.objects.count() == SLOTS
    assert set(Payment.objects.values_list("status", flat=True)) == {Payment.Status.PENDING}

    # Every winner pays at the sandbox cashier at the same moment.
    paid = run_together([lambda b=b: pay(b) for b in winners])
    assert [repr(e) for e in paid.errors] == []
    assert {p.status for p in paid.values} == {Payment.Status.HELD}

    payments = Payment.objects.all()
    assert payments.count() == SLOTS
    assert {p.status for p in payments} == {Payment.Status.HELD}
    assert {p.booking_id for p in payments} == {b.pk for b in winners}
    assert SandboxTransaction.objects.filter(kind="charge").count() == SLOTS
    report = ledger_reconcile()
    assert report.ok, report.problems
    assert report.figures["paid_in"] == SLOTS * PRICE_FEN
    assert report.figures["held"] == SLOTS * PRICE_FEN
    assert report.figures["gateway_book_net"] == SLOTS * PRICE_FEN
    assert escrow_balance(provider=provider_a) == SLOTS * PRICE_FEN


@race
def test_clients_roaming_over_every_slot_fill_each_place_once(provider_a):
    """Each client tries the slots in its own shuffled order until one is booked or all were
    full: every place is taken, once, and each of the 40 others met only full slots."""
    import random

    listing = public_listing(provider_a, price_fen=PRICE_FEN)
    slots = _slots(listing, SLOTS)
    residents = [UserFactory() for _ in range(CLIENTS)]

    def roam(i: int):
        order = list(slots)
        random.Random(i).shuffle(order)

        def call():
            for slot in order:
                try:
                    return booking_create(
                        resident=residents[i],
                        slot_id=slot.pk,
                        idempotency_key=f"roam-{i}-{slot.pk}",
                    )
                except BookingError as exc:
                    if exc.code != "slot_full":
                        raise
            raise BookingError("every slot full", code="slot_full")

        return call

    result = run_together([roam(i) for i in range(CLIENTS)])
    assert _unexpected(result.errors, {"slot_full"}) == []
    assert len(result.errors) == CLIENTS - SLOTS
    assert sorted(b.slot_id for b in result.values) == sorted(s.pk for s in slots)
    assert Booking.objects.count() == SLOTS
    assert set(Slot.objects.filter(listing=listing).values_list("remaining", flat=True)) == {0}
    assert Payment.objects.count() == SLOTS


@race
@pytest.mark.parametrize("capacity", [1, 5])
def test_one_idempotency_key_sent_ten_times_at_once_books_once(provider_a, capacity):
    listing = public_listing(provider_a, price_fen=PRICE_FEN)
    (slot,) = _slots(listing, 1, capacity=capacity)
    resident = UserFactory()
    key = f"double-click-{uuid.uuid4().hex}"

    def click() -> Booking:
        return booking_create(resident=resident, slot_id=slot.pk, idempotency_key=key)

    result = run_together([click] * 10)
    assert [f"{type(e).__name__}({getattr(e, 'code', '')}): {e}" for e in result.errors] == []
    assert result.max_in_flight > 1, "the threads never overlapped"
    ids = {b.pk for b in result.values}
    assert len(result.values) == 10
    assert len(ids) == 1

    booking = Booking.objects.get()
    assert ids == {booking.pk}
    assert booking.idempotency_key == key
    slot.refresh_from_db()
    assert slot.remaining == capacity - 1
    assert BookingEvent.objects.filter(booking=booking).count() == 1
    assert Payment.objects.filter(booking=booking).count() == 1
