"""Protected prepayment (预付费资金监管): payments held in escrow, prepaid packages, a
double-entry ledger, and the gateway's callbacks.

Money is integer fen. Every journal entry's postings sum to zero (checked by a deferred
constraint trigger in the database, services/migrations), so the ledger cannot be left
unbalanced by any code path; `manage.py ledger_reconcile` proves the sums against payments
and the gateway's own records.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Provider
from services.models.bookings import Booking
from services.models.listings import Listing


class PrepaidPackage(models.Model):
    """A 次卡/月卡 bought from a provider: paid once, held in escrow, released per use."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待支付")
        ACTIVE = "active", _("使用中")
        USED_UP = "used_up", _("已用完")
        REFUNDED = "refunded", _("已退款")
        EXPIRED = "expired", _("已过期")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prepaid_packages"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="packages")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="packages")
    uses_total = models.PositiveSmallIntegerField(_("总次数"))
    uses_left = models.PositiveSmallIntegerField(_("剩余次数"))
    price_fen = models.PositiveIntegerField(_("价格（分）"))
    valid_until = models.DateField(_("有效期至"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("预付次卡")
        verbose_name_plural = _("预付次卡")
        ordering = ["resident", "-created_at"]
        indexes = [
            models.Index(fields=["resident", "listing", "status"], name="package_lookup_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(uses_left__lte=F("uses_total")), name="package_uses_within_total"
            ),
            models.CheckConstraint(condition=Q(uses_total__gte=1), name="package_has_uses"),
        ]

    def __str__(self) -> str:
        return f"{self.listing} × {self.uses_total}"

    @property
    def unit_fen(self) -> int:
        """What one use releases to the provider; the last use takes the rounding remainder."""
        return self.price_fen // self.uses_total


class Payment(models.Model):
    """Money a resident paid through the gateway for one booking or one prepaid package.

    pending → held (the gateway confirmed; the amount sits in the provider's escrow) →
    captured (released to the provider on completion) or refunded / partly refunded.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待支付")
        HELD = "held", _("已冻结（资金监管中）")
        CAPTURED = "captured", _("已结算给机构")
        REFUNDED = "refunded", _("已退款")
        PARTLY_REFUNDED = "partly_refunded", _("部分退款")
        FAILED = "failed", _("支付失败")
        VOID = "void", _("已撤销")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="payments")
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    package = models.OneToOneField(
        PrepaidPackage, null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    amount_fen = models.PositiveIntegerField(_("金额（分）"))
    captured_fen = models.PositiveIntegerField(_("已结算（分）"), default=0)
    refunded_fen = models.PositiveIntegerField(_("已退款（分）"), default=0)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    gateway = models.CharField(_("支付渠道"), max_length=20, default="sandbox")
    gateway_reference = models.CharField(_("渠道流水号"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("支付")
        verbose_name_plural = _("支付")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["resident", "-created_at"], name="payment_resident_idx"),
            models.Index(fields=["provider", "status"], name="payment_provider_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(captured_fen__lte=F("amount_fen") - F("refunded_fen")),
                name="payment_never_over_released",
                violation_error_message=_("结算与退款之和不能超过支付金额。"),
            ),
            models.CheckConstraint(
                condition=Q(booking__isnull=False) ^ Q(package__isnull=False),
                name="payment_for_booking_or_package",
            ),
            # A booking has at most one live payment.
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status__in=["pending", "held"]),
                name="payment_one_open_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.gateway_reference} ¥{self.amount_fen / 100:.2f} {self.status}"

    @property
    def held_fen(self) -> int:
        if self.status in (self.Status.PENDING, self.Status.FAILED, self.Status.VOID):
            return 0
        return self.amount_fen - self.captured_fen - self.refunded_fen

    @property
    def amount_yuan(self) -> str:
        return f"{self.amount_fen / 100:.2f}"


class LedgerAccount(models.Model):
    """An account of the double-entry ledger. Per resident: their wallet; per provider: the
    escrow holding their unearned money and the receivable they may withdraw; once: the
    gateway's clearing account and the platform's fees."""

    class Kind(models.TextChoices):
        GATEWAY = "gateway", _("支付渠道清算")
        RESIDENT_WALLET = "resident_wallet", _("居民账户")
        ESCROW = "escrow", _("监管账户")
        PROVIDER_RECEIVABLE = "provider_receivable", _("机构应收")
        FEES = "fees", _("平台服务费")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("账户")
        verbose_name_plural = _("账户")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "resident", "provider"],
                name="ledger_account_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=(Q(kind="resident_wallet", resident__isnull=False, provider__isnull=True))
                | (
                    Q(kind__in=["escrow", "provider_receivable"])
                    & Q(resident__isnull=True, provider__isnull=False)
                )
                | (
                    Q(kind__in=["gateway", "fees"])
                    & Q(resident__isnull=True, provider__isnull=True)
                ),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.resident_id or self.provider_id or ''}".strip()


class JournalEntry(models.Model):
    """One business event in the ledger (a hold, a capture, a refund). `key` makes posting it
    idempotent: a retried callback or job finds the entry already there."""

    key = models.CharField(max_length=120, unique=True)
    memo = models.CharField(_("摘要"), max_length=200)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("记账凭证")
        verbose_name_plural = _("记账凭证")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.key


class Posting(models.Model):
    """One line of a journal entry: + moves money into the account, − out of it."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="postings")
    amount_fen = models.BigIntegerField()

    class Meta:
        verbose_name = _("分录")
        verbose_name_plural = _("分录")
        ordering = ["entry", "id"]
        indexes = [
            # Account balances.
            models.Index(fields=["account", "amount_fen"], name="posting_account_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_fen=0), name="posting_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount_fen:+d}"


class GatewayEvent(models.Model):
    """A callback received from a payment gateway, kept whether or not its signature held.
    The unique event id makes a callback delivered twice a no-op the second time."""

    gateway = models.CharField(max_length=20)
    event_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("支付渠道通知")
        verbose_name_plural = _("支付渠道通知")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="gateway_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id}"


class SandboxTransaction(models.Model):
    """The sandbox gateway's own book (what a bank would keep): charges it took and refunds it
    made, by the portal's gateway reference. Reconciliation compares it with the ledger."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("扣款")
        REFUND = "refund", _("退款")

    reference = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    operation_id = models.CharField(max_length=80, unique=True)
    amount_fen = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("模拟支付渠道流水")
        verbose_name_plural = _("模拟支付渠道流水")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["reference"], name="sandbox_reference_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.amount_fen}"
