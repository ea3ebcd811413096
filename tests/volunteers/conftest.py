"""Fixtures shared by the volunteers tests: an approved organisation (浆洗街社区志愿服务队) run
by its owner, and the one-hour time-bank service it lists. A test file defining its own
fixture of the same name uses that one."""

from __future__ import annotations

import pytest

from tests.accounts.factories import UserFactory
from tests.volunteers.factories import organisation, timebank_service


@pytest.fixture
def boss(db):
    return UserFactory(name="社区管理员")


@pytest.fixture
def org(boss):
    return organisation(boss, name="浆洗街社区志愿服务队")


@pytest.fixture
def service(org):
    return timebank_service(org, price_minutes=60)
