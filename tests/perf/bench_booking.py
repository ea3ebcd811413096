"""The booking race: N slots of capacity 1 and 4×N residents racing for them through
booking_create, over a pool of worker threads each with its own database connection.

Prints bookings/s (successful bookings per second of wall time), attempts/s, the latency of
one attempt (p50/p95), the oversell count computed from the Booking rows against each slot's
capacity, then pays a sample of the bookings through the sandbox gateway and prints the ledger
check. Asserts correctness only (no oversell, every refusal a clean "slot full", a balanced
ledger), never a time.

    BENCH_BOOKING_SLOTS=200     slots (capacity 1); 4× as many clients race for them
    BENCH_BOOKING_THREADS=16    worker threads (database connections)
    BENCH_BOOKING_PAY=50        bookings paid afterwards for the ledger check
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import statistics
import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

CONTENDERS = 4  # clients per slot
PRICE_FEN = 3000


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def _analyze() -> None:
    """Planner statistics for the freshly filled tables, as autovacuum would give them."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _pool(tasks: list, threads: int) -> tuple[list, float]:
    """Run the callables on `threads` workers, each over its own database connection, all
    started together. Returns [(result, error, seconds)] in task order and the wall time."""
    todo: queue.Queue = queue.Queue()
    for index, task in enumerate(tasks):
        todo.put((index, task))
    results: list = [None] * len(tasks)
    barrier = threading.Barrier(threads + 1)

    def worker() -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            while True:
                try:
                    index, task = todo.get_nowait()
                except queue.Empty:
                    return
                started = time.perf_counter()
                try:
                    results[index] = (task(), None, time.perf_counter() - started)
                except Exception as exc:
                    results[index] = (None, exc, time.perf_counter() - started)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, name=f"bench-{i}") for i in range(threads)]
    for thread in workers:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - started
    assert all(r is not None for r in results), "a worker died before finishing its tasks"
    return results, wall


@pytest.mark.django_db(transaction=True)
def test_bench_booking_race(settings):
    from portal.accounts.models import User
    from services.errors import BookingError
    from services.models import Booking, Slot
    from services.services.bookings import booking_create
    from services.services.ledger import escrow_balance, ledger_reconcile
    from tests.providers.factories import ProviderFactory
    from tests.services.factories import pay, public_listing

    slots_n = int(os.environ.get("BENCH_BOOKING_SLOTS", "200"))
    threads = int(os.environ.get("BENCH_BOOKING_THREADS", "16"))
    pay_n = min(int(os.environ.get("BENCH_BOOKING_PAY", "50")), slots_n)
    clients_n = CONTENDERS * slots_n
    settings.DEBUG = False  # no query log kept per connection

    provider = ProviderFactory(name="压测养老服务中心")
    listing = public_listing(provider, price_fen=PRICE_FEN)
    first = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    slots = Slot.objects.bulk_create(
        Slot(
            listing=listing,
            starts_at=first + dt.timedelta(hours=i),
            ends_at=first + dt.timedelta(hours=i, minutes=30),
            capacity=1,
            remaining=1,
            generated=False,
        )
        for i in range(slots_n)
    )
    residents = User.objects.bulk_create(
        User(phone=f"+86137{i:08d}", name=f"压测居民{i}", role=User.Role.RESIDENT, password="!")
        for i in range(clients_n)
    )
    _analyze()

    # The CONTENDERS clients of one slot are queued next to each other, so they are in flight
    # at the same time and really race for its one place.
    def attempt(resident, slot):
        return lambda: booking_create(
            resident=resident, slot_id=slot.pk, idempotency_key=f"bench-{resident.pk}"
        )

    tasks = [
        attempt(residents[s * CONTENDERS + c], slots[s])
        for s in range(slots_n)
        for c in range(CONTENDERS)
    ]
    results, wall = _pool(tasks, threads)

    booked = [r for r, e, _ in results if e is None]
    errors = [e for _, e, _ in results if e is not None]
    outcomes = Counter(
        e.code if type(e) is BookingError else f"{type(e).__name__}: {e}" for e in errors
    )
    p50, p95 = _percentiles([s * 1000 for _, _, s in results])
    per_slot = dict(
        Booking.objects.filter(listing=listing)
        .values_list("slot_id")
        .annotate(n=Count("id"))
        .values_list("slot_id", "n")
    )
    capacity = dict(Slot.objects.filter(listing=listing).values_list("id", "capacity"))
    oversold = sum(max(0, per_slot.get(pk, 0) - cap) for pk, cap in capacity.items())
    drift = sum(
        1
        for slot in Slot.objects.filter(listing=listing)
        if slot.capacity - slot.remaining != per_slot.get(slot.pk, 0)
    )

    print(
        f"\nbooking race: {slots_n} slots × capacity 1, {clients_n} clients "
        f"({CONTENDERS} per slot), {threads} threads, {wall:.2f} s wall"
    )
    print(f"  bookings/s        {len(booked) / wall:10.1f}   ({len(booked)} booked)")
    print(f"  attempts/s        {len(results) / wall:10.1f}   ({len(results)} attempts)")
    print(f"  attempt p50 / p95 {p50:10.1f} / {p95:.1f} ms")
    print(f"  refusals          {dict(outcomes)}")
    print(f"  oversold places   {oversold:10d}")
    print(f"  slots whose remaining ≠ capacity − bookings: {drift}")

    assert oversold == 0
    assert drift == 0
    assert len(booked) == slots_n
    assert outcomes == {"slot_full": clients_n - slots_n}

    # Pay a sample concurrently through the sandbox, then prove the ledger.
    sample = sorted(booked, key=lambda b: b.starts_at)[:pay_n]
    paid, pay_wall = _pool([lambda b=b: pay(b) for b in sample], threads)
    pay_errors = [repr(e) for _, e, _ in paid if e is not None]
    report = ledger_reconcile()
    figures = "  ".join(f"{k}={v}" for k, v in report.figures.items())
    print(
        f"  paid {len(sample)} bookings in {pay_wall:.2f} s "
        f"({len(sample) / pay_wall:.1f} payments/s), errors: {len(pay_errors)}"
    )
    print(f"  ledger: {'OK' if report.ok else 'PROBLEMS'}  {figures}")
    for problem in report.problems:
        print(f"    - {problem}")

    assert pay_errors == []
    assert report.ok, report.problems
    assert escrow_balance(provider=provider) == len(sample) * PRICE_FEN
