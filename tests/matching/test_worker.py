"""A match run executed by a real Celery worker process through Redis (see
tests/portal/test_celery_worker.py for the broker and database wiring this reuses)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import pytest
from celery import Celery

from matching.models import Candidate, MatchRun
from tests.matching.factories import NeedFactory, matchable_listing
from tests.portal.test_celery_worker import ROOT, _database_url, redis_url  # noqa: F401
from tests.providers.factories import ProviderFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_match_run_sent_through_redis(redis_url):  # noqa: F811
    provider = ProviderFactory(division_id="510107")
    listing, _ = matchable_listing(provider, capacity=2)
    needs = NeedFactory.create_batch(2)
    run = MatchRun.objects.create(domain="eldercare", division_id="510107")

    queue = f"test-{uuid.uuid4().hex[:8]}"  # nobody else consumes this queue
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool",
            "solo",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = Celery("test-client", broker=redis_url, backend=redis_url)
    try:
        result = client.send_task("matching.tasks.run_match", args=[run.pk], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED):
                break
            time.sleep(0.2)
        answer = result.get(timeout=30)
    except Exception:
        worker.kill()
        output = worker.communicate(timeout=10)[0]
        pytest.fail(f"the worker did not finish the run; its output:\n{output[-3000:]}")
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        client.close()

    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert answer["status"] == "succeeded"
    assert run.attempts == 1
    assigned = Candidate.objects.filter(run=run, assigned=True)
    assert sorted(c.need_id for c in assigned) == sorted(n.pk for n in needs)
    assert {c.listing_id for c in assigned} == {listing.pk}
