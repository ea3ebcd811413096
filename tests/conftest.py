"""Shared fixtures: the named personas every permission test reuses.

王芳 is a resident of 武侯区 and 李娜 her daughter; provider A (武侯区) and provider B (锦江区) each
have a staff member; one official works for 武侯区 民政, another for 锦江区 卫健.
"""

from __future__ import annotations

import pytest
from django.db.models.signals import post_migrate

from portal.accounts.models import User
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.providers.factories import MembershipFactory, ProviderFactory
from tests.workers import redis_url  # noqa: F401 - the broker fixture for worker tests

PASSWORD = "Portal-test-pw-1"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    """Argon2 is the production hasher; most tests do not need its cost."""
    if "real_hasher" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _reference_data_after_flush(sender, **kwargs) -> None:
    """A transactional test's database is flushed after it, and flush sends post_migrate:
    load the reference data migrations put there (divisions, categories) again. pytest's
    fixture reordering (parametrized browser tests) can run ordinary tests after
    transactional ones, and they expect it."""
    if sender.label == "accounts":
        from portal.accounts.services import divisions_load

        divisions_load()
    elif sender.label == "services":
        from services.services.listings import categories_load

        categories_load()


post_migrate.connect(_reference_data_after_flush, dispatch_uid="tests_reference_data_after_flush")


@pytest.fixture(autouse=True)
def _reference_data_in_transactional_tests(request):
    """A transactional test commits for real and the database is flushed after it, which
    also removes the rows migrations loaded (divisions, categories). Put them back first."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from portal.accounts.services import divisions_load
    from services.services.listings import categories_load

    divisions_load()
    categories_load()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: with REDIS_URL set the cache is a real Redis
    database that outlives tests, and throttle counts or cached searches of one test must not
    decide another's answer."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    """Uploaded files of a test go to its own folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENDATA_ROOT = tmp_path / "opendata"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def wang_fang(db) -> User:
    return UserFactory(phone="+8613800000101", name="王芳", email="wangfang@example.cn")


@pytest.fixture
def daughter(db) -> User:
    return UserFactory(phone="+8613800000102", name="李娜", email="lina@example.cn")


@pytest.fixture
def provider_a(db):
    return ProviderFactory(name="幸福里养老服务中心", division_id="510107")


@pytest.fixture
def provider_b(db):
    return ProviderFactory(name="小橡树托育中心", division_id="510104", domains=["childcare"])


@pytest.fixture
def staff_a(provider_a) -> User:
    """The owner of provider A (幸福里, 武侯区, eldercare)."""
    return MembershipFactory(provider=provider_a, user__name="张伟").user


@pytest.fixture
def staff_b(provider_b) -> User:
    """The owner of provider B (小橡树, 锦江区, childcare)."""
    return MembershipFactory(provider=provider_b, user__name="刘洋").user


@pytest.fixture
def colleague_a(provider_a) -> User:
    """A staff member (not the owner) of provider A."""
    return MembershipFactory(provider=provider_a, user__name="陈静", role="staff").user


@pytest.fixture
def official_wuhou(db) -> User:
    return OfficialFactory(name="赵敏", jurisdiction_id="510107")


@pytest.fixture
def official_jinjiang(db) -> User:
    return OfficialFactory(name="孙丽", jurisdiction_id="510104", department=User.Department.HEALTH)


@pytest.fixture
def official_city(db) -> User:
    return OfficialFactory(name="周强", jurisdiction_id="510100")


@pytest.fixture
def platform_admin(db) -> User:
    return UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True, name="管理员")


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()
