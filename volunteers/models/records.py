"""What service leaves on a volunteer's record: disputed hours, certificates of hours
(志愿服务证明) and commendations (表彰) recorded by officials."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.privacy import redact_identifiers
from volunteers.formatting import hours_label
from volunteers.models.core import HourRecord, Volunteer


class HourDispute(models.Model):
    """A volunteer's objection to a recorded time (missing check-out, wrong times, a record
    not confirmed). The organiser upholds it, correcting the period, or dismisses it."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        UPHELD = "upheld", _("已更正")
        DISMISSED = "dismissed", _("已驳回")

    record = models.ForeignKey(HourRecord, on_delete=models.CASCADE, related_name="disputes")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="disputes")
    reason = models.TextField(_("异议理由"))
    claimed_start = models.DateTimeField(_("申报开始时间"))
    claimed_end = models.DateTimeField(_("申报结束时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    resolution = models.TextField(_("处理意见"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("时长异议")
        verbose_name_plural = _("时长异议")
        ordering = ["-created_at", "id"]
        indexes = [
            # The organiser's queue: open disputes, oldest first.
            models.Index(fields=["status", "created_at"], name="hourdispute_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(status="open"),
                name="hourdispute_one_open",
                violation_error_message=_("该记录已有待处理的异议。"),
            ),
            models.CheckConstraint(
                condition=Q(claimed_end__gt=F("claimed_start")),
                name="hourdispute_claim_ordered",
                violation_error_message=_("申报结束时间必须晚于开始时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} · {self.get_status_display()}"


class Certificate(models.Model):
    """A certificate of confirmed hours over a period. Its lines are a snapshot taken at
    issue, so the PDF and the public check always show what was certified; the code is what
    a third party types (or scans) to verify it."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="certificates")
    code = models.CharField(_("验证码"), max_length=16, unique=True, editable=False)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    minutes = models.PositiveIntegerField(_("服务分钟数"))
    activity_count = models.PositiveIntegerField(_("活动次数"))
    # [{"date": "2026-11-02", "activity": "...", "organisation": "...", "domain": "elderly",
    #   "minutes": 120}, ...]
    lines = models.JSONField(_("服务明细"), default=list)
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at", "-id"]
        indexes = [
            # "My certificates".
            models.Index(fields=["volunteer", "-issued_at"], name="certificate_volunteer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")),
                name="certificate_period_ordered",
                violation_error_message=_("截止日期不能早于起始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.volunteer.masked_name}"

    @property
    def hours(self) -> str:
        return hours_label(self.minutes)

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class Commendation(models.Model):
    """A commendation (表彰) an official records for a volunteer: it shows on the volunteer's
    public profile and counts in their record."""

    class Level(models.TextChoices):
        DISTRICT = "district", _("区县级")
        CITY = "city", _("市级")
        PROVINCE = "province", _("省级")
        NATIONAL = "national", _("国家级")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="commendations")
    title = models.CharField(_("表彰名称"), max_length=100)
    level = models.CharField(_("级别"), max_length=10, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    reason = models.TextField(_("事迹"), blank=True)
    # The awarding official's jurisdiction at the time.
    division = models.ForeignKey(
        Division, verbose_name=_("授予单位区划"), on_delete=models.PROTECT, related_name="+"
    )
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    awarded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表彰记录")
        verbose_name_plural = _("表彰记录")
        ordering = ["-year", "-awarded_at", "id"]
        indexes = [
            models.Index(fields=["volunteer", "-year"], name="commendation_volunteer_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "title", "year"],
                name="commendation_once",
                violation_error_message=_("该志愿者本年度已记录同名表彰。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1990, year__lte=2100), name="commendation_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.title} · {self.volunteer.masked_name}"

    @property
    def public_reason(self) -> str:
        """The reason as the public reads it (profile, API): phone and ID numbers masked and
        the volunteer's name in its masked form, like everywhere else they are shown."""
        text = redact_identifiers(self.reason)
        name = self.volunteer.real_name
        return text.replace(name, self.volunteer.masked_name) if name else text
