"""A real Celery worker process for tests, and the Redis it talks to.

The broker is the machine's Redis when REDIS_URL is set (CI), otherwise a throwaway
redis-server started on a free port and stopped afterwards; never the machine's own.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


_free_port = free_port  # the name the benchmarks import


def require_redis_server(what: str) -> None:
    """Skip (fail under CI) when this machine has no redis-server binary to start."""
    if not shutil.which("redis-server"):
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run {what}: install redis-server")
        pytest.skip(f"no redis-server binary: cannot start a Redis for {what}")


@contextmanager
def redis_server():
    """A throwaway redis-server on a free port of 127.0.0.1, never the machine's own, killed on
    exit (if the test did not kill it first). Yields (port, process)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield port, proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)


@pytest.fixture
def redis_url():
    if os.environ.get("REDIS_URL"):
        yield os.environ["REDIS_URL"]
        return
    require_redis_server("the worker test (or set REDIS_URL)")
    with redis_server() as (port, _proc):
        yield f"redis://127.0.0.1:{port}/0"


def _database_url() -> str:
    s = connection.settings_dict
    user = quote(s["USER"] or "")
    password = f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else ""
    # The embedded server is reached through a socket directory given as OPTIONS["host"].
    host = s.get("HOST") or s.get("OPTIONS", {}).get("host") or ""
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{s['NAME']}?host={host}"
    return f"postgres://{user}{password}@{host}:{s.get('PORT') or 5432}/{s['NAME']}"


@contextmanager
def celery_worker(redis_url: str, *, env: dict | None = None):
    """A worker process on a queue nobody else consumes, reaching this test's database.
    Yields (queue, client); a failure inside the block fails the test with the worker's
    output; the worker is stopped either way."""
    with worker_process(redis_url, env=env) as (queue, client, _worker):
        yield queue, client


@contextmanager
def worker_process(redis_url: str, *, env: dict | None = None):
    """As celery_worker, also yielding the process (for tests that kill it mid-task):
    (queue, client, process). `env` adds or overrides the worker's environment."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": _database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(env or {}),
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
    # Not the current app: the portal's shared tasks must keep resolving to portal.celery.app.
    client = Celery("test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    try:
        yield queue, client, worker
    except Exception as exc:
        worker.kill()
        output = worker.communicate(timeout=10)[0]
        pytest.fail(f"the worker did not finish ({exc!r}); its output:\n{output[-3000:]}")
    finally:
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
        client.close()
