"""Scheduled jobs of the volunteers app (beat: portal/settings.py CELERY_BEAT_SCHEDULE).

Each is thin and idempotent: it can run twice, or be killed halfway, with the same result.
Each sub-domain adds its own block below.
"""

from __future__ import annotations

from celery import shared_task

# --- time bank


@shared_task(name="volunteers.tasks.timebank_expire_daily")
def timebank_expire_daily() -> dict:
    """Nightly: banked hours older than VOLUNTEER_TIMEBANK_EXPIRY_MONTHS expire, oldest first
    (volunteers.services.timebank.timebank_expire; one transaction per account and day)."""
    from volunteers.services.timebank import timebank_expire

    return timebank_expire()
