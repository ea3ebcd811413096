"""Search latency over the demo city: the API end to end, and the same results query run as
raw SQL, with their ratio. `BENCH_SCALE=250 make bench` measures about 200k listings
(seeding takes several minutes); the default is the one-copy demo city.

Prints figures; asserts only that requests succeeded, never a time.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
from django.db import connection
from django.http import QueryDict

REPEATS = 50
QUERIES = [
    "q=助餐",
    "q=zhucan",
    "q=xfyl",
    "q=上门护理&division=510107",
    "q=养老&lat=30.642&lng=104.043&radius_km=3",
    "domain=childcare&sort=price",
    "lat=30.66&lng=104.06&radius_km=2&sort=distance",
]


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


@pytest.mark.django_db
def test_bench_search(client, settings):
    from django.core.management import call_command

    from services.models import Listing
    from services.selectors import listing_list_public, listing_search

    scale = int(os.environ.get("BENCH_SCALE", "1"))
    settings.DEBUG = True
    started = time.perf_counter()
    call_command("seed_demo", "--scale", str(scale), verbosity=0)
    seeded = time.perf_counter() - started
    settings.DEBUG = False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    listings = Listing.objects.count()
    print(f"\n{listings} listings (scale {scale}, seeded in {seeded:.0f} s); {REPEATS} runs each")
    print(f"{'query':45} {'API p50':>8} {'API p95':>8} {'SQL p50':>8} {'ratio':>6} {'hits':>5}")
    for query in QUERIES:
        api = []
        for _ in range(REPEATS):
            t = time.perf_counter()
            response = client.get("/api/v1/search/?" + query)
            api.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (query, response.content[:200])
        hits = len(response.json()["results"])
        # The results query alone, as the database runs it.
        result = listing_search(params=QueryDict(query))
        del result
        from services.filters import ListingSearchFilter

        qs = ListingSearchFilter(QueryDict(query), queryset=listing_list_public()).qs[:21]
        sql, params = qs.query.sql_with_params()
        raw = []
        with connection.cursor() as cursor:
            for _ in range(REPEATS):
                t = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                raw.append((time.perf_counter() - t) * 1000)
        (a50, a95), (r50, _r95) = _percentiles(api), _percentiles(raw)
        print(f"{query:45} {a50:8.1f} {a95:8.1f} {r50:8.1f} {a50 / max(r50, 0.01):6.1f} {hits:5}")
