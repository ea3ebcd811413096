"""Scheduled jobs of the socialorgs app (beat: portal/settings.py CELERY_BEAT_SCHEDULE).

Each is thin and idempotent: it can run twice, or be killed halfway, with the same result.
Each area adds its own block below.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

# --- charity


@shared_task(name="socialorgs.tasks.disclosures_flag_overdue")
def disclosures_flag_overdue() -> int:
    """Daily: last year's annual disclosure duties of charities are created, and every item
    still unpublished after its due date is flagged once (the organisation told, a credit
    event recorded): socialorgs.services.charity.disclosures_flag_overdue."""
    from socialorgs.services.charity import disclosures_flag_overdue as flag

    return flag()


# --- registry


@shared_task(name="socialorgs.tasks.annual_reports_flag_overdue")
def annual_reports_flag_overdue() -> dict:
    """Daily: after SOCIALORG_ANNUAL_REPORT_DUE of a year, every normal organisation without a
    handed-in report for the previous year is flagged once (the report marked overdue, a
    credit event, its accounts told): socialorgs.services.reports.annual_reports_flag_overdue."""
    from socialorgs.services.reports import annual_reports_flag_overdue as flag

    return flag()


# --- socialwork


@shared_task(
    name="socialorgs.tasks.socialwork_match",
    bind=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    acks_late=True,
)
def socialwork_match(self, division_code: str | None = None, request_id: int | None = None) -> dict:
    """Match waiting social-work requests to projects (queue "matching", like the matching
    app's runs): one district's, one request's, or — on the beat, with no argument — all of
    them, assigned at once by min-cost flow. A lock timeout or deadlock is retried; the run is
    idempotent (socialorgs.services.socialwork.matching)."""
    from socialorgs.services.socialwork import service_requests_match

    outcome = service_requests_match(
        division_code=division_code or None,
        request_id=int(request_id) if request_id is not None else None,
    )
    return outcome.as_dict()


@shared_task(name="socialorgs.tasks.socialwork_proposals_release")
def socialwork_proposals_release() -> dict:
    """Hourly (queue "default"): proposals unanswered for SOCIALWORK_PROPOSAL_DAYS, and those
    of organisations that stopped serving (revoked, deregistered, 严重违法失信名单), go back to
    open without that project; the residents are told and their districts rematched
    (socialorgs.services.socialwork.service_requests_release_due). A second run finds
    nothing."""
    from socialorgs.services.socialwork import service_requests_release_due

    return service_requests_release_due()


# --- credit


@shared_task(name="socialorgs.tasks.org_credit_refresh_daily")
def org_credit_refresh_daily() -> dict:
    """Nightly: list entries past their end date are ended, then every organisation's
    standing, credit score and grade are recomputed (events older than three years stop
    counting): socialorgs.services.credit.org_credit_refresh_daily. A second run the same day
    changes nothing."""
    from socialorgs.services.credit import org_credit_refresh_daily as refresh

    return refresh()
