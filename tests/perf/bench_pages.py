"""Latency of the main pages and APIs over the demo city, in-process (Django test client),
and the cost of the nightly slot job.

Run with `make bench`. Prints figures; asserts only that every request succeeded, never a time.
"""

from __future__ import annotations

import statistics
import time

import pytest

REQUESTS = 200


def _measure(client, path: str) -> dict:
    timings = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    timings.sort()
    return {
        "p50": statistics.median(timings),
        "p95": timings[int(len(timings) * 0.95) - 1],
        "max": timings[-1],
    }


def _analyze() -> None:
    """Planner statistics, as autovacuum gives a real database (tests run in one transaction,
    where it cannot): without them PostgreSQL plans the fresh tables badly."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _print(rows) -> None:
    print(f"\n{'path':52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   ({REQUESTS} requests each)")
    for path, m in rows:
        print(f"{path:52} {m['p50']:8.2f} {m['p95']:8.2f} {m['max']:8.2f}")


@pytest.mark.django_db
def test_bench_pages_and_apis(client, settings):
    from django.core.management import call_command

    from portal.accounts.models import User
    from providers.models import Provider
    from services.selectors import listing_list_public

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    _analyze()
    settings.DEBUG = False
    listing = listing_list_public().order_by("pk").first()
    provider = Provider.objects.filter(status="approved").order_by("pk").first()
    paths = [
        "/",
        "/healthz",
        "/api/v1/divisions/?within=510100",
        "/api/v1/providers/",
        "/api/v1/listings/",
        f"/services/{listing.pk}/",
        f"/providers/{provider.pk}/",
        f"/api/v1/listings/{listing.pk}/slots/",
    ]
    rows = [(path, _measure(client, path)) for path in paths]
    client.force_login(User.objects.get(phone="+8613700000003"))
    rows.append(("/official/providers/ (city official)", _measure(client, "/official/providers/")))
    client.force_login(User.objects.get(phone="+8613700000001"))
    rows.append(("/official/review/ (武侯区 民政)", _measure(client, "/official/review/")))
    _print(rows)


@pytest.mark.django_db
def test_bench_nightly_slot_job(settings):
    from django.core.management import call_command

    from services.models import Listing, Slot
    from services.services.schedules import slots_materialise_all

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    _analyze()
    listings = Listing.objects.count()
    started = time.perf_counter()
    first = slots_materialise_all(weeks=4)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    second = slots_materialise_all(weeks=4)
    second_s = time.perf_counter() - started
    assert second["created"] == 0
    print(
        f"\nslot job over {listings} listings: first run {first_s:.1f} s "
        f"({first['created']} created, {Slot.objects.count()} slots now), "
        f"second run {second_s:.1f} s ({second['created']} created) — "
        f"{first_s / max(listings, 1) * 1000:.1f} ms per listing"
    )
