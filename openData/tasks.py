"""Jobs of the open-data app (queue "opendata"; beat: portal/settings.py CELERY_BEAT_SCHEDULE).

Thin and idempotent: a run is claimed by a conditional update, a published or refused run is not
redone, and a run whose worker died is built again from scratch and published once.
"""

from __future__ import annotations

from celery import shared_task

from openData.errors import OpenDataError
from openData.services import releases


@shared_task(
    name="openData.tasks.publish_release",
    bind=True,
    autoretry_for=(Exception,),
    max_retries=3,
    retry_backoff=10,
    retry_backoff_max=300,
    retry_jitter=True,
    acks_late=True,
)
def publish_release(self, run_id: str) -> dict:
    """Build, check and publish one run's release (releases.run_execute). An unknown run is
    reported, not retried."""
    try:
        run = releases.run_execute(run_id)
    except OpenDataError as error:
        return {"run": str(run_id), "error": error.code}
    return {"run": str(run.pk), "status": run.status}


@shared_task(name="openData.tasks.release_due")
def release_due() -> list[str]:
    """Every 5 minutes: a run for each dataset whose timetable slot has come."""
    return [str(run.pk) for run in releases.runs_request_due()]


@shared_task(name="openData.tasks.remove_orphans")
def remove_orphans() -> int:
    return releases.orphans_remove()
