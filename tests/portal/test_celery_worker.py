"""A real Celery worker process, a real Redis, and a task that reaches the test database
(tests/workers.py starts them); the routing and the beat schedule."""

from __future__ import annotations

import pytest

from tests.workers import celery_worker


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_redis(redis_url):
    with celery_worker(redis_url) as (queue, client):
        result = client.send_task("portal.tasks.ping", queue=queue)
        answer = result.get(timeout=60)

    assert answer["pong"] is True
    assert answer["database"] is True  # the worker reached this test's database
    assert result.status == "SUCCESS"


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("matching.tasks.match_run_execute", "matching"),
        ("openData.tasks.release_publish", "opendata"),
        ("portal.tasks.ping", "default"),
    ],
)
def test_tasks_are_routed_to_their_queues(task_name, queue):
    from portal.celery import app

    route = app.amqp.router.route({}, task_name)
    assert route["queue"].name == queue


def test_beat_schedules_the_heartbeat_every_minute():
    from portal.celery import app

    entry = app.conf.beat_schedule["beat-heartbeat"]
    assert entry["task"] == "portal.tasks.beat_heartbeat"
    assert entry["schedule"] == 60.0


def test_every_scheduled_job_names_a_registered_task():
    from portal.celery import app

    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


@pytest.mark.django_db
def test_the_nightly_jobs_run_twice_without_doing_the_work_twice(provider_a, staff_a):
    import datetime as dt

    from portal.notifications.models import Notification
    from providers.tasks import notify_expiring_licences
    from services.tasks import refresh_listing_visibility
    from tests.providers.factories import LicenceFactory

    LicenceFactory(provider=provider_a, valid_until=dt.date.today() + dt.timedelta(days=10))
    from tests.services.factories import ListingFactory

    ListingFactory(branch__provider=provider_a, category_id="child_full_day")  # no 托育 filing

    assert notify_expiring_licences.delay().get() == 1
    assert notify_expiring_licences.delay().get() == 0
    assert Notification.objects.count() == 1
    assert refresh_listing_visibility.delay().get() == {"hidden": 1, "shown": 0}
    assert refresh_listing_visibility.delay().get() == {"hidden": 0, "shown": 0}
