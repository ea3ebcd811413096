"""Checks behind /healthz: database, Redis, Celery workers and beat."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "portal:beat-heartbeat"


logger = logging.getLogger(__name__)


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        result = check()
    except Exception as exc:  # a health check reports any failure, it never raises
        # The report is public: it names the kind of failure; hosts and users go to the log.
        logger.warning("health check %s failed: %s", check.__qualname__, exc)
        result = {"ok": False, "error": type(exc).__name__}
    result["latency_ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> dict:
    def run():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}

    return _timed(run)


def check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": None, "configured": False, "note": "no REDIS_URL: tasks run eagerly"}

    def run():
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        try:
            return {"ok": bool(client.ping()), "configured": True}
        finally:
            client.close()

    return _timed(run)


def check_workers(timeout: float = 0.5) -> dict:
    if not settings.REDIS_URL:
        return {"ok": None, "configured": False}

    def run():
        from portal.celery import app

        # One connection attempt, no retries: a down broker must not stall the health probe.
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=1)
            replies = app.control.ping(timeout=timeout, connection=connection) or []
        names = sorted(name for reply in replies for name in reply)
        return {"ok": bool(names), "configured": True, "workers": names}

    return _timed(run)


def check_beat() -> dict:
    if not settings.REDIS_URL:
        return {"ok": None, "configured": False}

    def run():
        last = cache.get(BEAT_HEARTBEAT_KEY)
        if last is None:
            return {"ok": False, "configured": True, "last_seen": None}
        age = (timezone.now() - last).total_seconds()
        return {"ok": age < 180, "configured": True, "last_seen": last.isoformat()}

    return _timed(run)


def health_report() -> tuple[dict, bool]:
    """The full report and whether the portal can serve (the database answers).

    status: "ok"; "degraded" (Redis down: HTTP 200); "unavailable" (database down: HTTP 503)."""
    redis = check_redis()
    if redis["ok"] is False:
        skipped = {"ok": False, "configured": True, "error": "redis unavailable"}
        workers, beat = skipped, dict(skipped)
    else:
        workers, beat = check_workers(), check_beat()
    report = {"database": check_database(), "redis": redis, "workers": workers, "beat": beat}
    healthy = report["database"]["ok"] is True
    # 503 only when the database does not answer: without it nothing works. A Redis that does
    # not answer is "degraded" with 200: pages and the API still serve, tasks run in the web
    # process (portal/dispatch.py) and the cache reads as empty (portal/cache.py).
    if not healthy:
        report["status"] = "unavailable"
    elif redis["ok"] is False:
        report["status"] = "degraded"
    else:
        report["status"] = "ok"
    return report, healthy
