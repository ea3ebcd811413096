import pytest
from django.db import IntegrityError

from portal.accounts.models import Division, User
from providers.models import Provider
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_official_without_a_jurisdiction_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="user_official_has_jurisdiction"):
        UserFactory(role=User.Role.OFFICIAL, department=User.Department.HEALTH)


def test_a_resident_with_a_jurisdiction_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="user_official_has_jurisdiction"):
        UserFactory(jurisdiction_id="510107")


def test_a_phone_not_in_e164_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="user_phone_e164"):
        UserFactory(phone="13800138000")


def test_a_malformed_division_code_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="division_code_format"):
        Division.objects.create(code="5101", name="x", level="city", latitude=0, longitude=0)


def test_a_credit_code_outside_the_alphabet_is_refused_by_the_database():
    with pytest.raises(IntegrityError, match="provider_credit_code_alphabet"):
        Provider.objects.create(name="x", credit_code="I" * 18, division_id="510107")


def test_str_never_shows_a_whole_phone_or_name(wang_fang):
    assert str(wang_fang) == "王* 138****0101"


def test_reference_divisions_can_be_reloaded_idempotently():
    from portal.accounts.services import divisions_load

    Division.objects.filter(code="510185").update(name="改错的名字")
    loaded = divisions_load()

    assert loaded == Division.objects.count() == 42
    assert Division.objects.get(code="510185").name == "简阳市"
