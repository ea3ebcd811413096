"""Weekly schedule rules, their exceptions, and the slots materialised from them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from services.models.listings import Listing


class ScheduleRule(models.Model):
    """Every <weekday> from <start> to <end>, slots of <slot_minutes> with <capacity> places."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("周一")
        TUESDAY = 1, _("周二")
        WEDNESDAY = 2, _("周三")
        THURSDAY = 3, _("周四")
        FRIDAY = 4, _("周五")
        SATURDAY = 5, _("周六")
        SUNDAY = 6, _("周日")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    start = models.TimeField(_("开始时间"))
    end = models.TimeField(_("结束时间"))
    slot_minutes = models.PositiveIntegerField(_("每段时长（分钟）"))
    capacity = models.PositiveIntegerField(_("每段名额"))
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("排班规则")
        verbose_name_plural = _("排班规则")
        ordering = ["listing", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="rule_end_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=1440),
                name="rule_slot_length",
                violation_error_message=_("每段时长应在 5 到 1440 分钟之间。"),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=10000),
                name="rule_capacity_range",
                violation_error_message=_("每段名额应在 1 到 10000 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="rule_weekday_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def owning_provider_id(self):
        return self.listing.provider_id


class ScheduleException(models.Model):
    """A closed day (holiday, training day) or an extra opening on a date."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("停止服务")
        EXTRA = "extra", _("增开时段")

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    start = models.TimeField(_("开始时间"), null=True, blank=True)
    end = models.TimeField(_("结束时间"), null=True, blank=True)
    slot_minutes = models.PositiveIntegerField(_("每段时长（分钟）"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("每段名额"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("排班例外")
        verbose_name_plural = _("排班例外")
        ordering = ["listing", "date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="closed")
                | (
                    Q(start__isnull=False, end__isnull=False, end__gt=F("start"))
                    & Q(slot_minutes__gte=5, capacity__gte=1)
                ),
                name="exception_extra_is_complete",
                violation_error_message=_("增开时段需要开始、结束时间、每段时长和名额。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


class Slot(models.Model):
    """A bookable time with `capacity` places of which `remaining` are free.

    Booking takes a place with a conditional update on `remaining`; the constraints make an
    oversold slot impossible whatever the concurrency.
    """

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    capacity = models.PositiveIntegerField(_("名额"))
    remaining = models.PositiveIntegerField(_("剩余名额"))
    # Set by the materialiser; a slot whose rule or exception no longer asks for it is removed
    # while nobody has booked it.
    generated = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("可预约时段")
        verbose_name_plural = _("可预约时段")
        ordering = ["listing", "starts_at"]
        indexes = [
            # "Next free slots" of a listing and the has-free-slot search filter.
            models.Index(fields=["listing", "starts_at", "remaining"], name="slot_upcoming_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "starts_at"], name="slot_unique_per_listing_start"
            ),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("capacity")), name="slot_remaining_within_capacity"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=0), name="slot_capacity_nonnegative"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0), name="slot_remaining_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def booked(self) -> int:
        return self.capacity - self.remaining
