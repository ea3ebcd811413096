import pytest

from portal import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_dependency(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert set(data) >= {"database", "redis", "workers", "beat"}
    expected_redis = True if settings.REDIS_URL else None
    assert data["redis"]["ok"] is expected_redis


def test_healthz_is_503_when_the_database_does_not_answer(client, monkeypatch):
    def broken():
        return health._timed(lambda: (_ for _ in ()).throw(OSError("connection refused")))

    monkeypatch.setattr(health, "check_database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    # The public report names the kind of failure, never hosts or users from the message.
    assert response.json()["database"]["error"] == "OSError"
    assert "connection refused" not in response.content.decode()


def test_a_redis_that_does_not_answer_is_reported_not_fatal(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 200
    data = response.json()
    assert data["redis"]["ok"] is False
    # Workers and beat are not probed through a broker known to be down.
    assert data["workers"] == {"ok": False, "configured": True, "error": "redis unavailable"}
    assert data["beat"]["error"] == "redis unavailable"


def test_beat_heartbeat_is_reported_once_beat_ran(settings):
    from django.core.cache import cache

    from portal.tasks import beat_heartbeat

    settings.REDIS_URL = settings.REDIS_URL or "redis://configured-for-this-check"
    cache.delete(health.BEAT_HEARTBEAT_KEY)
    assert health.check_beat()["ok"] is False
    beat_heartbeat.delay()
    assert health.check_beat()["ok"] is True
