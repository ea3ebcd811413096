import pytest
from django.core.management import CommandError, call_command

from portal.accounts.models import User
from providers.models import Membership, Provider

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_a_persona_for_each_role(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)

    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(User.Role.values)
    official = User.objects.get(phone="+8613700000001")
    assert official.jurisdiction_id == "510107"
    resident = User.objects.get(phone="+8613800000001")
    assert resident.check_password(settings.DEMO_PASSWORD)
    assert resident.consents.exists()
    assert Membership.objects.filter(user__phone="+8613900000001", role="owner").exists()


def test_seeding_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    counts = (User.objects.count(), Provider.objects.count(), Membership.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (User.objects.count(), Provider.objects.count(), Membership.objects.count()) == counts


def test_if_empty_leaves_an_existing_database_alone(settings, wang_fang):
    settings.DEBUG = True
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert User.objects.count() == 1


def test_scale_generates_more_organisations_with_valid_codes(settings):
    from portal.identifiers import validate_credit_code

    settings.DEBUG = True
    call_command("seed_demo", "--scale", "3", verbosity=0)

    assert Provider.objects.count() == 2 + 20
    for code in Provider.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    call_command("seed_demo", "--scale", "3", verbosity=0)
    assert Provider.objects.count() == 22


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_a_bad_scale_is_refused(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "0")
