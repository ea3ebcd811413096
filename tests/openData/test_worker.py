"""A release run by a real Celery worker through Redis, and the worker killed mid-release:
nothing becomes visible, and the rerun publishes exactly once."""

from __future__ import annotations

import time

import pytest
from django.conf import settings

from openData.models import Dataset, Release, Run
from openData.services.catalogue import catalogue_sync
from tests.providers.factories import ProviderFactory
from tests.services.factories import public_listing
from tests.workers import worker_process

TASK = "openData.tasks.publish_release"


def _wait(run: Run, until, seconds: float = 90) -> Run:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if until(run):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run stuck at {run.status} {run.stage} {run.progress}% {run.error}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_release_leaves_nothing_and_the_rerun_publishes_once(redis_url):
    catalogue_sync()
    public_listing(ProviderFactory(division_id="510107"), title="上门助浴")
    dataset = Dataset.objects.get(slug="listings-prices")
    run = Run.objects.create(dataset=dataset, trigger=Run.Trigger.MANUAL)
    root = str(settings.OPENDATA_ROOT)

    # The first worker holds the run at each checkpoint; it is killed while it waits after
    # writing the first table (SIGKILL: no cleanup, no acknowledgement).
    slow = {"OPENDATA_ROOT": root, "OPENDATA_STAGE_DELAY": "60"}
    with worker_process(redis_url, env=slow) as (queue, client, worker):
        client.send_task(TASK, args=[str(run.pk)], queue=queue)
        _wait(run, lambda r: r.stage.startswith("resource:") and r.progress > 0)
        worker.kill()
        worker.wait(timeout=10)

    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING
    assert not Release.objects.exists()
    assert not (settings.OPENDATA_ROOT / "releases").exists()
    assert list((settings.OPENDATA_ROOT / "staging").iterdir())  # its unfinished work

    # The rerun, twice: one release.
    with worker_process(redis_url, env={"OPENDATA_ROOT": root}) as (queue, client, _worker):
        client.send_task(TASK, args=[str(run.pk)], queue=queue).get(timeout=90)
        answer = client.send_task(TASK, args=[str(run.pk)], queue=queue).get(timeout=90)

    run.refresh_from_db()
    assert run.status == Run.Status.PUBLISHED, run.error
    assert answer == {"run": str(run.pk), "status": "published"}
    assert run.attempts == 2
    assert Release.objects.filter(dataset=dataset).count() == 1
    release = Release.objects.get()
    assert release.version == 1
    assert not list((settings.OPENDATA_ROOT / "staging").iterdir())
    published = settings.OPENDATA_ROOT / release.directory
    assert {p.name for p in published.iterdir()} == set(
        release.files.values_list("name", flat=True)
    )
