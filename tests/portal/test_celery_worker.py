"""A real Celery worker process, a real Redis, and a task that reaches the test database.

The broker is the machine's Redis when REDIS_URL is set (CI), otherwise a throwaway
redis-server this test starts on a free port and stops. Without either it cannot run here.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    if not shutil.which("redis-server"):
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the worker test: set REDIS_URL or install redis-server")
        pytest.skip("no REDIS_URL and no redis-server binary: cannot start a real broker here")
    port = _free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _database_url() -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    # The embedded server is reached through a socket directory given as OPTIONS["host"].
    host = s.get("HOST") or s.get("OPTIONS", {}).get("host") or ""
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{s['NAME']}?host={host}"
    return f"postgres://{user}{password}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_task_sent_through_redis(redis_url):
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
        result = client.send_task("portal.tasks.ping", queue=queue)
        answer = result.get(timeout=60)
    except Exception:
        worker.kill()
        output = worker.communicate(timeout=10)[0]
        pytest.fail(f"the worker did not answer; its output:\n{output[-3000:]}")
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        client.close()

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
