"""Weekly plans booked ahead by a job, and family-doctor contracts (家庭医生签约) that make the
services of their package free while they run."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.notifications.models import Notification
from services.errors import BookingError, BookingInputError
from services.gateways.sandbox import SandboxGateway
from services.models import (
    Booking,
    Category,
    FamilyDoctorContract,
    FamilyDoctorPackage,
    Listing,
    Payment,
    Plan,
    PlanOccurrence,
)
from services.services.bookings import booking_transition
from services.services.doctor import (
    contract_renew,
    contract_sign,
    contract_terminate,
    contracts_remind_renewal,
)
from services.services.payments import callback_receive, package_buy
from services.services.plans import plan_book_ahead, plan_create, plan_set_status
from tests.providers.factories import LicenceFactory, MembershipFactory, ProviderFactory
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    SlotFactory,
    book,
    public_listing,
)

pytestmark = pytest.mark.django_db

Outcome = PlanOccurrence.Outcome
NOON = dt.time(12)


def _at(day: dt.date, time: dt.time = NOON) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def _charged(payment) -> dict:
    """The signed callback of the sandbox gateway once the resident paid."""
    body, signature = SandboxGateway().charge(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )
    return {"body": body, "signature": signature}


def _slot(listing, day, *, capacity=2, time=NOON):
    start = _at(day, time)
    return SlotFactory(
        listing=listing, starts_at=start, ends_at=start + dt.timedelta(hours=1), capacity=capacity
    )


# --- Plans ---------------------------------------------------------------------------------------


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def meals(provider_a):
    return public_listing(provider_a, price_fen=1500)


@pytest.fixture
def week(today):
    """Tomorrow, the day after and so on: offsets 1..7 from today."""
    return {n: today + dt.timedelta(days=n) for n in range(1, 8)}


def _plan(resident, listing, days, **data) -> Plan:
    data.setdefault("weekdays", sorted({d.weekday() for d in days}))
    data.setdefault("start_time", NOON)
    return plan_create(resident=resident, listing=listing, data=data)


def test_the_job_books_the_plans_weekdays_and_reports_the_rest(
    wang_fang, daughter, meals, today, week
):
    booked_day, full_day, empty_day, other_day = week[1], week[3], week[5], week[2]
    free = _slot(meals, booked_day)
    full = _slot(meals, full_day, capacity=1)
    book(daughter, full)
    untouched = _slot(meals, other_day)
    plan = _plan(wang_fang, meals, [booked_day, full_day, empty_day])

    counts = plan_book_ahead(plan=plan, today=today, days=7)

    assert (counts[Outcome.BOOKED], counts[Outcome.FULL], counts[Outcome.NO_SLOT]) == (1, 1, 1)
    outcomes = dict(plan.occurrences.values_list("date", "outcome"))
    assert outcomes == {
        booked_day: Outcome.BOOKED,
        full_day: Outcome.FULL,
        empty_day: Outcome.NO_SLOT,
    }
    booking = Booking.objects.get(resident=wang_fang)
    assert (booking.slot, booking.plan, booking.price_fen) == (free, plan, 1500)
    assert plan.occurrences.get(date=booked_day).booking == booking
    assert untouched.bookings.count() == 0
    notice = Notification.objects.get(recipient=wang_fang, kind="plan.conflicts")
    assert f"{full_day:%m-%d}" in notice.body
    assert f"{empty_day:%m-%d}" in notice.body
    assert f"{booked_day:%m-%d}" not in notice.body


def test_running_the_job_twice_books_nothing_twice(wang_fang, meals, today, week):
    _slot(meals, week[1])
    plan = _plan(wang_fang, meals, [week[1], week[4]])
    plan_book_ahead(plan=plan, today=today, days=7)

    again = plan_book_ahead(plan=plan, today=today, days=7)

    assert sum(again.values()) == 0
    assert Booking.objects.filter(plan=plan).count() == 1
    assert plan.occurrences.count() == 2
    assert Notification.objects.filter(recipient=wang_fang, kind="plan.conflicts").count() == 1


def test_a_plan_books_nothing_before_its_start_or_after_its_end(wang_fang, meals, today, week):
    for n in (1, 2, 3):
        _slot(meals, week[n])
    plan = _plan(wang_fang, meals, [week[1], week[2], week[3]], starts_on=week[2], ends_on=week[2])

    plan_book_ahead(plan=plan, today=today, days=7)

    assert list(plan.occurrences.values_list("date", flat=True)) == [week[2]]


def test_a_paused_plan_books_nothing(wang_fang, meals, today, week):
    _slot(meals, week[1])
    plan = _plan(wang_fang, meals, [week[1]])
    plan_set_status(plan=plan, actor=wang_fang, status=Plan.Status.PAUSED)

    assert plan_book_ahead(plan=plan, today=today, days=7) == {}

    assert not Booking.objects.exists()
    assert not plan.occurrences.exists()


def test_a_resumed_plan_books_again(wang_fang, meals, today, week):
    _slot(meals, week[1])
    plan = _plan(wang_fang, meals, [week[1]])
    plan_set_status(plan=plan, actor=wang_fang, status=Plan.Status.PAUSED)
    plan_set_status(plan=plan, actor=wang_fang, status=Plan.Status.ACTIVE)

    plan_book_ahead(plan=plan, today=today, days=7)

    assert Booking.objects.filter(plan=plan).count() == 1


def test_a_stopped_plan_stays_stopped(wang_fang, meals, week):
    plan = _plan(wang_fang, meals, [week[1]])
    plan_set_status(plan=plan, actor=wang_fang, status=Plan.Status.STOPPED)

    with pytest.raises(BookingError) as exc:
        plan_set_status(plan=plan, actor=wang_fang, status=Plan.Status.ACTIVE)

    assert exc.value.code == "illegal_transition"
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.STOPPED


def test_only_the_owner_changes_a_plan(wang_fang, daughter, meals, week):
    plan = _plan(wang_fang, meals, [week[1]])

    with pytest.raises(BookingInputError):
        plan_set_status(plan=plan, actor=daughter, status=Plan.Status.PAUSED)

    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.ACTIVE


def test_a_new_plan_books_ahead_as_soon_as_it_is_saved(
    wang_fang, meals, week, django_capture_on_commit_callbacks
):
    _slot(meals, week[1])

    with django_capture_on_commit_callbacks(execute=True):
        plan = _plan(wang_fang, meals, [week[1]])

    assert Booking.objects.get(resident=wang_fang).plan == plan


def test_a_plan_for_someone_elses_family_member_is_refused(wang_fang, daughter, meals, week):
    with pytest.raises(BookingInputError) as exc:
        _plan(wang_fang, meals, [week[1]], dependant=DependantFactory(owner=daughter))

    assert (exc.value.code, exc.value.field) == ("not_your_dependant", "dependant")
    assert not Plan.objects.exists()


def test_a_plan_books_for_the_family_member(wang_fang, meals, today, week):
    _slot(meals, week[1])
    father = DependantFactory(owner=wang_fang)
    plan = _plan(wang_fang, meals, [week[1]], dependant=father)

    plan_book_ahead(plan=plan, today=today, days=7)

    assert Booking.objects.get(plan=plan).dependant == father


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"starts_on": timezone.localdate() - dt.timedelta(days=1)}, "starts_on"),
        ({"ends_on": timezone.localdate() - dt.timedelta(days=1)}, "ends_on"),
    ],
)
def test_a_plan_needs_weekdays_and_sensible_dates(data, field, wang_fang, meals, week):
    with pytest.raises(BookingInputError) as exc:
        _plan(wang_fang, meals, [week[1]], **data)

    assert exc.value.field == field
    assert not Plan.objects.exists()


def test_an_at_home_plan_needs_the_residents_own_address(wang_fang, daughter, provider_a, week):
    at_home = public_listing(provider_a, delivery_mode=Listing.DeliveryMode.AT_HOME)

    with pytest.raises(BookingInputError):
        _plan(wang_fang, at_home, [week[1]])
    with pytest.raises(BookingInputError):
        _plan(wang_fang, at_home, [week[1]], address=AddressFactory(owner=daughter))

    plan = _plan(wang_fang, at_home, [week[1]], address=AddressFactory(owner=wang_fang))
    assert plan.address.owner == wang_fang


def test_a_plan_reports_a_clash_with_another_booking(wang_fang, provider_a, meals, today, week):
    _slot(meals, week[1])
    book(wang_fang, _slot(public_listing(provider_a), week[1]))
    plan = _plan(wang_fang, meals, [week[1]])

    counts = plan_book_ahead(plan=plan, today=today, days=7)

    assert counts[Outcome.CONFLICT] == 1
    assert plan.occurrences.get().outcome == Outcome.CONFLICT


def test_a_plan_uses_the_residents_package(wang_fang, provider_a, today, week):
    listing = public_listing(
        provider_a, package_uses=4, package_price_fen=5000, package_valid_days=60
    )
    package, payment = package_buy(resident=wang_fang, listing=listing)
    callback_receive(gateway="sandbox", **_charged(payment))
    _slot(listing, week[1])
    plan = _plan(wang_fang, listing, [week[1]])

    plan_book_ahead(plan=plan, today=today, days=7)

    booking = Booking.objects.get(plan=plan)
    assert (booking.price_fen, booking.package_id) == (0, package.pk)


# --- Family-doctor contracts ------------------------------------------------------------------


@pytest.fixture
def clinic(db):
    """A community health centre approved for health, with its practice licence."""
    provider = ProviderFactory(
        name="浆洗街社区卫生服务中心", domains=["health"], approved_domains=["health"]
    )
    LicenceFactory(provider=provider, kind="medical_practice", issuer="成都市武侯区卫健局")
    return provider


@pytest.fixture
def clinic_staff(clinic):
    return MembershipFactory(provider=clinic, user__name="周医生").user


def _health_listing(provider, code="health_chronic_followup", **kwargs):
    return public_listing(provider, category=Category.objects.get(code=code), **kwargs)


@pytest.fixture
def followup(clinic):
    return _health_listing(clinic, price_fen=2000)


@pytest.fixture
def doctor_package(clinic):
    package = FamilyDoctorPackage.objects.create(provider=clinic, name="基础签约包", term_months=12)
    package.included_categories.add("health_chronic_followup")
    return package


def test_signing_starts_today_and_notifies_the_clinic(
    wang_fang, clinic_staff, doctor_package, today
):
    contract = contract_sign(resident=wang_fang, package=doctor_package)

    assert (contract.status, contract.starts_on) == (FamilyDoctorContract.Status.ACTIVE, today)
    assert 364 <= (contract.ends_on - today).days <= 365
    assert Notification.objects.filter(
        recipient=clinic_staff, kind="doctor_contract.signed"
    ).exists()


@pytest.mark.parametrize(
    ("starts_on", "months", "ends_on"),
    [
        (dt.date(2027, 3, 1), 12, dt.date(2028, 2, 29)),
        (dt.date(2027, 1, 15), 1, dt.date(2027, 2, 14)),
        (dt.date(2027, 6, 1), 36, dt.date(2030, 5, 31)),
    ],
)
def test_a_term_ends_the_day_before_the_same_date_months_later(
    starts_on, months, ends_on, wang_fang, doctor_package
):
    doctor_package.term_months = months
    doctor_package.save()

    contract = contract_sign(resident=wang_fang, package=doctor_package, starts_on=starts_on)

    assert contract.ends_on == ends_on


def test_a_contract_makes_included_services_free(wang_fang, clinic_staff, doctor_package, followup):
    contract = contract_sign(resident=wang_fang, package=doctor_package)

    booking = book(wang_fang, SlotFactory(listing=followup))

    assert (booking.price_fen, booking.contract) == (0, contract)
    assert not Payment.objects.filter(booking=booking).exists()
    # Nothing to pay, so the clinic may confirm at once.
    booking = booking_transition(booking=booking, action="confirm", actor=clinic_staff)
    assert booking.status == Booking.Status.CONFIRMED


def test_a_contract_comes_before_a_prepaid_package(wang_fang, clinic, doctor_package):
    listing = _health_listing(
        clinic, price_fen=2000, package_uses=5, package_price_fen=9000, package_valid_days=30
    )
    package, payment = package_buy(resident=wang_fang, listing=listing)
    callback_receive(gateway="sandbox", **_charged(payment))
    contract = contract_sign(resident=wang_fang, package=doctor_package)

    booking = book(wang_fang, SlotFactory(listing=listing), use_package=True)

    assert (booking.contract, booking.package, booking.price_fen) == (contract, None, 0)
    package.refresh_from_db()
    assert package.uses_left == 5


def test_services_outside_the_package_are_charged(wang_fang, clinic, doctor_package):
    contract_sign(resident=wang_fang, package=doctor_package)
    checkup = _health_listing(clinic, "health_checkup", price_fen=8000)

    booking = book(wang_fang, SlotFactory(listing=checkup))

    assert (booking.price_fen, booking.contract) == (8000, None)
    assert booking.payments.get().amount_fen == 8000


def test_the_same_service_at_another_provider_is_charged(wang_fang, doctor_package):
    other = ProviderFactory(domains=["health"], approved_domains=["health"])
    LicenceFactory(provider=other, kind="medical_practice")
    contract_sign(resident=wang_fang, package=doctor_package)

    booking = book(wang_fang, SlotFactory(listing=_health_listing(other, price_fen=2000)))

    assert booking.price_fen == 2000


def test_a_contract_covers_only_its_own_person(wang_fang, doctor_package, followup):
    father = DependantFactory(owner=wang_fang)
    contract = contract_sign(resident=wang_fang, package=doctor_package, dependant=father)
    slot = SlotFactory(listing=followup, capacity=2)

    for_him = book(wang_fang, slot, dependant=father)
    for_her = book(wang_fang, slot)

    assert (for_him.price_fen, for_him.contract) == (0, contract)
    assert (for_her.price_fen, for_her.contract) == (2000, None)


def test_a_service_after_the_contract_ends_is_charged(wang_fang, doctor_package, followup, today):
    contract = contract_sign(
        resident=wang_fang,
        package=doctor_package,
        starts_on=today - dt.timedelta(days=364) + dt.timedelta(days=1),
    )
    assert contract.ends_on < today + dt.timedelta(days=3)

    booking = book(wang_fang, _slot(followup, today + dt.timedelta(days=3)))

    assert booking.price_fen == 2000


def test_a_terminated_contract_no_longer_covers(wang_fang, doctor_package, followup):
    contract = contract_sign(resident=wang_fang, package=doctor_package)
    contract_terminate(contract=contract, actor=wang_fang)

    booking = book(wang_fang, SlotFactory(listing=followup))

    assert FamilyDoctorContract.objects.get(pk=contract.pk).status == "terminated"
    assert booking.price_fen == 2000


def test_one_person_has_one_family_doctor_at_a_time(wang_fang, clinic, doctor_package, today):
    contract_sign(resident=wang_fang, package=doctor_package)
    other_package = FamilyDoctorPackage.objects.create(provider=clinic, name="慢病签约包")

    for starts_on in (None, today + dt.timedelta(days=100)):
        with pytest.raises(BookingError) as exc:
            contract_sign(resident=wang_fang, package=other_package, starts_on=starts_on)
        assert exc.value.code == "already_signed"

    assert FamilyDoctorContract.objects.count() == 1


def test_a_new_contract_cannot_start_on_the_last_day_of_the_old_one(wang_fang, doctor_package):
    old = contract_sign(resident=wang_fang, package=doctor_package)

    with pytest.raises(BookingError) as exc:
        contract_sign(resident=wang_fang, package=doctor_package, starts_on=old.ends_on)

    assert exc.value.code == "already_signed"


def test_family_members_each_have_their_own_contract(wang_fang, daughter, doctor_package):
    father = DependantFactory(owner=wang_fang)
    mother = DependantFactory(owner=wang_fang, name="刘桂英")

    signed = [
        contract_sign(resident=wang_fang, package=doctor_package),
        contract_sign(resident=wang_fang, package=doctor_package, dependant=father),
        contract_sign(resident=wang_fang, package=doctor_package, dependant=mother),
        contract_sign(resident=daughter, package=doctor_package),
    ]

    assert all(c.status == "active" for c in signed)


def test_after_termination_the_person_may_sign_again(wang_fang, doctor_package):
    first = contract_sign(resident=wang_fang, package=doctor_package)
    contract_terminate(contract=first, actor=wang_fang)

    again = contract_sign(resident=wang_fang, package=doctor_package)

    assert again.status == FamilyDoctorContract.Status.ACTIVE


def test_a_contract_for_someone_elses_family_member_is_refused(wang_fang, daughter, doctor_package):
    with pytest.raises(BookingInputError) as exc:
        contract_sign(
            resident=wang_fang, package=doctor_package, dependant=DependantFactory(owner=daughter)
        )

    assert exc.value.field == "dependant"
    assert not FamilyDoctorContract.objects.exists()


@pytest.mark.parametrize("problem", ["health_not_approved", "package_closed", "suspended"])
def test_a_package_of_an_unfit_provider_cannot_be_signed(
    problem, wang_fang, clinic, doctor_package
):
    if problem == "health_not_approved":
        clinic.approved_domains = []
        clinic.save()
    elif problem == "package_closed":
        doctor_package.is_active = False
        doctor_package.save()
    else:
        clinic.standing = "suspended"
        clinic.save()
    doctor_package.refresh_from_db()

    with pytest.raises(BookingInputError) as exc:
        contract_sign(resident=wang_fang, package=doctor_package)

    assert (exc.value.code, exc.value.field) == ("unavailable", "package")


def test_only_residents_sign(staff_a, doctor_package):
    with pytest.raises(BookingInputError) as exc:
        contract_sign(resident=staff_a, package=doctor_package)

    assert exc.value.code == "not_resident"


def test_a_renewal_starts_the_day_after_the_end(wang_fang, doctor_package):
    contract = contract_sign(resident=wang_fang, package=doctor_package)

    renewal = contract_renew(contract=contract, actor=wang_fang)

    assert renewal.starts_on == contract.ends_on + dt.timedelta(days=1)
    assert renewal.renewed_from == contract
    assert renewal.ends_on > renewal.starts_on
    with pytest.raises(BookingError) as exc:
        contract_renew(contract=contract, actor=wang_fang)
    assert exc.value.code == "already_renewed"


def test_only_the_resident_renews_an_active_contract(wang_fang, daughter, doctor_package):
    contract = contract_sign(resident=wang_fang, package=doctor_package)

    with pytest.raises(BookingInputError):
        contract_renew(contract=contract, actor=daughter)
    contract_terminate(contract=contract, actor=wang_fang)
    with pytest.raises(BookingError) as exc:
        contract_renew(contract=contract, actor=wang_fang)

    assert exc.value.code == "illegal_transition"
    assert FamilyDoctorContract.objects.count() == 1


def test_the_renewal_reminder_is_sent_once_within_30_days_of_the_end(wang_fang, doctor_package):
    contract = contract_sign(resident=wang_fang, package=doctor_package)
    day = contract.ends_on - dt.timedelta(days=30)

    assert contracts_remind_renewal(today=day - dt.timedelta(days=1)) == 0
    assert contracts_remind_renewal(today=day) == 1
    assert contracts_remind_renewal(today=day) == 0
    assert contracts_remind_renewal(today=day + dt.timedelta(days=10)) == 0

    notices = Notification.objects.filter(recipient=wang_fang, kind="doctor_contract.renewal")
    assert notices.count() == 1
    assert doctor_package.name in notices.get().body


def test_a_renewed_contract_gets_no_reminder(wang_fang, doctor_package):
    contract = contract_sign(resident=wang_fang, package=doctor_package)
    contract_renew(contract=contract, actor=wang_fang)

    assert contracts_remind_renewal(today=contract.ends_on - dt.timedelta(days=5)) == 0
    assert not Notification.objects.filter(kind="doctor_contract.renewal").exists()


def test_lapsed_contracts_end(wang_fang, doctor_package):
    contract = contract_sign(resident=wang_fang, package=doctor_package)

    contracts_remind_renewal(today=contract.ends_on)
    assert FamilyDoctorContract.objects.get(pk=contract.pk).status == "active"

    contracts_remind_renewal(today=contract.ends_on + dt.timedelta(days=1))
    assert FamilyDoctorContract.objects.get(pk=contract.pk).status == "ended"


def test_a_renewal_carries_on_when_the_first_term_lapses(wang_fang, doctor_package):
    contract = contract_sign(resident=wang_fang, package=doctor_package)
    renewal = contract_renew(contract=contract, actor=wang_fang)

    contracts_remind_renewal(today=renewal.starts_on)

    statuses = dict(FamilyDoctorContract.objects.values_list("pk", "status"))
    assert statuses == {contract.pk: "ended", renewal.pk: "active"}
