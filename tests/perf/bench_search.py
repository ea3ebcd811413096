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
    from services.selectors import listing_list_public

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
    print(
        f"{'query':45} {'cold p50':>9} {'cold p95':>9} {'warm p50':>9} {'warm p95':>9}"
        f" {'SQL p50':>8} {'ratio':>6} {'hits':>5}"
    )
    from django.core.cache import cache

    from services.filters import ListingSearchFilter

    for query in QUERIES:
        # Cold: no search cache, every request queries the database.
        settings.SEARCH_CACHE_SECONDS = 0
        cold = _timed_api(client, query)
        # Warm: the same parameters again within the cache's lifetime (popular searches).
        settings.SEARCH_CACHE_SECONDS = 60
        cache.clear()
        warm = _timed_api(client, query)
        response = client.get("/api/v1/search/?" + query)
        hits = len(response.json()["results"])
        # The results query alone, as the database runs it (the same filters, page size 21).
        qs = ListingSearchFilter(QueryDict(query), queryset=listing_list_public()).qs[:21]
        sql, params = qs.query.sql_with_params()
        raw = []
        with connection.cursor() as cursor:
            for _ in range(REPEATS):
                t = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                raw.append((time.perf_counter() - t) * 1000)
        (c50, c95), (w50, w95), (r50, _r95) = (
            _percentiles(cold),
            _percentiles(warm),
            _percentiles(raw),
        )
        print(
            f"{query:45} {c50:9.1f} {c95:9.1f} {w50:9.1f} {w95:9.1f}"
            f" {r50:8.1f} {c50 / max(r50, 0.01):6.1f} {hits:5}"
        )


def _timed_api(client, query: str) -> list[float]:
    samples = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        response = client.get("/api/v1/search/?" + query)
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (query, response.content[:200])
    return samples
