"""Checks behind /healthz: database, Redis, Celery workers and beat."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "portal:beat-heartbeat"


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        result = check()
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
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

        replies = app.control.ping(timeout=timeout) or []
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
    """The full report and whether the portal can serve (the database answers)."""
    report = {
        "database": check_database(),
        "redis": check_redis(),
        "workers": check_workers(),
        "beat": check_beat(),
    }
    healthy = report["database"]["ok"] is True
    report["status"] = "ok" if healthy else "unavailable"
    return report, healthy
