"""Scheduled jobs of the ratings app (beat: portal/settings.py CELERY_BEAT_SCHEDULE).

Each is thin and idempotent: it can run twice, or be killed halfway, with the same result.
Each sub-domain adds its own block below.
"""

from __future__ import annotations

from celery import shared_task

# --- reviews


@shared_task(name="ratings.tasks.recompute_scores")
def recompute_scores() -> dict:
    """Nightly: every listing's and provider's quality score against fresh domain priors and
    the day's time decay (ratings.services.scores.scores_recompute_all; idempotent)."""
    from ratings.services.scores import scores_recompute_all

    return scores_recompute_all()


# --- credit


@shared_task(name="ratings.tasks.refresh_credit")
def refresh_credit() -> dict:
    """Nightly: end expired list entries, record overdue rectifications and lapsed licences,
    regrade every provider (ratings.services.credit.credit_refresh; idempotent)."""
    from ratings.services.credit import credit_refresh

    return credit_refresh()


# --- complaints


@shared_task(name="ratings.tasks.escalate_complaints")
def escalate_complaints() -> int:
    """Every 15 minutes: open complaints past their stage's working-day deadline go to the
    supervising officials, once per stage (ratings.services.complaints.complaints_escalate)."""
    from ratings.services.complaints import complaints_escalate

    return complaints_escalate()


# --- inspections


@shared_task(name="ratings.tasks.expire_grades")
def expire_grades() -> int:
    """Nightly: a provider's shown official grade follows the grades still in force
    (ratings.services.inspections.grades_expire; idempotent)."""
    from ratings.services.inspections import grades_expire

    return grades_expire()
