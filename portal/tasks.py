"""Project-wide tasks: a ping that proves a worker reaches the database, the beat heartbeat."""

from __future__ import annotations

import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from portal.health import BEAT_HEARTBEAT_KEY, check_database


@shared_task(name="portal.tasks.ping")
def ping() -> dict:
    """Answer from whichever process runs it, with the state of its database connection."""
    return {"pong": True, "host": socket.gethostname(), "database": check_database()["ok"]}


@shared_task(name="portal.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled every minute by beat; /healthz reports how long ago it last ran."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now(), timeout=3600)
