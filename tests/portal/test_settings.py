"""Configuration from the environment: loud failures, a clean production profile, migrations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_missing_secret_key_without_debug_stops_startup_with_a_clear_message():
    result = _manage("check", DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_starts_without_a_secret_key():
    result = _manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_the_production_profile_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        HTTPS="true",
        SECRET_KEY="k3y-For-The-Deploy-Check-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG",
        ALLOWED_HOSTS="portal.example.cn",
        CSRF_TRUSTED_ORIGINS="https://portal.example.cn",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_profile_turns_on_transport_security():
    probe = (
        "from django.conf import settings as s; print(s.SECURE_HSTS_SECONDS,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY)"
    )
    result = _manage("shell", "-c", probe, DEBUG="false", HTTPS="true", SECRET_KEY="x" * 60)
    printed = result.stdout.strip().splitlines()[-1].split()
    assert printed == ["31536000", "True", "True", "True", "DENY", "same-origin"]


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_the_database_is_postgresql_with_the_extensions_later_apps_need(django_db_blocker):
    from django.db import connection

    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
    assert {"pg_trgm", "btree_gist"} <= extensions


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_to_start_without_its_services(missing):
    env = {
        "DEBUG": "false",
        "EMBEDDED_SERVICES": "false",
        "SECRET_KEY": "x" * 60,
        "DATABASE_URL": "postgres://portal@db.invalid/portal",
        "REDIS_URL": "redis://redis.invalid:6379/0",
    }
    env.pop(missing)
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"{missing} is not set" in result.stderr


def test_the_cache_never_shares_a_redis_database_with_the_task_queue():
    from portal.settings import _next_redis_database

    assert _next_redis_database("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/1"
    assert _next_redis_database("redis://h:6379/1") == "redis://h:6379/2"
    assert _next_redis_database("redis://h:6379") == "redis://h:6379/1"
