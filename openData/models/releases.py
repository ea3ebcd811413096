"""Publication runs and the immutable, versioned releases they publish."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from openData.models.catalogue import Dataset


class Run(models.Model):
    """One attempt to publish a dataset: built in a staging area, checked by the personal-data
    gate, then published atomically as a Release (or refused with the gate's report)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("按计划")
        MANUAL = "manual", _("手动")

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        REFUSED = "refused", _("安全审查未通过")
        PUBLISHED = "published", _("已发布")
        FAILED = "failed", _("失败")

    FINISHED = (Status.REFUSED, Status.PUBLISHED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.PROTECT, related_name="runs", verbose_name=_("数据集")
    )
    trigger = models.CharField(_("触发方式"), max_length=10, choices=Trigger.choices)
    scheduled_for = models.DateTimeField(_("计划时间"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("阶段"), max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    gate_report = models.JSONField(_("安全审查报告"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发布任务")
        verbose_name_plural = _("发布任务")
        ordering = ["-created_at"]
        indexes = [
            # The console: a dataset's runs, newest first.
            models.Index(fields=["dataset", "-created_at"], name="opendata_run_dataset_idx"),
            # Runs still in flight (progress polling, stale-run sweep).
            models.Index(fields=["status"], name="opendata_run_status_idx"),
        ]
        constraints = [
            # The timetable job may fire twice for one slot; only one run exists for it.
            models.UniqueConstraint(
                fields=["dataset", "scheduled_for"],
                condition=models.Q(scheduled_for__isnull=False),
                name="opendata_run_once_per_slot",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="opendata_run_progress_range",
                violation_error_message=_("进度应在 0–100 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} {self.get_status_display()} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def in_flight(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class Release(models.Model):
    """A published version of a dataset. Written once, in the same transaction that records its
    files; a database trigger refuses any later UPDATE or DELETE (migration 0002)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(
        Dataset, on_delete=models.PROTECT, related_name="releases", verbose_name=_("数据集")
    )
    version = models.PositiveIntegerField(_("版本"))
    # One run publishes at most one release: a rerun after a crash finds it and stops.
    run = models.OneToOneField(
        Run, on_delete=models.PROTECT, related_name="release", verbose_name=_("发布任务")
    )
    published_at = models.DateTimeField(_("发布时间"))
    directory = models.CharField(_("存储目录"), max_length=200)
    row_count = models.PositiveBigIntegerField(_("数据行数"))
    resources = models.JSONField(_("资源"), default=list)
    change_summary = models.JSONField(_("变更摘要"), default=dict)

    class Meta:
        verbose_name = _("数据发布版本")
        verbose_name_plural = _("数据发布版本")
        ordering = ["dataset", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "version"], name="opendata_release_version")
        ]
        indexes = [
            # Latest releases across the catalogue (the catalogue page and DCAT output).
            models.Index(fields=["-published_at"], name="opendata_release_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.version}"


class ReleaseFile(models.Model):
    """One file of a release (a resource in one format, or the data package descriptor)."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"
        XLSX = "xlsx", "XLSX"
        DATAPACKAGE = "datapackage", "Data Package"
        HSDS = "hsds", "HSDS JSON"

    MEDIA_TYPES = {
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "datapackage": "application/json",
        "hsds": "application/json",
    }

    release = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="files", verbose_name=_("版本")
    )
    name = models.CharField(_("文件名"), max_length=100)
    resource = models.CharField(_("资源"), max_length=60, blank=True)
    format = models.CharField(_("格式"), max_length=12, choices=Format.choices)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveBigIntegerField(_("行数"), null=True, blank=True)

    class Meta:
        verbose_name = _("数据文件")
        verbose_name_plural = _("数据文件")
        ordering = ["release", "resource", "format"]
        constraints = [
            models.UniqueConstraint(fields=["release", "name"], name="opendata_file_name"),
            models.CheckConstraint(
                condition=models.Q(sha256__regex=r"^[0-9a-f]{64}$"),
                name="opendata_file_sha256_hex",
                violation_error_message=_("SHA-256 应为 64 位十六进制。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.release} {self.name}"

    @property
    def media_type(self) -> str:
        return self.MEDIA_TYPES[self.format]
