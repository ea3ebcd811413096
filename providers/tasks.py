"""Scheduled jobs of the providers app."""

from __future__ import annotations

from celery import shared_task

from providers.services.licences import licences_notify_expiring


@shared_task(name="providers.tasks.notify_expiring_licences")
def notify_expiring_licences() -> int:
    """Notice to each provider about licences ending within 30 days (once per licence)."""
    return licences_notify_expiring()
