"""Load: LOAD_USERS residents (default 50) for LOAD_SECONDS (default 60) against the portal
served as in production — gunicorn with several worker processes, DEBUG off, static files from
collectstatic through WhiteNoise, the Redis cache — driven by locust (tests/perf/load_locustfile.py)
over the demo city (BENCH_SCALE copies).

The residents log in, search (Chinese keywords, pinyin, filters), open listing pages and book,
through the form and the API, racing for the earliest slots of a few popular listings. Prints
p50/p95/p99 and the failure rate per request type, over the whole run and over the steady state
after the last login, against the targets (p95 ≤ 200 ms for search and listing pages, no
errors), then checks from the database that no slot holds more bookings than its capacity.
Asserts correctness only (no 5xx, no failure, nothing oversold), never a time.

    LOAD_USERS=50  LOAD_SPAWN_RATE=10  LOAD_SECONDS=60  LOAD_WAIT=1-3 (think time, seconds)
    LOAD_WORKERS=4  LOAD_THREADS=2      gunicorn processes and threads per process
    LOAD_HOT_LISTINGS=12                listings whose earliest slots the residents race for
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import math
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.utils import timezone

from tests.workers import ROOT, _database_url, _free_port

USERS = int(os.environ.get("LOAD_USERS", "50"))
SPAWN_RATE = int(os.environ.get("LOAD_SPAWN_RATE", "10"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))
THREADS = int(os.environ.get("LOAD_THREADS", "2"))
HOT_LISTINGS = int(os.environ.get("LOAD_HOT_LISTINGS", "12"))
THINK = os.environ.get("LOAD_WAIT", "1-3")
PASSWORD = "Load-bench-pw-2026"
STATIC_ROOT = ROOT / "var" / "bench-static"
TARGET_P95_MS = 200
# Request types held to the latency target (the pages people wait on while browsing).
PAGES_WITH_TARGET = ("search 中文", "search pinyin", "search filters", "listing page")

CHINESE_TERMS = ["助餐", "助浴", "保洁", "托育", "家庭医生", "陪护", "养老", "上门护理", "日间照料"]
CHINESE_TERMS += ["食堂", "计时托", "高血压", "深度保洁"]
PINYIN_TERMS = ["zhucan", "zhuyu", "baojie", "tuoyu", "peihu", "yanglao", "shangmen", "shitang"]
PINYIN_TERMS += ["jiatingyisheng", "rjzl", "xfyl", "bj", "ty"]
FILTER_SETS = [
    {"domain": "eldercare"},
    {"domain": "childcare", "sort": "price"},
    {"division": "510107"},
    {"division": "510104", "domain": "eldercare"},
    {"delivery_mode": "at_home", "division": "510105"},
    {"subsidy": "advanced_age"},
    {"price_max": "5000", "sort": "price"},
    {"age_months": "24", "domain": "childcare"},
    {"lat": "30.642", "lng": "104.043", "radius_km": "3", "sort": "distance"},
    {"lat": "30.66", "lng": "104.06", "radius_km": "2", "domain": "health"},
]


def _seed_residents(count: int) -> list[dict]:
    """Residents with the privacy consent signup records and a saved address in every district,
    so each can book any home service; one Argon2 hash shared (hashing 50 passwords is slow)."""
    from django.conf import settings
    from django.contrib.auth.hashers import Argon2PasswordHasher, make_password

    from portal.accounts.models import Consent, User
    from providers.models import Branch
    from services.models import Address

    # The production hasher (the test run swaps in a fast one for everything else).
    hashed = make_password(PASSWORD, hasher=Argon2PasswordHasher())
    users = User.objects.bulk_create(
        User(phone=f"+86135{i:08d}", name=f"压测居民{i}", role=User.Role.RESIDENT, password=hashed)
        for i in range(count)
    )
    Consent.objects.bulk_create(
        Consent(
            user=u,
            document=Consent.Document.PRIVACY_NOTICE,
            version=settings.PRIVACY_NOTICE_VERSION,
        )
        for u in users
    )
    districts = sorted(set(Branch.objects.values_list("division_id", flat=True)))
    Address.objects.bulk_create(
        Address(
            owner=u,
            label=f"家{n}",
            division_id=code,
            detail=f"测试路 {n} 号",
            latitude="30.660000",
            longitude="104.060000",
            is_default=n == 0,
        )
        for u in users
        for n, code in enumerate(districts)
    )
    by_owner: dict = {}
    for owner, code, pk in Address.objects.filter(owner__in=users).values_list(
        "owner_id", "division_id", "id"
    ):
        by_owner.setdefault(owner, {})[code] = pk
    return [{"phone": u.phone.removeprefix("+86"), "addresses": by_owner[u.pk]} for u in users]


def _hot_listings(count: int) -> list[dict]:
    """`count` public listings spread over the city, with free slots from two hours on (a slot
    starting during the run would only add "slot_past" refusals), at-branch and at-home alike,
    of a few places per slot, so that slots fill up during the run and residents race for the
    last place."""
    from services.models import Listing
    from services.selectors import listing_list_public

    soon = timezone.now() + dt.timedelta(hours=2)
    candidates = []
    for listing in (
        listing_list_public()
        .filter(capacity_per_slot__lte=4, slots__starts_at__gt=soon, slots__remaining__gt=0)
        .distinct()
        .prefetch_related("service_divisions")
        .order_by("pk")
    ):
        at_home = listing.delivery_mode == Listing.DeliveryMode.AT_HOME
        areas = [d.code for d in listing.service_divisions.all()]
        # The residents have an address in every district: a home service covering one.
        if at_home and (len(areas) != 1 or len(areas[0]) != 6):
            continue
        candidates.append(
            {"id": listing.pk, "at_home": at_home, "area": areas[0] if at_home else ""}
        )
    step = max(1, len(candidates) // max(count, 1))
    return candidates[::step][:count]


def _oversold() -> dict:
    """For every slot: the bookings holding a place (not cancelled or expired) against its
    capacity, and whether `remaining` agrees with them."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE coalesce(b.held, 0) > s.capacity),
                   coalesce(sum(greatest(coalesce(b.held, 0) - s.capacity, 0)), 0),
                   count(*) FILTER (WHERE s.capacity - s.remaining <> coalesce(b.held, 0)),
                   coalesce(sum(b.held), 0),
                   count(*) FILTER (WHERE s.remaining = 0)
            FROM services_slot s
            LEFT JOIN (
                SELECT slot_id, count(*) AS held FROM services_booking
                WHERE status NOT IN ('cancelled_by_resident', 'cancelled_by_provider', 'expired')
                GROUP BY slot_id
            ) b ON b.slot_id = s.id
            """
        )
        slots, places, drift, held, full = cursor.fetchone()
    return {"slots": slots, "places": places, "drift": drift, "held": held, "full": full}


def _server_env(redis_url: str, static_root: Path) -> dict:
    """Production settings, not the test run's (pytest-env put test defaults in os.environ)."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")
    return {
        **{k: os.environ[k] for k in keep if k in os.environ},
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # Plain HTTP on the loopback: production terminates TLS in the proxy in front.
        "HTTPS": "false",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": redis_url,
        **({"CACHE_URL": os.environ["CACHE_URL"]} if os.environ.get("CACHE_URL") else {}),
        "STATIC_ROOT": str(static_root),
        # The bench measures the portal, not the throttle that stops one fast client (make bench).
        "API_ANON_RATE": "1000000/minute",
        "API_USER_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "dummymail://",
    }


def _static_is_stale() -> bool:
    """collectstatic with compression takes a minute or two here, and redoes all of it every
    time: keep the result under var/ and collect again only when a static file or the pinned
    packages (which bring their own) changed since."""
    manifest = STATIC_ROOT / "staticfiles.json"
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    sources = [ROOT / "requirements.txt", *(ROOT / "static").rglob("*")]
    return any(path.stat().st_mtime > collected for path in sources if path.exists())


def _cpu(pid: int) -> dict:
    """CPU seconds used so far by gunicorn (master and workers) and by the whole machine."""
    import psutil

    master = psutil.Process(pid)
    server = 0.0
    for process in [master, *master.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        server += times.user + times.system
    machine = psutil.cpu_times()
    # Linux counts guest time inside user time as well.
    idle = sum(getattr(machine, f, 0.0) for f in ("idle", "iowait", "guest", "guest_nice"))
    return {"server": server, "machine_busy": sum(machine) - idle}


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn exited ({server.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url + "/", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _warm_up(url: str, data: dict) -> None:
    """Each gunicorn process's first requests compile templates, open its database and Redis
    connections and load translations; a deployed portal has done that long before the
    morning's residents arrive. A few rounds of the pages over 8 connections reach every
    process. Not measured."""
    paths = ["/", "/accounts/login/", "/search/"]
    paths += ["/search/?" + urlencode({"q": q}) for q in data["chinese_terms"][:3]]
    paths += ["/search/?" + urlencode(f) for f in data["filter_sets"][:3]]
    paths += [f"/services/{pk}/" for pk in data["listings"][:6]]
    paths += [f"/api/v1/listings/{h['id']}/slots/" for h in data["hot_listings"][:3]]

    def get(path: str) -> None:
        with urllib.request.urlopen(url + path, timeout=60) as response:  # noqa: S310
            response.read()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(get, paths * 4))


def _percentile(sorted_ms: list[float], q: float) -> float:
    """Nearest rank."""
    if not sorted_ms:
        return float("nan")
    return sorted_ms[min(len(sorted_ms) - 1, max(0, math.ceil(q * len(sorted_ms)) - 1))]


def _figures(records: list) -> dict:
    times = sorted(r[2] for r in records)
    failed = sum(1 for r in records if r[4])
    return {
        "count": len(records),
        "failed": failed,
        "fail_pct": 100 * failed / max(len(records), 1),
        "p50": _percentile(times, 0.50),
        "p95": _percentile(times, 0.95),
        "p99": _percentile(times, 0.99),
        "max": times[-1] if times else float("nan"),
    }


def _print_table(records: list, steady_from: float) -> None:
    """Per request type over the whole run, and the p95 of the steady state (after the last
    resident logged in: 50 Argon2 logins within seconds load both cores, see `login POST`)."""
    print(
        f"{'request':18} {'count':>6} {'fail %':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"
        f" {'max ms':>7} | {'steady n':>8} {'p95 ms':>7}  target"
    )
    names = sorted({r[1] for r in records})
    for name in [*names, "all"]:
        mine = [r for r in records if name in ("all", r[1])]
        whole = _figures(mine)
        steady = _figures([r for r in mine if r[0] >= steady_from])
        target = ""
        if name in PAGES_WITH_TARGET:
            verdict = "met" if steady["p95"] <= TARGET_P95_MS else "MISSED"
            whole_verdict = "met" if whole["p95"] <= TARGET_P95_MS else "MISSED"
            target = f"p95 ≤ {TARGET_P95_MS}: {verdict} (whole run: {whole_verdict})"
        elif name == "all":
            target = f"errors 0: {'met' if whole['failed'] == 0 else 'MISSED'}"
        print(
            f"{name:18} {whole['count']:6d} {whole['fail_pct']:6.2f} {whole['p50']:7.0f}"
            f" {whole['p95']:7.0f} {whole['p99']:7.0f} {whole['max']:7.0f} |"
            f" {steady['count']:8d} {steady['p95']:7.0f}  {target}"
        )


@pytest.mark.django_db(transaction=True)
def test_bench_load(settings, tmp_path, redis_url):
    from django.core.management import call_command

    from services.models import Booking
    from services.selectors import listing_list_public

    if importlib.util.find_spec("locust") is None:
        pytest.fail("locust is not installed: pip install the pinned requirements")
    scale = int(os.environ.get("BENCH_SCALE", "1"))
    phases = {}
    started = time.perf_counter()
    settings.DEBUG = True
    call_command("seed_demo", "--scale", str(scale), verbosity=0)
    settings.DEBUG = False
    residents = _seed_residents(USERS)
    hot = _hot_listings(HOT_LISTINGS)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    bookings_before = Booking.objects.count()
    listings = list(listing_list_public().order_by("?").values_list("pk", flat=True)[:500])
    data = {
        "password": PASSWORD,
        "residents": residents,
        "hot_listings": hot,
        "listings": listings,
        "chinese_terms": CHINESE_TERMS,
        "pinyin_terms": PINYIN_TERMS,
        "filter_sets": FILTER_SETS,
    }
    (tmp_path / "load_data.json").write_text(json.dumps(data, ensure_ascii=False))
    phases["seed"] = time.perf_counter() - started

    started = time.perf_counter()
    env = _server_env(redis_url, STATIC_ROOT)
    if _static_is_stale():
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    phases["collectstatic"] = time.perf_counter() - started
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server_log = tmp_path / "gunicorn.log"
    locust_log = tmp_path / "locust.log"
    outcomes_path = tmp_path / "outcomes.json"
    with server_log.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "portal.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(WORKERS),
                "--threads",
                str(THREADS),
                "--worker-class",
                "gthread",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        started = time.perf_counter()
        _wait_until_serving(url, server, server_log)
        _warm_up(url, data)
        phases["server start + warm-up"] = time.perf_counter() - started
        load_average = os.getloadavg()[0]
        cpu_before = _cpu(server.pid)
        started = time.perf_counter()
        with locust_log.open("w") as log:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(Path(__file__).with_name("load_locustfile.py")),
                    "--headless",
                    "--users",
                    str(USERS),
                    "--spawn-rate",
                    str(SPAWN_RATE),
                    "--run-time",
                    f"{SECONDS}s",
                    "--stop-timeout",
                    "10",
                    "--host",
                    url,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={
                    **os.environ,
                    "LOAD_DATA": str(tmp_path / "load_data.json"),
                    "LOAD_OUTCOMES": str(outcomes_path),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=SECONDS + 300,
            )
        phases["load"] = wall = time.perf_counter() - started
        cpu_after = _cpu(server.pid)
    finally:
        _stop(server)

    assert outcomes_path.exists(), (
        f"locust exited {done.returncode}:\n{locust_log.read_text()[-4000:]}"
    )
    result = json.loads(outcomes_path.read_text())
    outcomes, records = result["outcomes"], result["requests"]
    logins = [r[0] + r[2] / 1000 for r in records if r[1] == "login POST"]
    steady_from = max(logins, default=0.0)
    server_errors = Counter(r[1] for r in records if r[3] >= 500)
    failures = Counter(f"{r[1]}: {r[4]}" for r in records if r[4])
    made = Booking.objects.count() - bookings_before
    check = _oversold()

    print(
        f"\nload: {USERS} residents (spawn {SPAWN_RATE}/s, think {THINK} s) for {SECONDS} s"
        f" against gunicorn {WORKERS} processes × {THREADS} threads (gthread), DEBUG off,"
        f" WhiteNoise, Redis cache; demo city scale {scale}, {len(hot)} hot listings."
        f"\nmachine: {os.cpu_count()} cores, shared by gunicorn, PostgreSQL, Redis, the locust"
        f" process itself and anything else running (load average before the run"
        f" {load_average:.1f}) — figures are for this machine at this moment."
        f"\nphases: " + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())
    )
    _print_table(records, steady_from)
    first = min((r[0] for r in records), default=steady_from)
    print(
        f"  throughput: {len(records) / wall:.1f} requests/s; steady state from"
        f" {steady_from - first:.1f} s into the run (the last login)"
    )
    server_cpu = cpu_after["server"] - cpu_before["server"]
    busy = cpu_after["machine_busy"] - cpu_before["machine_busy"]
    print(
        f"  CPU: gunicorn {server_cpu:.1f} s = {1000 * server_cpu / max(len(records), 1):.1f} ms"
        f" per request (without PostgreSQL); the machine was busy {busy:.0f} of"
        f" {wall * (os.cpu_count() or 1):.0f} core-seconds, gunicorn"
        f" {100 * server_cpu / max(busy, 0.001):.0f} % of that"
    )
    print(f"  5xx answers: {sum(server_errors.values())} {dict(server_errors) or ''}")
    for failure, times in failures.most_common(10):
        print(f"  failure ×{times}: {failure}")
    print(
        f"  booking outcomes: {dict(sorted(outcomes.items()))}; {made} new bookings in the database"
    )
    print(
        f"  oversold slots: {check['slots']} (target 0), places over capacity: {check['places']};"
        f" slots whose remaining ≠ capacity − bookings: {check['drift']};"
        f" {check['held']} places held in all, {check['full']} slots full"
    )
    if server_errors:
        print(f"  gunicorn log (end):\n{server_log.read_text()[-3000:]}")

    assert sum(server_errors.values()) == 0, server_errors
    assert not failures, failures
    assert check["slots"] == 0, check
    assert check["drift"] == 0, check
    # Every booking the residents were told about is in the database, and nothing else.
    assert made == outcomes.get("booked_form", 0) + outcomes.get("booked_api", 0)
    assert made > 0, outcomes
