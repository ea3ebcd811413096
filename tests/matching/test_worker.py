"""A match run executed by a real Celery worker process through Redis (tests/workers.py
starts the worker and the broker)."""

from __future__ import annotations

import time

import pytest

from matching.models import Candidate, MatchRun
from tests.matching.factories import NeedFactory, matchable_listing
from tests.providers.factories import ProviderFactory
from tests.workers import celery_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_match_run_sent_through_redis(redis_url):
    provider = ProviderFactory(division_id="510107")
    listing, _ = matchable_listing(provider, capacity=2)
    needs = NeedFactory.create_batch(2)
    run = MatchRun.objects.create(domain="eldercare", division_id="510107")

    with celery_worker(redis_url) as (queue, client):
        result = client.send_task("matching.tasks.run_match", args=[run.pk], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.status in (MatchRun.Status.SUCCEEDED, MatchRun.Status.FAILED):
                break
            time.sleep(0.2)
        answer = result.get(timeout=30)

    assert run.status == MatchRun.Status.SUCCEEDED, run.error
    assert answer["status"] == "succeeded"
    assert run.attempts == 1
    assigned = Candidate.objects.filter(run=run, assigned=True)
    assert sorted(c.need_id for c in assigned) == sorted(n.pk for n in needs)
    assert {c.listing_id for c in assigned} == {listing.pk}
