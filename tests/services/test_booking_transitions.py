"""The booking state machine: TRANSITIONS is the whole of it. Every legal move works, records
who made it and tells the other side; every other move is refused without changing anything."""

import datetime as dt

import pytest
import time_machine

from portal.notifications.models import Notification
from services.errors import BookingError, BookingInputError
from services.models import Booking, BookingEvent
from services.services.bookings import TRANSITIONS, BookingForbidden, booking_transition
from services.services.ledger import ledger_reconcile
from tests.services.factories import SlotFactory, book, pay, public_listing

pytestmark = pytest.mark.django_db

S = Booking.Status

LEGAL = [(name, source) for name, t in TRANSITIONS.items() for source in t.sources]
ILLEGAL = [
    (name, status)
    for name, t in TRANSITIONS.items()
    for status in S.values
    if status not in t.sources
]
PROVIDER_ACTIONS = [name for name, t in TRANSITIONS.items() if t.by == "provider"]


@pytest.fixture
def listing(provider_a):
    return public_listing(provider_a, price_fen=3000)


@pytest.fixture
def people(wang_fang, staff_a, colleague_a):
    """Who acts for each side: the resident, the provider's staff, the system (nobody)."""
    return {"resident": wang_fang, "provider": staff_a, "system": None}


def _after_start(booking):
    return time_machine.travel(booking.starts_at + dt.timedelta(minutes=10), tick=False)


def booking_in(status, *, resident, staff, listing) -> Booking:
    """A paid booking of `resident` brought into `status` through the state machine itself."""
    booking = book(resident, SlotFactory(listing=listing, capacity=2))
    pay(booking)
    path = {
        S.REQUESTED: [],
        S.CONFIRMED: ["confirm"],
        S.IN_SERVICE: ["confirm", "start"],
        S.COMPLETED: ["confirm", "start", "complete"],
        S.CANCELLED_BY_RESIDENT: ["cancel"],
        S.CANCELLED_BY_PROVIDER: ["decline"],
        S.NO_SHOW: ["confirm", "no_show"],
        S.EXPIRED: ["expire"],
    }[status]
    for action in path:
        by = TRANSITIONS[action].by
        actor = {"resident": resident, "provider": staff, "system": None}[by]
        if action == "no_show":
            with _after_start(booking):
                booking = booking_transition(booking=booking, action=action, actor=actor)
        else:
            booking = booking_transition(booking=booking, action=action, actor=actor)
    booking.refresh_from_db()
    assert booking.status == status
    return booking


def test_the_table_covers_every_status_and_every_side():
    targets = {t.target for t in TRANSITIONS.values()}
    sources = {s for t in TRANSITIONS.values() for s in t.sources}
    assert targets | sources == set(S.values)
    assert {t.by for t in TRANSITIONS.values()} == {"resident", "provider", "system"}


@pytest.mark.parametrize(("action", "source"), LEGAL, ids=[f"{a}-from-{s}" for a, s in LEGAL])
def test_every_legal_transition_moves_the_booking_and_records_an_event(
    action, source, people, listing, django_capture_on_commit_callbacks
):
    booking = booking_in(
        source, resident=people["resident"], staff=people["provider"], listing=listing
    )
    transition = TRANSITIONS[action]
    actor = people[transition.by]
    events_before = booking.events.count()

    with django_capture_on_commit_callbacks(execute=True):
        if action == "no_show":
            with _after_start(booking):
                result = booking_transition(
                    booking=booking, action=action, actor=actor, reason="原因"
                )
        else:
            result = booking_transition(booking=booking, action=action, actor=actor, reason="原因")

    booking.refresh_from_db()
    assert result.status == booking.status == transition.target
    assert booking.events.count() == events_before + 1
    event = booking.events.order_by("-at", "-id").first()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        source,
        transition.target,
        actor,
        "原因",
    )
    report = ledger_reconcile()
    assert report.ok, report.problems


@pytest.mark.parametrize(("action", "status"), ILLEGAL, ids=[f"{a}-from-{s}" for a, s in ILLEGAL])
def test_every_illegal_transition_is_refused_with_409(action, status, people, listing):
    booking = booking_in(
        status, resident=people["resident"], staff=people["provider"], listing=listing
    )
    events_before = booking.events.count()
    actor = people[TRANSITIONS[action].by]

    with pytest.raises(BookingError) as exc:
        booking_transition(booking=booking, action=action, actor=actor)

    assert exc.value.code == "illegal_transition"
    assert exc.value.status == 409
    booking.refresh_from_db()
    assert booking.status == status
    assert booking.events.count() == events_before


def test_an_unknown_action_is_a_bad_request(wang_fang, staff_a, listing):
    booking = booking_in(S.REQUESTED, resident=wang_fang, staff=staff_a, listing=listing)

    with pytest.raises(BookingInputError) as exc:
        booking_transition(booking=booking, action="teleport", actor=staff_a)

    assert (exc.value.code, exc.value.status, exc.value.field) == ("unknown_action", 400, "action")


@pytest.mark.parametrize("action", PROVIDER_ACTIONS)
def test_a_resident_cannot_take_provider_actions(action, wang_fang, staff_a, listing):
    booking = booking_in(S.CONFIRMED, resident=wang_fang, staff=staff_a, listing=listing)

    with pytest.raises(BookingForbidden) as exc:
        booking_transition(booking=booking, action=action, actor=wang_fang)

    assert (exc.value.code, exc.value.status) == ("forbidden", 403)
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED


@pytest.mark.parametrize("action", PROVIDER_ACTIONS)
def test_staff_of_another_provider_cannot_act_on_the_booking(
    action, wang_fang, staff_a, staff_b, listing
):
    booking = booking_in(S.CONFIRMED, resident=wang_fang, staff=staff_a, listing=listing)

    with pytest.raises(BookingForbidden) as exc:
        booking_transition(booking=booking, action=action, actor=staff_b)

    assert exc.value.status == 403
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
    assert booking.events.count() == 2


def test_a_colleague_of_the_owner_may_act_for_the_provider(
    wang_fang, staff_a, colleague_a, listing
):
    booking = booking_in(S.REQUESTED, resident=wang_fang, staff=staff_a, listing=listing)

    booking = booking_transition(booking=booking, action="confirm", actor=colleague_a)

    assert booking.status == S.CONFIRMED
    assert booking.events.get(to_status=S.CONFIRMED).actor == colleague_a


@pytest.mark.parametrize("who", ["staff_a", "daughter", "anonymous"])
def test_only_the_booking_resident_may_cancel_it(who, request, wang_fang, staff_a, listing):
    from django.contrib.auth.models import AnonymousUser

    booking = booking_in(S.REQUESTED, resident=wang_fang, staff=staff_a, listing=listing)
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)

    with pytest.raises(BookingForbidden):
        booking_transition(booking=booking, action="cancel", actor=actor)

    booking.refresh_from_db()
    assert booking.status == S.REQUESTED


@pytest.mark.parametrize("who", ["wang_fang", "staff_a"])
def test_nobody_but_the_system_may_expire_a_booking(who, request, wang_fang, staff_a, listing):
    booking = booking_in(S.REQUESTED, resident=wang_fang, staff=staff_a, listing=listing)

    with pytest.raises(BookingForbidden):
        booking_transition(booking=booking, action="expire", actor=request.getfixturevalue(who))

    booking.refresh_from_db()
    assert booking.status == S.REQUESTED


@pytest.mark.parametrize(
    "action", [name for name, t in TRANSITIONS.items() if t.by == "provider" and name != "no_show"]
)
def test_a_provider_action_notifies_the_resident(
    action, wang_fang, staff_a, colleague_a, listing, django_capture_on_commit_callbacks
):
    source = TRANSITIONS[action].sources[0]
    booking = booking_in(source, resident=wang_fang, staff=staff_a, listing=listing)
    target = TRANSITIONS[action].target

    with django_capture_on_commit_callbacks(execute=True):
        booking_transition(booking=booking, action=action, actor=staff_a)

    notice = Notification.objects.get(recipient=wang_fang)
    assert notice.kind == f"booking.{target}"
    assert booking.reference in notice.body
    assert not Notification.objects.filter(recipient__in=[staff_a, colleague_a]).exists()


def test_a_no_show_notifies_the_resident(
    wang_fang, staff_a, listing, django_capture_on_commit_callbacks
):
    booking = booking_in(S.CONFIRMED, resident=wang_fang, staff=staff_a, listing=listing)

    with django_capture_on_commit_callbacks(execute=True), _after_start(booking):
        booking_transition(booking=booking, action="no_show", actor=staff_a)

    assert Notification.objects.get(recipient=wang_fang).kind == "booking.no_show"


def test_a_resident_cancellation_notifies_every_member_of_the_provider(
    wang_fang, staff_a, colleague_a, listing, django_capture_on_commit_callbacks
):
    booking = booking_in(S.CONFIRMED, resident=wang_fang, staff=staff_a, listing=listing)

    with django_capture_on_commit_callbacks(execute=True):
        booking_transition(booking=booking, action="cancel", actor=wang_fang, reason="改主意了")

    notified = Notification.objects.filter(kind="booking.cancelled_by_resident")
    assert set(notified.values_list("recipient", flat=True)) == {staff_a.pk, colleague_a.pk}
    assert not Notification.objects.filter(recipient=wang_fang).exists()


def test_an_expiry_notifies_the_resident_and_records_no_actor(
    wang_fang, staff_a, listing, django_capture_on_commit_callbacks
):
    booking = booking_in(S.REQUESTED, resident=wang_fang, staff=staff_a, listing=listing)

    with django_capture_on_commit_callbacks(execute=True):
        booking_transition(booking=booking, action="expire")

    assert Notification.objects.get(recipient=wang_fang).kind == "booking.expired"
    assert booking.events.get(to_status=S.EXPIRED).actor is None


def test_confirm_refuses_an_unpaid_booking(wang_fang, staff_a, listing):
    booking = book(wang_fang, SlotFactory(listing=listing))

    with pytest.raises(BookingError) as exc:
        booking_transition(booking=booking, action="confirm", actor=staff_a)

    assert (exc.value.code, exc.value.status) == ("unpaid", 409)
    booking.refresh_from_db()
    assert booking.status == S.REQUESTED
    assert not BookingEvent.objects.filter(booking=booking, to_status=S.CONFIRMED).exists()


def test_a_free_booking_can_be_confirmed_without_payment(wang_fang, staff_a, provider_a):
    listing = public_listing(provider_a, price_fen=0)
    booking = book(wang_fang, SlotFactory(listing=listing))
    assert not booking.payments.exists()

    booking = booking_transition(booking=booking, action="confirm", actor=staff_a)

    assert booking.status == S.CONFIRMED


def test_no_show_is_refused_before_the_start_time(wang_fang, staff_a, listing):
    booking = booking_in(S.CONFIRMED, resident=wang_fang, staff=staff_a, listing=listing)

    just_before = time_machine.travel(booking.starts_at - dt.timedelta(minutes=1), tick=False)
    with just_before, pytest.raises(BookingError) as exc:
        booking_transition(booking=booking, action="no_show", actor=staff_a)

    assert exc.value.code == "too_early"
    booking.refresh_from_db()
    assert booking.status == S.CONFIRMED
