"""Paying again after a declined charge; who may buy and refund prepaid cards; removing a
family member."""

import pytest

from services.errors import PaymentError
from services.gateways.sandbox import SandboxGateway
from services.models import Dependant, Payment, Plan, PrepaidPackage
from services.services.ledger import ledger_reconcile
from services.services.payments import (
    callback_receive,
    package_buy,
    package_refund_unused,
    payment_reopen,
)
from services.services.residents import dependant_remove
from tests.services.factories import DependantFactory, SlotFactory, book, pay, public_listing


def _decline(payment: Payment) -> None:
    body, signature = SandboxGateway().decline(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )
    callback_receive(gateway="sandbox", body=body, signature=signature)


def test_after_a_declined_charge_the_resident_can_pay_again(wang_fang, provider_a):
    booking = book(wang_fang, SlotFactory(listing=public_listing(provider_a)))
    first = booking.payments.get()
    _decline(first)

    second = payment_reopen(booking=booking, actor=wang_fang)
    assert second.pk != first.pk
    assert second.status == Payment.Status.PENDING
    assert payment_reopen(booking=booking, actor=wang_fang).pk == second.pk  # idempotent
    pay(booking)
    assert booking.payments.get(pk=second.pk).status == Payment.Status.HELD
    assert ledger_reconcile().ok


def test_nobody_else_reopens_a_payment(wang_fang, daughter, provider_a):
    booking = book(wang_fang, SlotFactory(listing=public_listing(provider_a)))
    _decline(booking.payments.get())
    with pytest.raises(PaymentError) as exc:
        payment_reopen(booking=booking, actor=daughter)
    assert exc.value.code == "forbidden"


def test_only_residents_buy_prepaid_cards_of_public_listings(staff_a, wang_fang, provider_a):
    listing = public_listing(
        provider_a, package_uses=10, package_price_fen=9000, package_valid_days=30
    )
    with pytest.raises(PaymentError) as exc:
        package_buy(resident=staff_a, listing=listing)
    assert exc.value.code == "not_resident"
    listing.is_public = False
    with pytest.raises(PaymentError) as exc:
        package_buy(resident=wang_fang, listing=listing)
    assert exc.value.code == "unknown_listing"


def test_an_unused_card_is_refunded_to_its_owner_or_by_the_districts_official(
    wang_fang, daughter, official_wuhou, official_jinjiang, provider_a
):
    listing = public_listing(
        provider_a, package_uses=10, package_price_fen=9000, package_valid_days=30
    )
    package, payment = package_buy(resident=wang_fang, listing=listing)
    body, signature = SandboxGateway().charge(
        reference=payment.gateway_reference, amount_fen=payment.amount_fen
    )
    callback_receive(gateway="sandbox", body=body, signature=signature)
    for outsider in (daughter, official_jinjiang):
        with pytest.raises(PaymentError):
            package_refund_unused(package=package, actor=outsider, reason="test")
    assert (
        package_refund_unused(package=package, actor=official_wuhou, reason="provider closed")
        == 9000
    )
    package.refresh_from_db()
    assert package.status == PrepaidPackage.Status.REFUNDED
    assert ledger_reconcile().ok


def test_removing_a_family_member_stops_their_plans_and_deletes_an_unused_record(
    wang_fang, provider_a
):
    unused = DependantFactory(owner=wang_fang)
    dependant_remove(owner=wang_fang, dependant=unused)
    assert not Dependant.objects.filter(pk=unused.pk).exists()

    father = DependantFactory(owner=wang_fang)
    listing = public_listing(provider_a)
    plan = Plan.objects.create(
        resident=wang_fang,
        dependant=father,
        listing=listing,
        weekdays=[0],
        start_time="09:00",
        starts_on="2030-01-01",
    )
    dependant_remove(owner=wang_fang, dependant=father)
    plan.refresh_from_db()
    father.refresh_from_db()
    assert plan.status == Plan.Status.STOPPED
    assert father.removed_at is not None
