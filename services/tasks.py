"""Scheduled jobs of the services app (beat: portal/settings.py CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from services.services.schedules import DEFAULT_WEEKS, slots_materialise_all
from services.services.visibility import listings_refresh_visibility


@shared_task(name="services.tasks.materialise_slots")
def materialise_slots(weeks: int = DEFAULT_WEEKS) -> dict:
    """Create the next weeks' slots from every schedule; safe to run twice or to retry."""
    return slots_materialise_all(weeks=int(weeks))


@shared_task(name="services.tasks.refresh_listing_visibility")
def refresh_listing_visibility() -> dict:
    """Hide listings whose required licence expired overnight (and show renewed ones)."""
    return listings_refresh_visibility()
