"""The time bank (时间银行): hours given in eldercare activities are banked in minutes and
later spent on services, by the volunteer or by an elderly family member they transfer hours
to. Hours are never cashed: the ledger knows no money and no transaction kind that pays out.

A double-entry ledger like the booking ledger: every transaction's postings sum to zero
(checked by the database at commit), a transaction's `key` makes posting it idempotent, and a
person's account can never go below zero.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from volunteers.formatting import hours_label
from volunteers.models.core import HourRecord, Organisation, Skill, Volunteer


class TimeBankAccount(models.Model):
    """A volunteer's own account, an elderly family member's account (kept by the volunteer
    who linked them), or one of the bank's system accounts: where banked hours come from
    (service given), where spent hours go (service received, per organisation) and where
    expired hours go."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("个人账户")
        FAMILY = "family", _("家庭成员账户")
        SERVICE_GIVEN = "service_given", _("志愿服务存入")
        SERVICE_RECEIVED = "service_received", _("服务兑换")
        EXPIRED = "expired", _("过期清零")

    HOLDER_KINDS = (Kind.PERSONAL, Kind.FAMILY)

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A family account belongs to the dependant (services.Dependant) of the volunteer's user.
    dependant = models.ForeignKey(
        "services.Dependant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A personal or family account's balance, kept equal to the sum of its postings by the
    # database (migrations 0003, 0005; reconciled). A system account keeps 0: its total is
    # the sum of its postings, so posting to it locks no shared row.
    balance_minutes = models.BigIntegerField(_("余额（分钟）"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("时间银行账户")
        verbose_name_plural = _("时间银行账户")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "volunteer", "dependant", "organisation"],
                name="timebank_account_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(
                    kind="personal",
                    volunteer__isnull=False,
                    dependant__isnull=True,
                    organisation__isnull=True,
                )
                | Q(
                    kind="family",
                    volunteer__isnull=False,
                    dependant__isnull=False,
                    organisation__isnull=True,
                )
                | Q(
                    kind="service_received",
                    volunteer__isnull=True,
                    dependant__isnull=True,
                    organisation__isnull=False,
                )
                | Q(
                    kind__in=["service_given", "expired"],
                    volunteer__isnull=True,
                    dependant__isnull=True,
                    organisation__isnull=True,
                ),
                name="timebank_account_owner_matches_kind",
            ),
            # A person's hours can be spent, never overdrawn.
            models.CheckConstraint(
                condition=~Q(kind__in=["personal", "family"]) | Q(balance_minutes__gte=0),
                name="timebank_holder_not_negative",
                violation_error_message=_("时间银行余额不足。"),
            ),
        ]

    def __str__(self) -> str:
        owner = self.volunteer_id or self.organisation_id or ""
        return f"{self.get_kind_display()} {owner}".strip()

    @property
    def hours(self) -> str:
        return hours_label(self.balance_minutes)


class TimeBankService(models.Model):
    """A service an approved volunteer organisation offers for banked hours (陪伴, 助洁 …),
    priced in minutes. It has no money price: time-bank services are never sold."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="timebank_services"
    )
    title = models.CharField(_("服务名称"), max_length=100)
    skill = models.CharField(_("服务类别"), max_length=20, choices=Skill.choices)
    description = models.TextField(_("服务说明"), blank=True)
    division = models.ForeignKey(
        Division, verbose_name=_("服务区划"), on_delete=models.PROTECT, related_name="+"
    )
    price_minutes = models.PositiveIntegerField(_("所需时长（分钟）"))
    active = models.BooleanField(_("可兑换"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("时间银行服务")
        verbose_name_plural = _("时间银行服务")
        ordering = ["division", "title", "id"]
        indexes = [
            # The list of services one can spend hours on, near a division.
            models.Index(
                fields=["active", "division"],
                name="timebank_service_list_idx",
                opclasses=["", "varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_minutes__gte=15, price_minutes__lte=24 * 60),
                name="timebank_service_price_sane",
                violation_error_message=_("兑换时长须在 15 分钟到 24 小时之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def price_hours(self) -> str:
        return hours_label(self.price_minutes)


class TimeBankRedemption(models.Model):
    """Hours spent on a service for the account's holder (the volunteer, or their family
    member): requested → fulfilled by the organisation, or cancelled with the hours given back."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待服务")
        FULFILLED = "fulfilled", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    account = models.ForeignKey(
        TimeBankAccount, on_delete=models.PROTECT, related_name="redemptions"
    )
    service = models.ForeignKey(
        TimeBankService, on_delete=models.PROTECT, related_name="redemptions"
    )
    minutes = models.PositiveIntegerField(_("兑换时长（分钟）"))
    wanted_on = models.DateField(_("期望服务日期"))
    note = models.CharField(_("留言"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("时间兑换")
        verbose_name_plural = _("时间兑换")
        ordering = ["-created_at", "id"]
        indexes = [
            # The organisation's queue and a holder's history.
            models.Index(fields=["service", "status"], name="redemption_queue_idx"),
            models.Index(fields=["account", "-created_at"], name="redemption_account_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="redemption_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.minutes} min · {self.get_status_display()}"


class TimeBankTransaction(models.Model):
    """One business event in the time bank. The kinds are closed: hours come in from
    confirmed service, move to a family member, are spent on a service (or given back when it
    is cancelled), are corrected after a dispute, or expire; none pays out money."""

    class Kind(models.TextChoices):
        DEPOSIT = "deposit", _("服务存入")
        TRANSFER = "transfer", _("转给家人")
        REDEMPTION = "redemption", _("兑换服务")
        REFUND = "refund", _("兑换退回")
        ADJUSTMENT = "adjustment", _("异议更正")
        EXPIRY = "expiry", _("过期清零")

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    memo = models.CharField(_("摘要"), max_length=200)
    hour_record = models.ForeignKey(
        HourRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    redemption = models.ForeignKey(
        TimeBankRedemption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transactions",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("时间银行交易")
        verbose_name_plural = _("时间银行交易")
        ordering = ["created_at", "id"]
        constraints = [
            # The no-cash rule, in the database: no other kind of movement can be recorded.
            models.CheckConstraint(
                condition=Q(
                    kind__in=["deposit", "transfer", "redemption", "refund", "adjustment", "expiry"]
                ),
                name="timebank_kind_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.key


class TimeBankPosting(models.Model):
    """One line of a transaction: + into the account, − out of it, in minutes."""

    transaction = models.ForeignKey(
        TimeBankTransaction, on_delete=models.PROTECT, related_name="postings"
    )
    account = models.ForeignKey(TimeBankAccount, on_delete=models.PROTECT, related_name="postings")
    minutes = models.BigIntegerField()

    class Meta:
        verbose_name = _("时间银行分录")
        verbose_name_plural = _("时间银行分录")
        ordering = ["transaction", "id"]
        indexes = [
            # An account's statement and balance.
            models.Index(fields=["account", "transaction"], name="timebank_posting_account_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(minutes=0), name="timebank_posting_nonzero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.minutes:+d}"
