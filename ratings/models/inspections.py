"""Official inspections against a checklist kept as data, and the grades they award."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.domains import Domain
from providers.models import Branch, Provider


class Inspection(models.Model):
    """One inspection of a provider (routine, 双随机 spot check, or driven by a complaint):
    each checklist item scored, findings, and a rectification deadline with a follow-up."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常检查")
        SPOT_CHECK = "spot_check", _("双随机抽查")
        COMPLAINT = "complaint", _("投诉核查")
        FOLLOW_UP = "follow_up", _("整改复查")

    class Status(models.TextChoices):
        PLANNED = "planned", _("待检查")
        COMPLETED = "completed", _("已完成")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="inspections")
    branch = models.ForeignKey(
        Branch, null=True, blank=True, on_delete=models.SET_NULL, related_name="inspections"
    )
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices)
    kind = models.CharField(_("检查类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    checklist = models.CharField(_("检查表"), max_length=40)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inspections"
    )
    due_on = models.DateField(_("计划检查日期"))
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField(_("是否合格"), null=True)
    findings = models.TextField(_("发现的问题"), blank=True)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)
    follow_up_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups"
    )
    complaint = models.ForeignKey(
        "ratings.Complaint", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        ordering = ["-due_on", "-id"]
        indexes = [
            models.Index(fields=["provider", "-due_on"], name="inspection_provider_idx"),
            # The dashboard: inspections due and rectifications overdue.
            models.Index(fields=["status", "due_on"], name="inspection_due_idx"),
            models.Index(
                fields=["rectification_due"],
                name="inspection_rectify_idx",
                condition=Q(rectified_on__isnull=True, rectification_due__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="planned") | Q(inspected_on__isnull=False, score__isnull=False),
                name="inspection_completed_has_result",
            ),
            models.CheckConstraint(
                condition=Q(rectification_due__isnull=True)
                | Q(rectification_due__gte=F("inspected_on")),
                name="inspection_rectify_after",
                violation_error_message=_("整改期限不能早于检查日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_kind_display()} {self.due_on}"

    @property
    def owning_provider_id(self):
        return self.provider_id

    @property
    def jurisdiction_code(self) -> str:
        return self.provider.division_id


class InspectionItem(models.Model):
    """One checklist item's score in one inspection."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("条目编号"), max_length=20)
    area = models.CharField(_("评定方面"), max_length=40)
    text = models.CharField(_("检查内容"), max_length=200)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    max_score = models.DecimalField(_("满分"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查条目")
        verbose_name_plural = _("检查条目")
        ordering = ["inspection", "code"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "code"], name="inspection_item_once"),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=F("max_score")),
                name="inspection_item_score_range",
                violation_error_message=_("得分不能为负，也不能超过满分。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.score}/{self.max_score}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("图片"), upload_to="private/inspections/")
    content_type = models.CharField(max_length=50)
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.caption or f"photo {self.pk}"


class Grade(models.Model):
    """An official grade with its validity (养老机构等级 一级–五级; others A–D). Shown beside the
    residents' score, never merged with it."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="grades")
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices)
    value = models.CharField(_("等级"), max_length=10)
    label = models.CharField(_("等级名称"), max_length=20)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("有效期至"))
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.SET_NULL, related_name="grades"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评定等级")
        verbose_name_plural = _("评定等级")
        ordering = ["provider", "domain", "-valid_from"]
        indexes = [
            models.Index(fields=["provider", "domain", "-valid_from"], name="grade_current_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="grade_validity_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.label}"
