"""Conditional access (有条件开放): applications, the API keys issued on approval, their use."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from openData.models.catalogue import Dataset
from portal.identifiers import validate_credit_code


class AccessApplication(models.Model):
    """An organisation's request to use a conditional dataset, decided by an official."""

    class Status(models.TextChoices):
        PENDING = "pending", _("等待审核")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        REVOKED = "revoked", _("已撤销")

    dataset = models.ForeignKey(
        Dataset, on_delete=models.PROTECT, related_name="applications", verbose_name=_("数据集")
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="data_applications",
        verbose_name=_("申请人"),
    )
    organisation_name = models.CharField(_("申请单位"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, validators=[validate_credit_code]
    )
    purpose = models.TextField(_("使用目的"))
    fields = ArrayField(models.CharField(max_length=60), verbose_name=_("所需字段"))
    duration_days = models.PositiveSmallIntegerField(
        _("使用期限（天）"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    security_measures = models.TextField(_("安全保障措施"))
    agreement_accepted = models.BooleanField(_("同意数据使用协议"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    valid_from = models.DateField(_("有效期起"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数据使用申请")
        verbose_name_plural = _("数据使用申请")
        ordering = ["-created_at"]
        indexes = [
            # The officials' queue: pending applications, oldest first.
            models.Index(fields=["status", "created_at"], name="opendata_app_queue_idx"),
            # An applicant's own applications.
            models.Index(fields=["applicant", "-created_at"], name="opendata_app_mine_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agreement_accepted=True),
                name="opendata_app_agreement_accepted",
                violation_error_message=_("须同意数据使用协议。"),
            ),
            models.CheckConstraint(
                condition=models.Q(duration_days__gte=1, duration_days__lte=365),
                name="opendata_app_duration_range",
                violation_error_message=_("使用期限应在 1–365 天之间。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="approved")
                | models.Q(valid_from__isnull=False, valid_until__isnull=False),
                name="opendata_app_approved_has_period",
                violation_error_message=_("批准的申请须有有效期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_name} → {self.dataset_id} ({self.get_status_display()})"


class ApiKey(models.Model):
    """A secret that lets its holder download one conditional dataset during the approved period.

    Only a SHA-256 digest of the secret is stored; the applicant sees the secret once.
    """

    application = models.ForeignKey(
        AccessApplication, on_delete=models.PROTECT, related_name="keys", verbose_name=_("申请")
    )
    prefix = models.CharField(_("密钥前缀"), max_length=12, unique=True)
    secret_hash = models.CharField(_("密钥摘要"), max_length=64)
    rate_per_minute = models.PositiveIntegerField(_("每分钟请求上限"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据接口密钥")
        verbose_name_plural = _("数据接口密钥")
        ordering = ["-created_at"]
        constraints = [
            # Generating a new key retires the old one: one live key per application.
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(revoked_at__isnull=True),
                name="opendata_key_one_live_per_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.application_id})"


class KeyUse(models.Model):
    """Every request made with a key (allowed or not), for the console and the audit."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    path = models.CharField(_("请求路径"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("响应状态"))

    class Meta:
        verbose_name = _("密钥使用记录")
        verbose_name_plural = _("密钥使用记录")
        ordering = ["-at"]
        indexes = [
            # A key's recent uses (console, audit).
            models.Index(fields=["key", "-at"], name="opendata_keyuse_key_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key_id} {self.path} {self.status_code}"
