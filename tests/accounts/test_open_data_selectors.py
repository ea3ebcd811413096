"""The accounts app's part in open data: the names of its users, for the gate that searches
release files for personal data (nothing of the accounts app is published itself)."""

import pytest

from portal.accounts.selectors import person_names
from portal.accounts.services import ERASED_NAME, user_erase
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_person_names_hold_every_users_real_name(wang_fang, daughter, staff_a, official_wuhou):
    names = person_names()

    assert {"王芳", "李娜", "张伟", "赵敏"} <= names


def test_person_names_are_trimmed_and_never_empty(db):
    UserFactory(name=" 陈晓明 ")
    UserFactory(name="")
    UserFactory(name="   ")

    names = person_names()

    assert "陈晓明" in names
    assert "" not in names
    assert all(name == name.strip() for name in names)


def test_an_inactive_users_name_is_still_looked_for(db):
    UserFactory(name="周杰", is_active=False)

    assert "周杰" in person_names()


def test_an_erased_account_leaves_no_name_and_no_placeholder(wang_fang, password):
    user_erase(user=wang_fang, password=password)

    names = person_names()

    assert "王芳" not in names
    assert ERASED_NAME not in names
