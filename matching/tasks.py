"""Jobs of the matching app (queue "matching"; beat: portal/settings.py CELERY_BEAT_SCHEDULE).

Thin and idempotent: a run is claimed by a conditional update, a succeeded run is not redone,
and a failed one is completed by the retry.
"""

from __future__ import annotations

from celery import shared_task

from matching.services import engine


@shared_task(
    name="matching.tasks.run_match",
    bind=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    acks_late=True,
)
def run_match(self, run_id: int) -> dict:
    """Execute one match run (engine.run_execute); an error marks it failed and retries."""
    run = engine.run_execute(int(run_id))
    return {"run": run.pk, "status": run.status, "counts": run.counts}


@shared_task(name="matching.tasks.match_open_needs")
def match_open_needs() -> list[int]:
    """Every 5 minutes: one run per (domain, district) with open needs; a scope whose run is
    still queued or running is not asked twice, and unchanged inputs reuse the last result."""
    return [run.pk for run in engine.runs_request_for_open_needs()]


@shared_task(name="matching.tasks.notify_proposals", acks_late=True)
def notify_proposals(run_id: int) -> int:
    """Tell residents about the run's assignments (deduplicated per run and need)."""
    return engine.run_notify(int(run_id))
