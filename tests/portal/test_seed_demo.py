import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from portal.accounts.models import User
from providers.models import Branch, Membership, Provider
from services.models import Listing, Slot

pytestmark = pytest.mark.django_db

# Booking states that keep the place taken (cancelled and expired ones give it back).
HOLDING = ["requested", "confirmed", "in_service", "completed", "no_show"]


def test_the_minimal_demo_has_a_persona_for_each_role(settings):
    settings.DEBUG = True
    call_command("seed_demo", "--minimal", verbosity=0)

    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(User.Role.values)
    official = User.objects.get(phone="+8613700000001")
    assert official.jurisdiction_id == "510107"
    resident = User.objects.get(phone="+8613800000001")
    assert resident.check_password(settings.DEMO_PASSWORD)
    assert resident.consents.exists()
    assert Membership.objects.filter(user__phone="+8613900000001", role="owner").exists()
    # The pending registrations wait in both demo officials' queues.
    assert Provider.objects.filter(status="submitted", division_id="510107").count() == 3
    assert Provider.objects.filter(status="submitted", division_id="510104").count() == 3


def test_the_full_demo_city_is_big_realistic_and_idempotent(settings):
    from portal.identifiers import validate_credit_code

    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)

    approved = Provider.objects.filter(status=Provider.Status.APPROVED)
    assert approved.count() >= 300
    for domain in ("eldercare", "childcare", "domestic", "health"):
        assert approved.filter(domains__contains=[domain]).count() >= 75, domain
    for code in approved.values_list("credit_code", flat=True)[:50]:
        validate_credit_code(code)
    # Branches lie near their district's seat (within about 3 km).
    for branch in Branch.objects.select_related("division")[:100]:
        assert abs(branch.latitude - branch.division.latitude) < 0.03
        assert abs(branch.longitude - branch.division.longitude) < 0.035
    assert Listing.objects.count() >= 600
    assert Slot.objects.count() > 10_000
    # Every slot's free places agree with the bookings holding one (demo bookings included).
    held = Count("bookings", filter=Q(bookings__status__in=HOLDING))
    assert not Slot.objects.annotate(held=held).exclude(remaining=F("capacity") - F("held"))
    counts = (Provider.objects.count(), Listing.objects.count(), Slot.objects.count())

    call_command("seed_demo", verbosity=0)

    assert (Provider.objects.count(), Listing.objects.count(), Slot.objects.count()) == counts


def test_scale_multiplies_the_generated_city():
    from providers.demo import _plan

    one, three = _plan(1), _plan(3)
    assert len(three) == 3 * len(one) >= 960
    assert len({p["serial"] for p in three}) == len(three)  # distinct credit codes


def test_if_empty_leaves_an_existing_database_alone(settings, wang_fang):
    settings.DEBUG = True
    call_command("seed_demo", "--if-empty", verbosity=0)
    assert User.objects.count() == 1


def test_demo_accounts_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_a_bad_scale_is_refused(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--scale"):
        call_command("seed_demo", "--scale", "0")
