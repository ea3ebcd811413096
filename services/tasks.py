"""Scheduled jobs of the services app (beat: portal/settings.py CELERY_BEAT_SCHEDULE).

Each is thin and idempotent: it can run twice, or be killed halfway, with the same result.
"""

from __future__ import annotations

from celery import shared_task

from services.services import doctor, payments, plans
from services.services.bookings import bookings_expire
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


@shared_task(name="services.tasks.expire_bookings")
def expire_bookings() -> int:
    """Requested bookings past their confirmation deadline become expired (refunded)."""
    return bookings_expire()


@shared_task(name="services.tasks.plans_book_ahead")
def plans_book_ahead() -> dict:
    return plans.plans_book_ahead_all()


@shared_task(name="services.tasks.remind_contract_renewals")
def remind_contract_renewals() -> int:
    return doctor.contracts_remind_renewal()


@shared_task(
    name="services.tasks.deliver_gateway_callback",
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=5,
)
def deliver_gateway_callback(gateway: str, body: str, signature: str) -> str:
    """The sandbox gateway's notification, delivered like a bank's: later, possibly twice."""
    payment = payments.callback_receive(gateway=gateway, body=body.encode(), signature=signature)
    return payment.status
