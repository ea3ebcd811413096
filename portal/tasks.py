"""Project-wide tasks: a ping that proves a worker reaches the database, the beat heartbeat."""

from __future__ import annotations

import logging
import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from portal.health import BEAT_HEARTBEAT_KEY, check_database

logger = logging.getLogger(__name__)


@shared_task(name="portal.tasks.ping")
def ping() -> dict:
    """Answer from whichever process runs it, with the state of its database connection."""
    return {"pong": True, "host": socket.gethostname(), "database": check_database()["ok"]}


@shared_task(name="portal.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Scheduled every minute by beat; /healthz reports how long ago it last ran."""
    cache.set(BEAT_HEARTBEAT_KEY, timezone.now(), timeout=3600)


@shared_task(name="portal.tasks.purge_closed_accounts", ignore_result=True)
def purge_closed_accounts() -> int:
    """Nightly: pseudonymise the records kept about accounts closed longer than
    ACCOUNT_RETENTION_DAYS, one transaction per account (a crash keeps what was done; the
    rerun picks up the rest, and done accounts are not touched again)."""
    from portal.accounts import selectors, services

    done = 0
    for user_id in list(selectors.accounts_due_for_purge().values_list("pk", flat=True)):
        try:
            done += services.account_retention_purge(user_id=user_id)
        except Exception:
            # That account's transaction rolled back whole; it stays due and the next run
            # retries it. The others must not wait for it.
            logger.exception("retention purge failed for account %s", user_id)
    return done
