"""Fault injection: Redis stopped, the database connection dropped mid-request, a Celery
worker killed in the middle of a match run.

Each fault is real: a throwaway redis-server is killed, the request's PostgreSQL backend is
terminated with pg_terminate_backend, the worker process gets SIGKILL. (A worker killed
mid-release is tests/openData/test_worker.py.)
"""

from __future__ import annotations

import logging
import threading
import time

import pytest
from django.contrib.sessions.middleware import SessionMiddleware
from django.db import OperationalError, connection, connections
from django.test import Client
from django.urls import reverse

from matching.models import Candidate, MatchRun, Need
from portal.audit.models import AuditEntry
from portal.celery import app
from portal.tasks import ping
from services.models import Booking, BookingEvent, Payment, Slot
from services.services.listings import listings_reindex
from tests.matching.factories import NeedFactory, matchable_listing
from tests.providers.factories import ProviderFactory
from tests.services.factories import AddressFactory, SlotFactory, public_listing
from tests.workers import free_port, redis_server, require_redis_server, worker_process

# --- Redis stopped ------------------------------------------------------------------------------


@pytest.fixture
def throwaway_redis():
    """A redis-server of this test only (never the machine's), for the test to kill."""
    require_redis_server("the Redis fault test")
    with redis_server() as (port, proc):
        yield port, proc


@pytest.fixture
def portal_on_redis(throwaway_redis, settings, monkeypatch):
    """Point the broker, the result backend, the cache and /healthz at the throwaway Redis, as
    production settings would (REDIS_URL set, tasks not eager). Yields the redis-server process."""
    port, proc = throwaway_redis
    url = f"redis://127.0.0.1:{port}"
    settings.REDIS_URL = f"{url}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": f"{url}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.SEARCH_CACHE_SECONDS = 60  # search results go through the cache, as in production
    for key, value in {
        "broker_url": f"{url}/0",
        "result_backend": f"{url}/0",
        "task_always_eager": False,
    }.items():
        monkeypatch.setitem(app.conf, key, value)
    # The app keeps its producer pool and result backend once made: start from none, and put
    # the ones of other tests back afterwards (monkeypatch restores them).
    monkeypatch.setattr(app, "_pool", None)
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(app, "_backend_cache", None)
    monkeypatch.setattr(app, "_local", threading.local())
    yield proc
    pool = app.amqp._producer_pool
    if pool is not None:
        pool.connections.force_close_all()


def _queued(port: int, queue: str) -> int:
    import redis

    client = redis.Redis(port=port, db=0)
    try:
        return client.llen(queue)
    finally:
        client.close()


def _need_form(address) -> dict:
    return {
        "domain": "eldercare",
        "category": "elder_meals",
        "place": "branch",
        "address": str(address.pk),
        "max_distance_km": "5",
        "budget_min_yuan": "10",
        "budget_max_yuan": "30",
        "care_level": "",
        "urgency": "normal",
        "window-TOTAL_FORMS": "1",
        "window-INITIAL_FORMS": "0",
        "window-MIN_NUM_FORMS": "0",
        "window-MAX_NUM_FORMS": "3",
        "window-0-weekday": "2",
        "window-0-start": "11:00",
        "window-0-end": "12:00",
    }


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_pages_and_the_api_serve_and_tasks_run_in_the_web_process(
    portal_on_redis, throwaway_redis, client, wang_fang, provider_a, caplog
):
    from portal.dispatch import enqueue

    port, _proc = throwaway_redis
    listing = public_listing(provider_a, title="上门助浴", category_id="elder_bathing")
    listings_reindex()
    address = AddressFactory(owner=wang_fang)

    # While Redis runs, tasks really go to the broker (not eager) and /healthz says so.
    enqueue(ping)
    assert _queued(port, "default") == 1
    assert client.get("/healthz").json()["redis"]["ok"] is True

    portal_on_redis.kill()
    portal_on_redis.wait(timeout=10)
    caplog.set_level(logging.WARNING)

    pages = [
        "/",
        reverse("services:search") + "?q=助浴",
        reverse("services:public-detail", args=[listing.pk]),
        "/api/v1/listings/",  # the API's throttles read the cache
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    assert "上门助浴" in client.get(reverse("services:search") + "?q=助浴").content.decode()
    assert any(r.name == "portal.cache" and r.levelno == logging.WARNING for r in caplog.records)

    # Posting a need asks for a match run after commit: with no broker it runs here and now.
    client.force_login(wang_fang)  # sessions live in the database
    response = client.post(reverse("matching:need-new"), _need_form(address))

    need = Need.objects.get(resident=wang_fang)
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:my-need", kwargs={"pk": need.pk})
    run = MatchRun.objects.get(need=need)
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert run.counts["needs"] == 1
    warnings = [
        r for r in caplog.records if r.name == "portal.dispatch" and r.levelno == logging.WARNING
    ]
    assert warnings
    assert "matching.tasks.run_match" in warnings[0].getMessage()
    assert client.get(reverse("matching:my-need", kwargs={"pk": need.pk})).status_code == 200

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["redis"]["ok"] is False
    assert health.json()["database"]["ok"] is True


def test_a_cache_that_does_not_answer_reads_as_empty():
    from portal.cache import ResilientRedisCache

    cache = ResilientRedisCache(
        f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
        {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}},
    )

    assert cache.get("k", "default") == "default"
    assert cache.set("k", 1) is None
    assert cache.add("k", 1) is False
    assert cache.get_or_set("k", 7) == 7
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1}) == ["a"]
    with pytest.raises(ValueError, match="cache unavailable"):
        cache.incr("k")


# --- The database connection dropped mid-request ----------------------------------------------


def _terminate_backend(pid: int) -> None:
    """Kill the PostgreSQL backend `pid` from another connection, as a restart or a network
    cut would, and wait until it is gone."""

    def kill():
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
                assert cursor.fetchone()[0] is True
        finally:
            connections.close_all()

    thread = threading.Thread(target=kill)
    thread.start()
    thread.join(timeout=30)


@pytest.fixture
def drop_the_connection_before_the_payment(monkeypatch):
    """booking_create has taken the place and inserted the booking and its event; the
    connection dies before the pending payment is inserted."""
    from services.services import payments

    original = payments.payment_open
    dropped = []

    def payment_open(*, booking):
        if dropped:  # once: the next request goes through
            return original(booking=booking)
        dropped.append(booking.pk)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        assert Booking.objects.filter(pk=booking.pk).exists()  # written in this transaction
        _terminate_backend(pid)
        return original(booking=booking)

    monkeypatch.setattr(payments, "payment_open", payment_open)
    yield
    connection.close_if_unusable_or_obsolete()  # what the end of a real request does


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_booking_is_a_503_page_and_nothing_is_written(
    drop_the_connection_before_the_payment, client, wang_fang, provider_a
):
    listing = public_listing(provider_a, price_fen=1500)
    slot = SlotFactory(listing=listing, capacity=3)
    client.force_login(wang_fang)
    url = reverse("services:book", args=[listing.pk, slot.pk])
    token = client.get(url).context["form"].initial["token"]
    audits = AuditEntry.objects.count()

    response = client.post(url, {"token": token, "person": "self", "note": ""})
    connection.close_if_unusable_or_obsolete()

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert "服务暂时不可用" in body
    assert "请稍后再试" in body
    assert '<html lang="zh-Hans">' in body
    # The transaction died with the connection: no place taken, no booking, no payment.
    assert Slot.objects.get(pk=slot.pk).remaining == 3
    assert not Booking.objects.exists()
    assert not BookingEvent.objects.exists()
    assert not Payment.objects.exists()
    assert AuditEntry.objects.count() == audits
    # The next request gets a new connection and books.
    assert client.post(url, {"token": token, "person": "self", "note": ""}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_mid_booking_is_a_503_in_the_api_shape(
    drop_the_connection_before_the_payment, api_client, wang_fang, provider_a
):
    slot = SlotFactory(listing=public_listing(provider_a, price_fen=1500), capacity=3)
    api_client.force_authenticate(wang_fang)

    response = api_client.post(
        "/api/v1/bookings/", {"slot": slot.pk}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    connection.close_if_unusable_or_obsolete()

    assert response.status_code == 503
    assert response.json() == {
        "detail": "服务暂时不可用，请稍后再试。",
        "code": "service_unavailable",
        "fields": {},
    }
    assert Slot.objects.get(pk=slot.pk).remaining == 3
    assert not Booking.objects.exists()
    assert not Payment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/api/v1/listings/"])
def test_a_database_error_in_a_middleware_is_a_503_too(path, monkeypatch):
    """The session is saved after the view, outside the view's exception handling: Django
    hands such an error to handler500, which answers 503 for it too."""

    def process_response(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionMiddleware, "process_response", process_response)

    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 503
    if path.startswith("/api/"):
        assert response.json()["code"] == "service_unavailable"
    else:
        assert "服务暂时不可用" in response.content.decode()


# --- A worker killed in the middle of a match run ---------------------------------------------


def _writer_in_transaction() -> int | None:
    """The pid of another backend that has written candidates and not committed yet."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
             WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
               AND a.state = 'idle in transaction' AND l.granted
               AND l.mode = 'RowExclusiveLock' AND l.relation = %s::regclass
            """,
            [Candidate._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


def _until(check, seconds: float = 90, what: str = ""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what or check.__name__}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_match_run_shows_nothing_and_the_rerun_completes_once(redis_url):
    provider = ProviderFactory(division_id="510107")
    listing, _slot = matchable_listing(provider, capacity=2)
    needs = NeedFactory.create_batch(2)
    run = MatchRun.objects.create(domain="eldercare", division_id="510107")

    def nothing_visible():
        assert not Candidate.objects.exists()
        assert set(Need.objects.values_list("status", flat=True)) == {Need.Status.OPEN}
        assert MatchRun.objects.get(pk=run.pk).status == MatchRun.Status.RUNNING

    # The first worker holds the run inside its publishing transaction, candidates written but
    # not committed, and is killed there (SIGKILL: no cleanup, no acknowledgement).
    held = {"MATCHING_CHECKPOINT_DELAY": "publishing=120"}
    with worker_process(redis_url, env=held) as (queue, client, worker):
        client.send_task("matching.tasks.run_match", args=[run.pk], queue=queue)
        pid = _until(_writer_in_transaction, what="the run's uncommitted candidates")
        nothing_visible()
        worker.kill()
        worker.wait(timeout=10)
    _until(lambda: not _backend_alive(pid), seconds=30, what="PostgreSQL to drop the backend")

    nothing_visible()

    # The redelivered task, twice: it completes the run once.
    with worker_process(redis_url) as (queue, client, _worker):
        first = client.send_task("matching.tasks.run_match", args=[run.pk], queue=queue)
        first.get(timeout=90)
        again = client.send_task("matching.tasks.run_match", args=[run.pk], queue=queue)
        answer = again.get(timeout=90)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert answer["status"] == "succeeded"
    assert run.attempts == 2
    assert Candidate.objects.count() == run.counts["candidates"] > 0
    assert set(Candidate.objects.values_list("run_id", flat=True)) == {run.pk}
    assigned = Candidate.objects.filter(assigned=True)
    assert sorted(c.need_id for c in assigned) == sorted(n.pk for n in needs)
    assert {c.listing_id for c in assigned} == {listing.pk}
    assert set(Need.objects.values_list("status", flat=True)) == {Need.Status.MATCHED}
