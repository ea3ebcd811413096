"""What a resident keeps on file to book: family members (with the authority to book for
them) and saved addresses (in a real division, in China, one default)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from portal.audit.models import AuditEntry
from services.errors import BookingInputError
from services.models import Address, Booking, Dependant, Listing
from services.services.bookings import booking_transition
from services.services.residents import (
    address_delete,
    address_save,
    dependant_add,
    dependant_remove,
)
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    SlotFactory,
    book,
    public_listing,
)

pytestmark = pytest.mark.django_db

FATHER = {
    "name": " 王建国 ",
    "relationship": "parent",
    "authority": "consent",
    "gender": "male",
    "birth_date": dt.date(1948, 5, 1),
    "phone": "138-0000 1234",
    "care_notes": "高血压，需低盐饮食",
}

HOME = {
    "label": "父母家",
    "division": "510107",
    "detail": "武侯区浆洗街街道洗面桥街 8 号",
    "latitude": "30.6410004",
    "longitude": "104.0430001",
}


# --- Family members ----------------------------------------------------------------------------


def test_a_resident_adds_a_family_member_with_her_authority(wang_fang):
    before = timezone.now()

    dependant = dependant_add(owner=wang_fang, data=FATHER)

    assert (dependant.owner, dependant.name, dependant.relationship) == (
        wang_fang,
        "王建国",
        "parent",
    )
    assert dependant.phone == "+8613800001234"
    assert dependant.authority == Dependant.Authority.CONSENT
    assert dependant.authority_recorded_at >= before
    assert AuditEntry.objects.filter(action="dependant.add", actor=wang_fang).count() == 1


@pytest.mark.parametrize("authority", [None, "", "because", "CONSENT"])
def test_a_family_member_needs_a_stated_authority(authority, wang_fang):
    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=wang_fang, data={**FATHER, "authority": authority})

    assert exc.value.field == "authority"
    assert not Dependant.objects.exists()


@pytest.mark.parametrize("relationship", [None, "", "neighbour"])
def test_a_family_member_needs_a_valid_relationship(relationship, wang_fang):
    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=wang_fang, data={**FATHER, "relationship": relationship})

    assert exc.value.field == "relationship"
    assert not Dependant.objects.exists()


@pytest.mark.parametrize("phone", ["12345", "028-85551234", "+1 415 555 0100", "2380000123"])
def test_a_bad_phone_number_is_a_field_error(phone, wang_fang):
    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=wang_fang, data={**FATHER, "phone": phone})

    assert (exc.value.code, exc.value.field) == ("phone", "phone")
    assert exc.value.field_errors()["phone"]
    assert not Dependant.objects.exists()


def test_the_phone_number_is_optional(wang_fang):
    assert dependant_add(owner=wang_fang, data={**FATHER, "phone": ""}).phone == ""


def test_a_family_member_needs_a_name(wang_fang):
    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=wang_fang, data={**FATHER, "name": "   "})

    assert exc.value.field == "name"


def test_a_birth_date_in_the_future_is_refused(wang_fang):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=wang_fang, data={**FATHER, "birth_date": tomorrow})

    assert exc.value.field == "birth_date"


def test_a_resident_keeps_at_most_twenty_family_members(wang_fang):
    DependantFactory.create_batch(19, owner=wang_fang)
    DependantFactory(owner=wang_fang, removed_at=timezone.now())  # removed ones do not count
    dependant_add(owner=wang_fang, data=FATHER)

    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=wang_fang, data=FATHER)

    assert exc.value.code == "too_many"
    assert wang_fang.dependants.filter(removed_at__isnull=True).count() == 20


def test_only_residents_add_family_members(staff_a):
    with pytest.raises(BookingInputError) as exc:
        dependant_add(owner=staff_a, data=FATHER)

    assert exc.value.code == "not_resident"


def test_a_family_member_with_an_active_booking_cannot_be_removed(wang_fang, provider_a):
    father = DependantFactory(owner=wang_fang)
    book(wang_fang, SlotFactory(listing=public_listing(provider_a)), dependant=father)

    with pytest.raises(BookingInputError) as exc:
        dependant_remove(owner=wang_fang, dependant=father)

    assert exc.value.code == "has_bookings"
    assert Dependant.objects.get(pk=father.pk).removed_at is None


def test_a_family_member_is_removed_once_the_bookings_are_over(wang_fang, provider_a):
    father = DependantFactory(owner=wang_fang)
    listing = public_listing(provider_a)
    booking = book(wang_fang, SlotFactory(listing=listing), dependant=father)
    booking_transition(booking=booking, action="cancel", actor=wang_fang)

    dependant_remove(owner=wang_fang, dependant=father)

    father.refresh_from_db()
    assert father.removed_at is not None
    assert Booking.objects.get(pk=booking.pk).dependant == father  # history is kept
    with pytest.raises(BookingInputError):
        book(
            wang_fang,
            SlotFactory(listing=listing, starts_at=booking.starts_at + dt.timedelta(days=1)),
            dependant=father,
        )


def test_nobody_removes_someone_elses_family_member(wang_fang, daughter):
    father = DependantFactory(owner=wang_fang)

    with pytest.raises(BookingInputError) as exc:
        dependant_remove(owner=daughter, dependant=father)

    assert exc.value.code == "not_found"
    assert Dependant.objects.get(pk=father.pk).removed_at is None


# --- Addresses ----------------------------------------------------------------------------------


def test_the_first_address_is_the_default(wang_fang):
    address = address_save(owner=wang_fang, data=HOME)

    assert address.is_default
    assert (address.label, address.division_id, address.detail) == (
        "父母家",
        "510107",
        HOME["detail"],
    )
    assert (address.latitude, address.longitude) == (Decimal("30.641000"), Decimal("104.043000"))


def test_a_second_address_is_not_the_default_unless_asked(wang_fang):
    first = address_save(owner=wang_fang, data=HOME)

    second = address_save(owner=wang_fang, data={**HOME, "label": "公司"})

    assert not second.is_default
    assert Address.objects.get(pk=first.pk).is_default


def test_there_is_only_one_default_address(wang_fang):
    first = address_save(owner=wang_fang, data=HOME)
    second = address_save(owner=wang_fang, data={**HOME, "label": "公司"})

    address_save(owner=wang_fang, data={**HOME, "is_default": True}, address=second)

    defaults = Address.objects.filter(owner=wang_fang, is_default=True)
    assert list(defaults) == [second]
    assert not Address.objects.get(pk=first.pk).is_default


def test_a_new_default_address_replaces_the_old_one(wang_fang):
    first = address_save(owner=wang_fang, data=HOME)

    third = address_save(owner=wang_fang, data={**HOME, "label": "新家", "is_default": True})

    assert list(Address.objects.filter(owner=wang_fang, is_default=True)) == [third]
    assert not Address.objects.get(pk=first.pk).is_default


def test_editing_the_default_address_keeps_it_the_default(wang_fang):
    address = address_save(owner=wang_fang, data=HOME)

    edited = address_save(owner=wang_fang, data={**HOME, "detail": "新地址 1 号"}, address=address)

    assert (edited.pk, edited.is_default, edited.detail) == (address.pk, True, "新地址 1 号")
    assert Address.objects.filter(owner=wang_fang).count() == 1


def test_each_resident_has_her_own_default(wang_fang, daughter):
    mine = address_save(owner=wang_fang, data=HOME)
    hers = address_save(owner=daughter, data=HOME)

    assert (mine.is_default, hers.is_default) == (True, True)


@pytest.mark.parametrize("division", [None, "", "999999", "5101070"])
def test_an_address_needs_a_known_division(division, wang_fang):
    with pytest.raises(BookingInputError) as exc:
        address_save(owner=wang_fang, data={**HOME, "division": division})

    assert exc.value.field == "division"
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        ("48.8566", "2.3522"),  # Paris
        ("-30.64", "104.04"),  # the southern hemisphere
        ("30.64", "140.0"),  # east of China
        ("60.0", "104.04"),  # north of China
    ],
)
def test_coordinates_must_lie_in_china(latitude, longitude, wang_fang):
    with pytest.raises(BookingInputError) as exc:
        address_save(owner=wang_fang, data={**HOME, "latitude": latitude, "longitude": longitude})

    assert (exc.value.code, exc.value.field) == ("coordinates", "latitude")
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(None, None), ("", "104.04"), ("北纬30度", "104.04"), ("NaN", "104.04"), ("30.6", "sNaN")],
)
def test_coordinates_must_be_numbers(latitude, longitude, wang_fang):
    with pytest.raises(BookingInputError) as exc:
        address_save(owner=wang_fang, data={**HOME, "latitude": latitude, "longitude": longitude})

    assert exc.value.code == "coordinates"
    assert not Address.objects.exists()


def test_an_address_needs_its_detail(wang_fang):
    with pytest.raises(BookingInputError) as exc:
        address_save(owner=wang_fang, data={**HOME, "detail": "  "})

    assert exc.value.field == "detail"


def test_nobody_edits_someone_elses_address(wang_fang, daughter):
    address = address_save(owner=wang_fang, data=HOME)

    with pytest.raises(BookingInputError) as exc:
        address_save(owner=daughter, data={**HOME, "detail": "被改了"}, address=address)

    assert exc.value.code == "not_found"
    assert Address.objects.get(pk=address.pk).detail == HOME["detail"]


def test_only_residents_save_addresses(staff_a):
    with pytest.raises(BookingInputError) as exc:
        address_save(owner=staff_a, data=HOME)

    assert exc.value.code == "not_resident"


def test_a_resident_deletes_her_address(wang_fang, daughter):
    address = address_save(owner=wang_fang, data=HOME)

    with pytest.raises(BookingInputError):
        address_delete(owner=daughter, address=address)
    assert Address.objects.filter(pk=address.pk).exists()

    address_delete(owner=wang_fang, address=address)
    assert not Address.objects.filter(pk=address.pk).exists()


def test_an_address_an_active_home_visit_goes_to_is_kept(wang_fang, provider_a):
    at_home = public_listing(provider_a, delivery_mode=Listing.DeliveryMode.AT_HOME)
    home = AddressFactory(owner=wang_fang, is_default=True)
    booking = book(wang_fang, SlotFactory(listing=at_home), address=home)

    with pytest.raises(BookingInputError) as exc:
        address_delete(owner=wang_fang, address=home)

    assert exc.value.code == "in_use"
    assert Booking.objects.get(pk=booking.pk).address == home

    booking_transition(booking=booking, action="cancel", actor=wang_fang)
    address_delete(owner=wang_fang, address=home)
    assert not Address.objects.filter(pk=home.pk).exists()
