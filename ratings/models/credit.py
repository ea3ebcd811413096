"""Credit supervision (信用监管): events with points, red and black lists, credit repair."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Provider


class CreditEventBase(models.Model):
    """What every credit record holds, whoever it is about: a provider here, a social
    organisation in socialorgs (which scores its events with ratings.services.credit's
    arithmetic). `source` names what caused it, so the same fact is never recorded twice; a
    granted credit-repair appeal voids the event: it stays on record, without points."""

    points = models.SmallIntegerField(_("分值"))
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("来源"), max_length=80)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voided_at = models.DateTimeField(_("修复时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+d}"


class CreditEvent(CreditEventBase):
    """A fact that moves a provider's credit (ratings.services.credit documents the points)."""

    class Kind(models.TextChoices):
        COMPLAINT_UPHELD = "complaint_upheld", _("投诉经查属实")
        INSPECTION_FAILED = "inspection_failed", _("检查不合格")
        RECTIFICATION_OVERDUE = "rectification_overdue", _("逾期未整改")
        LICENCE_LAPSED = "licence_lapsed", _("证照过期")
        GOOD_INSPECTION = "good_inspection", _("检查优良")
        COMMENDATION = "commendation", _("表彰奖励")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="credit_events")
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)

    class Meta:
        verbose_name = _("信用记录")
        verbose_name_plural = _("信用记录")
        ordering = ["provider", "-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["provider", "-occurred_on"], name="credit_provider_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["provider", "source"], name="credit_event_once"),
        ]


class CreditListEntryBase(models.Model):
    """What every credit-list entry holds, whatever list and whoever it is about (providers'
    红黑名单 here; social organisations' 活动异常名录 and 严重违法失信名单 in socialorgs): the
    reason, legal basis and period, and who ended it early and why."""

    reason = models.CharField(_("列入原因"), max_length=300)
    basis = models.CharField(_("依据"), max_length=300)
    starts_on = models.DateField(_("列入日期"))
    ends_on = models.DateField(_("移出日期"), null=True, blank=True)
    removed_at = models.DateTimeField(_("移出时间"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removal_reason = models.CharField(_("移出原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class CreditListEntry(CreditListEntryBase):
    """A 红名单 (commended) or 黑名单 (serious dishonesty) entry made by an official, with its
    reason, legal basis and period. A provider on the black list is hidden and takes no
    bookings until the entry ends or is removed."""

    class List(models.TextChoices):
        RED = "red", _("红名单")
        BLACK = "black", _("黑名单")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="list_entries")
    list = models.CharField(_("名单"), max_length=5, choices=List.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("红黑名单")
        verbose_name_plural = _("红黑名单")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(
                fields=["list", "provider"],
                name="list_active_idx",
                condition=Q(removed_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="list_entry_period",
                violation_error_message=_("移出日期应晚于列入日期。"),
            ),
            models.UniqueConstraint(
                fields=["provider", "list"],
                condition=Q(removed_at__isnull=True),
                name="list_entry_one_active",
                violation_error_message=_("该机构已在此名单中。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_list_display()} {self.provider}"

    @property
    def jurisdiction_code(self) -> str:
        return self.provider.division_id


class CreditAppeal(models.Model):
    """信用修复: the provider shows it has put a credit event right; an official decides."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        GRANTED = "granted", _("已修复")
        REFUSED = "refused", _("不予修复")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="appeals")
    event = models.ForeignKey(CreditEvent, on_delete=models.CASCADE, related_name="appeals")
    statement = models.TextField(_("整改说明"), max_length=2000)
    evidence = models.FileField(_("证明材料"), upload_to="private/appeals/", blank=True)
    evidence_type = models.CharField(max_length=50, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.CharField(_("审核意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status="submitted"),
                name="appeal_one_open_per_event",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.get_status_display()}"

    @property
    def jurisdiction_code(self) -> str:
        return self.provider.division_id
