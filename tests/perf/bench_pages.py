"""Baseline latency of the foundation's pages and API, in-process (Django test client).

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


@pytest.mark.django_db
def test_bench_foundation_pages(client, settings):
    from django.core.management import call_command

    from portal.accounts.models import User

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    official = User.objects.get(phone="+8613700000003")

    rows = []
    for path in ("/", "/healthz", "/api/v1/divisions/?within=510100", "/api/v1/providers/"):
        rows.append((path, _measure(client, path)))
    client.force_login(official)
    rows.append(("/official/providers/ (city official)", _measure(client, "/official/providers/")))

    print(f"\n{'path':45} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}   ({REQUESTS} requests each)")
    for path, m in rows:
        print(f"{path:45} {m['p50']:8.2f} {m['p95']:8.2f} {m['max']:8.2f}")
