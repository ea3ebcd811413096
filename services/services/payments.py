"""Protected prepayment: start a payment, take the gateway's signed callbacks, hold the money
in the provider's escrow, release it on completion, refund it by policy.

A provider is paid only from its escrow and only for service delivered (capture on completion,
one use of a prepaid package at a time), so it can never withdraw unearned money.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import is_resident, official_covers
from portal.audit.services import audit_record
from services.errors import PaymentError
from services.gateways import get_gateway
from services.models import Booking, GatewayEvent, Payment, PrepaidPackage
from services.services.ledger import Kind, account, entry_post


def new_reference() -> str:
    return "PAY" + secrets.token_hex(10).upper()


def payment_open(*, booking: Booking) -> Payment:
    """The pending payment of a booking (one per booking while open)."""
    return Payment.objects.create(
        resident=booking.resident,
        provider=booking.provider,
        booking=booking,
        amount_fen=booking.price_fen,
        gateway=settings.PAYMENT_GATEWAY,
        gateway_reference=new_reference(),
    )


def payment_cashier_url(payment: Payment) -> str:
    return get_gateway(payment.gateway).cashier_url(payment)


def callback_receive(*, gateway: str, body: bytes, signature: str) -> Payment:
    """Apply one signed gateway callback, once. A second delivery of the same event changes
    nothing and returns the payment as it is."""
    payload = get_gateway(gateway).verify(body=body, signature=signature)
    with transaction.atomic():
        try:
            with transaction.atomic():
                GatewayEvent.objects.create(
                    gateway=gateway,
                    event_id=str(payload["event_id"]),
                    kind=str(payload["kind"]),
                    payload=payload,
                )
        except IntegrityError:
            duplicate = True
        else:
            duplicate = False
        payment = (
            Payment.objects.select_for_update()
            .filter(gateway=gateway, gateway_reference=payload["reference"])
            .first()
        )
        if payment is None:
            raise PaymentError(_("没有这笔支付。"), code="unknown_payment")
        if duplicate:
            return payment
        if payload.get("amount_fen") != payment.amount_fen:
            raise PaymentError(_("通知金额与订单金额不符。"), code="amount_mismatch")
        if payload["kind"] == "charge.succeeded":
            _hold(payment)
        elif payload["kind"] == "charge.failed" and payment.status == Payment.Status.PENDING:
            payment.status = Payment.Status.FAILED
            payment.save(update_fields=["status", "updated_at"])
    return payment


def _hold(payment: Payment) -> None:
    if payment.status == Payment.Status.FAILED:
        # An attempt failed, then the gateway took the money after all (a retry, or events
        # out of order): keep it while it is still due, else give it back like a late payment.
        # Ignoring it would leave the charge in the gateway's book and nowhere in the ledger.
        payment.status = Payment.Status.PENDING if _still_due(payment) else Payment.Status.VOID
    if payment.status != Payment.Status.PENDING:
        # Paid after the booking was cancelled or expired: the money goes straight back.
        if payment.status == Payment.Status.VOID:
            _post_hold(payment)
            payment.status = Payment.Status.HELD
            payment.save(update_fields=["status", "updated_at"])
            payment_refund(payment=payment, amount_fen=payment.amount_fen, reason="late_payment")
        return
    _post_hold(payment)
    payment.status = Payment.Status.HELD
    payment.save(update_fields=["status", "updated_at"])
    if payment.package_id:
        PrepaidPackage.objects.filter(pk=payment.package_id).update(
            status=PrepaidPackage.Status.ACTIVE
        )


def _still_due(payment: Payment) -> bool:
    if payment.booking_id:
        return payment.booking.status in Booking.ACTIVE
    return payment.package.status == PrepaidPackage.Status.PENDING


def _post_hold(payment: Payment) -> None:
    wallet = account(Kind.RESIDENT_WALLET, resident=payment.resident)
    entry_post(
        key=f"hold:{payment.pk}",
        memo=_("支付并存入监管账户"),
        payment=payment,
        booking=payment.booking,
        lines=[
            (account(Kind.GATEWAY), -payment.amount_fen),
            (wallet, payment.amount_fen),
            (wallet, -payment.amount_fen),
            (account(Kind.ESCROW, provider=payment.provider), payment.amount_fen),
        ],
    )


def payment_capture(*, payment: Payment, amount_fen: int | None = None, key: str) -> None:
    """Release `amount_fen` (default: all still held) from escrow to the provider, less the
    platform fee. Idempotent under `key`."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    held = payment.held_fen
    amount = held if amount_fen is None else min(amount_fen, held)
    if amount <= 0:
        return
    fee = amount * settings.PLATFORM_FEE_BP // 10_000
    posted = entry_post(
        key=key,
        memo=_("服务完成，结算给机构"),
        payment=payment,
        booking=payment.booking,
        lines=[
            (account(Kind.ESCROW, provider=payment.provider), -amount),
            (account(Kind.PROVIDER_RECEIVABLE, provider=payment.provider), amount - fee),
            (account(Kind.FEES), fee),
        ],
    )
    if posted is None:
        return
    payment.captured_fen += amount
    payment.status = _settled_status(payment)
    payment.save(update_fields=["captured_fen", "status", "updated_at"])


def payment_refund(*, payment: Payment, amount_fen: int, reason: str, key: str = "") -> None:
    """Return `amount_fen` from escrow to the resident through the gateway."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.PENDING:
        # Nothing was paid: the payment is simply voided.
        payment.status = Payment.Status.VOID
        payment.save(update_fields=["status", "updated_at"])
        return
    amount = min(amount_fen, payment.held_fen)
    if amount <= 0:
        return
    key = key or f"refund:{payment.pk}:{reason}"
    wallet = account(Kind.RESIDENT_WALLET, resident=payment.resident)
    posted = entry_post(
        key=key,
        memo=_("按规则退款"),
        payment=payment,
        booking=payment.booking,
        lines=[
            (account(Kind.ESCROW, provider=payment.provider), -amount),
            (wallet, amount),
            (wallet, -amount),
            (account(Kind.GATEWAY), amount),
        ],
    )
    if posted is None:
        return
    get_gateway(payment.gateway).refund(
        reference=payment.gateway_reference, amount_fen=amount, operation_id=key
    )
    payment.refunded_fen += amount
    payment.status = _settled_status(payment)
    payment.save(update_fields=["refunded_fen", "status", "updated_at"])
    audit_record(
        actor=None,
        action="payment.refund",
        target=payment,
        detail={"amount_fen": amount, "reason": reason},
    )


def _settled_status(payment: Payment) -> str:
    if payment.held_fen > 0:
        return Payment.Status.HELD
    if payment.captured_fen == 0:
        return Payment.Status.REFUNDED
    if payment.refunded_fen == 0:
        return Payment.Status.CAPTURED
    return Payment.Status.PARTLY_REFUNDED


def payment_reopen(*, booking: Booking, actor) -> Payment:
    """A new pending payment for a requested booking whose payment failed (the resident tries
    again before the booking expires)."""
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if getattr(actor, "pk", None) != booking.resident_id:
            raise PaymentError(_("您无权进行此操作。"), code="forbidden")
        open_payment = booking.payments.filter(
            status__in=[Payment.Status.PENDING, Payment.Status.HELD]
        ).first()
        if open_payment is not None:
            return open_payment
        if booking.status != Booking.Status.REQUESTED or booking.price_fen == 0:
            raise PaymentError(_("这条预约无需再支付。"), code="nothing_due")
        return payment_open(booking=booking)


# --- Prepaid packages (次卡/月卡) -----------------------------------------------------------


def package_buy(*, resident, listing) -> tuple[PrepaidPackage, Payment]:
    """Start buying a listing's package: pending until the gateway confirms, then held."""
    if not is_resident(resident):
        raise PaymentError(_("只有居民可以购买次卡。"), code="not_resident")
    if not listing.is_public:
        raise PaymentError(_("没有这项服务。"), code="unknown_listing", field="listing")
    if not listing.package_uses:
        raise PaymentError(_("该服务没有次卡。"), code="no_package", field="listing")
    with transaction.atomic():
        package = PrepaidPackage.objects.create(
            resident=resident,
            listing=listing,
            provider=listing.provider,
            uses_total=listing.package_uses,
            uses_left=listing.package_uses,
            price_fen=listing.package_price_fen,
            valid_until=timezone.localdate() + timedelta(days=listing.package_valid_days),
        )
        payment = Payment.objects.create(
            resident=resident,
            provider=listing.provider,
            package=package,
            amount_fen=package.price_fen,
            gateway=settings.PAYMENT_GATEWAY,
            gateway_reference=new_reference(),
        )
    return package, payment


def package_release_use(*, booking: Booking) -> None:
    """A completed booking paid by package releases one use's share to the provider."""
    package = PrepaidPackage.objects.select_for_update().get(pk=booking.package_id)
    payment = package.payment
    # The last use takes the rounding remainder so the whole price is released in the end.
    # Every spent use counts (completed, no-show, late cancellation), not only completions.
    released = (
        payment.entries.filter(key__startswith="package-use:")
        .exclude(key=f"package-use:{booking.pk}")
        .count()
    )
    share = payment.held_fen if released + 1 >= package.uses_total else package.unit_fen
    payment_capture(payment=payment, amount_fen=share, key=f"package-use:{booking.pk}")
    payment.refresh_from_db()  # payment_capture saved its own copy
    if package.uses_left == 0 and payment.held_fen == 0:
        package.status = PrepaidPackage.Status.USED_UP
        package.save(update_fields=["status"])


def package_refund_unused(*, package: PrepaidPackage, actor, reason: str) -> int:
    """Refund what a package still holds (unused uses): e.g. the provider closed, or the
    resident gave it up with no booking pending."""
    # The resident gives it up, or an official of the provider's district orders the refund
    # (a provider closing or vanishing: the case escrow exists for).
    allowed = getattr(actor, "pk", None) == package.resident_id or official_covers(
        actor, package.provider.division_id
    )
    if not allowed:
        raise PaymentError(_("您无权进行此操作。"), code="forbidden")
    with transaction.atomic():
        package = PrepaidPackage.objects.select_for_update().get(pk=package.pk)
        if package.bookings.filter(status__in=Booking.ACTIVE).exists():
            raise PaymentError(_("次卡还有未完成的预约，请先取消。"), code="package_in_use")
        payment = package.payment
        amount = payment.held_fen
        payment_refund(
            payment=payment, amount_fen=amount, reason=reason, key=f"package-refund:{package.pk}"
        )
        package.status = PrepaidPackage.Status.REFUNDED
        package.uses_left = 0
        package.save(update_fields=["status", "uses_left"])
        audit_record(
            actor=actor, action="package.refund", target=package, detail={"amount_fen": amount}
        )
    return amount
