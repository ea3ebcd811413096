"""Creating a booking: one place taken with a conditional update, once per idempotency key,
and only for a person, place and time the listing can serve."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.notifications.models import Notification
from services.errors import BookingError, BookingInputError
from services.models import Booking, BookingEvent, Listing, Payment, Slot
from services.services.bookings import BookingForbidden, booking_create, booking_transition
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    ListingFactory,
    SlotFactory,
    book,
    public_listing,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def listing(provider_a):
    return public_listing(provider_a, price_fen=2500)


def _remaining(slot) -> int:
    return Slot.objects.get(pk=slot.pk).remaining


def _months_before(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


def test_a_booking_takes_one_place_and_opens_a_pending_payment(
    wang_fang, staff_a, listing, django_capture_on_commit_callbacks
):
    slot = SlotFactory(listing=listing, capacity=3)

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(wang_fang, slot, note="请带上轮椅")

    assert _remaining(slot) == 2
    assert (booking.status, booking.price_fen, booking.provider, booking.note) == (
        Booking.Status.REQUESTED,
        2500,
        listing.provider,
        "请带上轮椅",
    )
    assert (booking.starts_at, booking.ends_at) == (slot.starts_at, slot.ends_at)
    assert (booking.free_cancel_hours, booking.late_cancel_fee_pct) == (
        listing.free_cancel_hours,
        listing.late_cancel_fee_pct,
    )
    assert booking.confirm_by <= booking.starts_at
    payment = booking.payments.get()
    assert (payment.status, payment.amount_fen, payment.resident) == (
        Payment.Status.PENDING,
        2500,
        wang_fang,
    )
    event = BookingEvent.objects.get(booking=booking)
    assert (event.from_status, event.to_status, event.actor) == ("", "requested", wang_fang)
    notice = Notification.objects.get(kind="booking.requested")
    assert (notice.recipient, booking.reference in notice.body) == (staff_a, True)


def test_the_confirmation_deadline_is_never_after_the_start(wang_fang, provider_a):
    listing = public_listing(provider_a, confirm_within_hours=48)
    now = timezone.now()
    slot = SlotFactory(listing=listing, starts_at=now + dt.timedelta(hours=5))

    booking = book(wang_fang, slot, now=now)

    assert booking.confirm_by == slot.starts_at


def test_the_confirmation_deadline_follows_the_listing(wang_fang, provider_a):
    listing = public_listing(provider_a, confirm_within_hours=6)
    now = timezone.now()

    booking = book(wang_fang, SlotFactory(listing=listing), now=now)

    assert booking.confirm_by == now + dt.timedelta(hours=6)


def test_it_refuses_a_full_slot(wang_fang, daughter, listing):
    slot = SlotFactory(listing=listing, capacity=1)
    book(daughter, slot)

    with pytest.raises(BookingError) as exc:
        book(wang_fang, slot)

    assert (exc.value.code, exc.value.status, exc.value.field) == ("slot_full", 409, "slot")
    assert _remaining(slot) == 0
    assert not Booking.objects.filter(resident=wang_fang).exists()
    assert not Payment.objects.filter(resident=wang_fang).exists()


def test_the_same_key_twice_makes_one_booking(wang_fang, listing):
    slot = SlotFactory(listing=listing, capacity=2)

    first = book(wang_fang, slot, idempotency_key="double-click")
    second = book(wang_fang, slot, idempotency_key="double-click")

    assert first.pk == second.pk
    assert Booking.objects.filter(resident=wang_fang).count() == 1
    assert Payment.objects.filter(booking=first).count() == 1
    assert _remaining(slot) == 1


def test_the_same_key_for_another_slot_is_a_bad_request(wang_fang, listing):
    slot = SlotFactory(listing=listing)
    other = SlotFactory(listing=listing, starts_at=slot.starts_at + dt.timedelta(days=1))
    book(wang_fang, slot, idempotency_key="k-1")

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, other, idempotency_key="k-1")

    assert (exc.value.field, exc.value.status) == ("idempotency_key", 400)
    assert _remaining(other) == 1
    assert Booking.objects.filter(resident=wang_fang).count() == 1


def test_two_residents_may_use_the_same_key(wang_fang, daughter, listing):
    slot = SlotFactory(listing=listing, capacity=2)

    mine = book(wang_fang, slot, idempotency_key="same")
    hers = book(daughter, slot, idempotency_key="same")

    assert mine.pk != hers.pk
    assert _remaining(slot) == 0


@pytest.mark.parametrize("key", ["", "   ", "x" * 65])
def test_a_missing_or_overlong_key_is_refused(key, wang_fang, listing):
    slot = SlotFactory(listing=listing)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, slot, idempotency_key=key)

    assert exc.value.field == "idempotency_key"
    assert _remaining(slot) == 1


def test_only_a_resident_may_book(staff_a, official_wuhou, listing):
    slot = SlotFactory(listing=listing)

    for user in (staff_a, official_wuhou):
        with pytest.raises(BookingForbidden) as exc:
            book(user, slot)
        assert exc.value.status == 403
    assert _remaining(slot) == 1


def test_it_refuses_a_slot_in_the_past(wang_fang, listing):
    slot = SlotFactory(listing=listing, starts_at=timezone.now() - dt.timedelta(minutes=30))

    with pytest.raises(BookingError) as exc:
        book(wang_fang, slot)

    assert exc.value.code == "slot_past"
    assert _remaining(slot) == 1


def test_it_refuses_a_slot_that_has_begun(wang_fang, listing):
    now = timezone.now()
    slot = SlotFactory(listing=listing, starts_at=now)

    with pytest.raises(BookingError) as exc:
        book(wang_fang, slot, now=now)

    assert exc.value.code == "slot_past"


def test_it_refuses_a_listing_that_is_not_public(wang_fang, provider_a):
    hidden = ListingFactory(branch__provider=provider_a)  # no licence on file: never public
    assert not hidden.is_public
    slot = SlotFactory(listing=hidden)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, slot)

    assert (exc.value.code, exc.value.field) == ("unknown_slot", "slot")
    assert _remaining(slot) == 1


def test_it_refuses_an_unknown_slot(wang_fang):
    with pytest.raises(BookingInputError) as exc:
        booking_create(resident=wang_fang, slot_id=987654, idempotency_key="k")

    assert exc.value.field == "slot"


def test_it_refuses_someone_elses_family_member(wang_fang, daughter, listing):
    slot = SlotFactory(listing=listing)
    her_father = DependantFactory(owner=daughter)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, slot, dependant=her_father)

    assert (exc.value.code, exc.value.field) == ("not_your_dependant", "dependant")
    assert _remaining(slot) == 1


def test_it_refuses_a_removed_family_member(wang_fang, listing):
    removed = DependantFactory(owner=wang_fang, removed_at=timezone.now())

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, SlotFactory(listing=listing), dependant=removed)

    assert exc.value.field == "dependant"


def test_a_resident_books_for_her_own_family_member(wang_fang, listing):
    father = DependantFactory(owner=wang_fang, name="王建国")

    booking = book(wang_fang, SlotFactory(listing=listing), dependant=father)

    assert booking.dependant == father
    assert booking.recipient_name == "王建国"


@pytest.fixture
def at_home(provider_a):
    return public_listing(provider_a, delivery_mode=Listing.DeliveryMode.AT_HOME)


def test_an_at_home_service_needs_an_address(wang_fang, at_home):
    slot = SlotFactory(listing=at_home)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, slot)

    assert (exc.value.code, exc.value.field) == ("address", "address")
    assert _remaining(slot) == 1


def test_an_at_home_service_comes_to_an_address_in_its_district(wang_fang, at_home):
    home = AddressFactory(owner=wang_fang, division_id="510107")

    booking = book(wang_fang, SlotFactory(listing=at_home), address=home)

    assert booking.address == home


def test_an_at_home_service_refuses_an_address_outside_its_district(wang_fang, at_home):
    elsewhere = AddressFactory(owner=wang_fang, division_id="510104")
    slot = SlotFactory(listing=at_home)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, slot, address=elsewhere)

    assert (exc.value.code, exc.value.field) == ("out_of_area", "address")
    assert _remaining(slot) == 1


def test_the_service_divisions_replace_the_district(wang_fang, at_home):
    at_home.service_divisions.set(["510104"])
    jinjiang = AddressFactory(owner=wang_fang, division_id="510104")
    wuhou = AddressFactory(owner=wang_fang, division_id="510107")

    booking = book(wang_fang, SlotFactory(listing=at_home), address=jinjiang)
    assert booking.address == jinjiang

    with pytest.raises(BookingInputError) as exc:
        book(
            wang_fang,
            SlotFactory(listing=at_home, starts_at=booking.starts_at + dt.timedelta(days=1)),
            address=wuhou,
        )
    assert exc.value.code == "out_of_area"


def test_a_city_wide_service_division_covers_every_district(wang_fang, at_home):
    at_home.service_divisions.set(["510100"])
    home = AddressFactory(owner=wang_fang, division_id="510104")

    assert book(wang_fang, SlotFactory(listing=at_home), address=home).address == home


def test_an_at_home_service_refuses_someone_elses_address(wang_fang, daughter, at_home):
    hers = AddressFactory(owner=daughter)

    with pytest.raises(BookingInputError) as exc:
        book(wang_fang, SlotFactory(listing=at_home), address=hers)

    assert exc.value.field == "address"


def test_an_address_is_not_kept_for_a_service_at_the_branch(wang_fang, listing):
    booking = book(wang_fang, SlotFactory(listing=listing), address=AddressFactory(owner=wang_fang))

    assert booking.address is None


def test_the_same_person_cannot_be_booked_twice_at_the_same_time(wang_fang, provider_a, listing):
    slot = SlotFactory(listing=listing)
    book(wang_fang, slot)
    other_listing = public_listing(provider_a)
    overlapping = SlotFactory(
        listing=other_listing,
        starts_at=slot.starts_at + dt.timedelta(minutes=30),
        ends_at=slot.ends_at + dt.timedelta(minutes=30),
    )

    with pytest.raises(BookingError) as exc:
        book(wang_fang, overlapping)

    assert exc.value.code == "person_busy"
    assert _remaining(overlapping) == 1


def test_back_to_back_bookings_are_not_a_clash(wang_fang, listing):
    slot = SlotFactory(listing=listing)
    book(wang_fang, slot)
    next_hour = SlotFactory(
        listing=listing, starts_at=slot.ends_at, ends_at=slot.ends_at + dt.timedelta(hours=1)
    )

    assert book(wang_fang, next_hour).starts_at == slot.ends_at


def test_a_family_member_is_a_different_person(wang_fang, listing):
    slot = SlotFactory(listing=listing, capacity=3)
    father = DependantFactory(owner=wang_fang, name="王建国")
    mother = DependantFactory(owner=wang_fang, name="刘桂英")
    book(wang_fang, slot)
    book(wang_fang, slot, dependant=father)
    book(wang_fang, slot, dependant=mother)

    with pytest.raises(BookingError) as exc:
        book(wang_fang, SlotFactory(listing=public_listing(listing.provider)), dependant=father)
    assert exc.value.code == "person_busy"


def test_a_cancelled_booking_no_longer_blocks_the_time(wang_fang, listing):
    slot = SlotFactory(listing=listing, capacity=2)
    first = book(wang_fang, slot)
    booking_transition(booking=first, action="cancel", actor=wang_fang)

    again = book(wang_fang, slot)

    assert again.status == Booking.Status.REQUESTED


@pytest.fixture
def toddlers(provider_a):
    """A service for children of 12–36 months."""
    return public_listing(provider_a, age_min_months=12, age_max_months=36)


@pytest.mark.parametrize(
    ("months", "allowed"), [(11, False), (12, True), (24, True), (36, True), (37, False)]
)
def test_a_family_member_must_be_within_the_age_range(months, allowed, wang_fang, toddlers):
    slot = SlotFactory(listing=toddlers)
    day = timezone.localtime(slot.starts_at).date()
    child = DependantFactory(
        owner=wang_fang,
        relationship="grandchild",
        authority="guardian",
        birth_date=_months_before(day, months),
    )

    if allowed:
        assert book(wang_fang, slot, dependant=child).dependant == child
    else:
        with pytest.raises(BookingInputError) as exc:
            book(wang_fang, slot, dependant=child)
        assert (exc.value.code, exc.value.field) == ("age", "dependant")
        assert _remaining(slot) == 1


def test_a_family_member_without_a_birth_date_is_not_age_checked(wang_fang, toddlers):
    child = DependantFactory(owner=wang_fang, birth_date=None)

    assert book(wang_fang, SlotFactory(listing=toddlers), dependant=child).dependant == child


def test_a_free_listing_opens_no_payment(wang_fang, provider_a):
    listing = public_listing(provider_a, price_fen=0)

    booking = book(wang_fang, SlotFactory(listing=listing))

    assert booking.price_fen == 0
    assert not booking.payments.exists()
