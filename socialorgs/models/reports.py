"""Annual reports (年报) and evaluation grades (5A–1A)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialorgs.models.registry import SocialOrganisation


class AnnualReport(models.Model):
    """An organisation's yearly report. draft → submitted → (returned → submitted) → reviewed
    with a result. `overdue_at` is set by the overdue job when the report for `year` was not
    submitted by its deadline (settings.SOCIALORG_ANNUAL_REPORT_DUE); the job creates the
    row when the organisation never started one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已报送")
        RETURNED = "returned", _("退回修改")
        REVIEWED = "reviewed", _("已审核")

    class Result(models.TextChoices):
        QUALIFIED = "qualified", _("合格")
        BASICALLY = "basically", _("基本合格")
        UNQUALIFIED = "unqualified", _("不合格")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="draft")
    activities = models.TextField(_("业务活动情况"), max_length=5000, blank=True)
    income_fen = models.BigIntegerField(_("本年收入（分）"), default=0)
    expenditure_fen = models.BigIntegerField(_("本年支出（分）"), default=0)
    net_assets_fen = models.BigIntegerField(_("年末净资产（分）"), default=0)
    staff_count = models.PositiveIntegerField(_("专职工作人员数"), default=0)
    volunteer_count = models.PositiveIntegerField(_("志愿者人数"), default=0)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    # The first submission: a report handed in on time and returned for changes after the
    # deadline is not overdue (the overdue job reads this, not the latest submission).
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    result = models.CharField(_("审核结论"), max_length=12, choices=Result.choices, blank=True)
    review_comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("年度报告")
        verbose_name_plural = _("年度报告")
        ordering = ["organisation", "-year"]
        indexes = [
            models.Index(fields=["status", "year"], name="annual_report_queue_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="annual_report_once"),
            models.CheckConstraint(
                condition=Q(status="reviewed", reviewed_at__isnull=False) & ~Q(result="")
                | (~Q(status="reviewed") & Q(result="")),
                name="annual_report_result_when_reviewed",
                violation_error_message=_("审核后须有审核结论，未审核不得有结论。"),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft"])
                | Q(submitted_at__isnull=False, first_submitted_at__isnull=False),
                name="annual_report_submitted_dated",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1949, year__lte=2200), name="annual_report_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    @property
    def jurisdiction_code(self) -> str:
        return self.organisation.division_id


class Evaluation(models.Model):
    """An official evaluation (社会组织评估): scores in four areas, the grade they give, valid
    for settings.SOCIALORG_GRADE_VALID_YEARS (5) years from `awarded_on`. A newer evaluation
    replaces the older one; an official may revoke one (降级/取消等级) with a reason."""

    class Grade(models.IntegerChoices):
        A5 = 5, _("5A")
        A4 = 4, _("4A")
        A3 = 3, _("3A")
        A2 = 2, _("2A")
        A1 = 1, _("1A")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="evaluations"
    )
    basic_conditions = models.DecimalField(_("基础条件"), max_digits=5, decimal_places=1)
    governance = models.DecimalField(_("内部治理"), max_digits=5, decimal_places=1)
    performance = models.DecimalField(_("工作绩效"), max_digits=5, decimal_places=1)
    social_evaluation = models.DecimalField(_("社会评价"), max_digits=5, decimal_places=1)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=1)
    grade = models.PositiveSmallIntegerField(_("评估等级"), choices=Grade.choices)
    awarded_on = models.DateField(_("评定日期"))
    valid_until = models.DateField(_("有效期至"))
    evaluated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoke_reason = models.CharField(_("撤销原因"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("评估等级")
        verbose_name_plural = _("评估等级")
        ordering = ["organisation", "-awarded_on", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "-awarded_on"],
                name="evaluation_current_idx",
                condition=Q(revoked_at__isnull=True),
            ),
        ]
        constraints = [
            # Evaluations follow one another; two on one day would be a double submit.
            models.UniqueConstraint(
                fields=["organisation", "awarded_on"], name="evaluation_once_a_day"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("awarded_on")), name="evaluation_validity_after"
            ),
            models.CheckConstraint(
                condition=Q(
                    total=F("basic_conditions")
                    + F("governance")
                    + F("performance")
                    + F("social_evaluation")
                ),
                name="evaluation_total_is_the_sum",
            ),
            models.CheckConstraint(
                condition=Q(grade__gte=1, grade__lte=5), name="evaluation_grade_range"
            ),
            models.CheckConstraint(
                condition=Q(basic_conditions__gte=0)
                & Q(governance__gte=0)
                & Q(performance__gte=0)
                & Q(social_evaluation__gte=0),
                name="evaluation_scores_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="evaluation_revoke_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_grade_display()}"

    @property
    def jurisdiction_code(self) -> str:
        return self.organisation.division_id
