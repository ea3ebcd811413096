"""Bookings, their history, recurring plans and family-doctor contracts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateRangeField,
    DateTimeRangeField,
    RangeOperators,
)
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.models import Provider, StaffMember
from services.models.listings import Category, Listing
from services.models.residents import Address, Dependant
from services.models.schedules import ScheduleRule, Slot


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class Booking(models.Model):
    """One resident's place in one slot. States change only in services.services.bookings.

    The slot's capacity is taken with a conditional update when the booking is created; a
    staff member assigned to it cannot be assigned to an overlapping active booking (the
    exclusion constraint below), whatever the concurrency.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        IN_SERVICE = "in_service", _("服务中")
        COMPLETED = "completed", _("已完成")
        CANCELLED_BY_RESIDENT = "cancelled_by_resident", _("居民已取消")
        CANCELLED_BY_PROVIDER = "cancelled_by_provider", _("机构已取消")
        NO_SHOW = "no_show", _("未到")
        EXPIRED = "expired", _("超时未确认")

    ACTIVE = (Status.REQUESTED, Status.CONFIRMED, Status.IN_SERVICE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(_("预约编号"), max_length=20, unique=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    dependant = models.ForeignKey(
        Dependant,
        verbose_name=_("服务对象（家庭成员）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="bookings")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="bookings")
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    starts_at = models.DateTimeField(_("开始"))
    ends_at = models.DateTimeField(_("结束"))
    address = models.ForeignKey(
        Address,
        verbose_name=_("上门地址"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staff = models.ForeignKey(
        StaffMember,
        verbose_name=_("服务人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    status = models.CharField(
        _("状态"), max_length=24, choices=Status.choices, default=Status.REQUESTED
    )
    price_fen = models.PositiveIntegerField(_("价格（分）"))
    # Copied from the listing when booked: a later policy change does not apply retroactively.
    free_cancel_hours = models.PositiveIntegerField(_("免费取消提前小时数"))
    late_cancel_fee_pct = models.PositiveSmallIntegerField(_("逾期取消费用比例（%）"))
    confirm_by = models.DateTimeField(_("确认截止"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    idempotency_key = models.CharField(max_length=64, editable=False)
    plan = models.ForeignKey(
        "services.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    package = models.ForeignKey(
        "services.PrepaidPackage",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    contract = models.ForeignKey(
        "services.FamilyDoctorContract",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    created_at = models.DateTimeField(_("预约时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务预约")
        verbose_name_plural = _("服务预约")
        ordering = ["-starts_at", "reference"]
        indexes = [
            # "My bookings", upcoming and past.
            models.Index(fields=["resident", "-starts_at"], name="booking_resident_idx"),
            # The provider's booking desk (today, upcoming, by status).
            models.Index(fields=["provider", "starts_at", "status"], name="booking_desk_idx"),
            # The expiry job: requested bookings past their confirmation deadline.
            models.Index(
                fields=["confirm_by"],
                name="booking_expiry_idx",
                condition=Q(status="requested"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "idempotency_key"], name="booking_idempotent_create"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(late_cancel_fee_pct__lte=100), name="booking_fee_pct_range"
            ),
            # A caregiver is never in two places at once.
            ExclusionConstraint(
                name="booking_staff_no_overlap",
                expressions=[
                    ("staff", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(staff__isnull=False)
                & Q(status__in=["requested", "confirmed", "in_service"]),
                violation_error_message=_("该服务人员在这个时间已有其他预约。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.listing} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def owning_provider_id(self):
        return self.provider_id

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def price_yuan(self) -> str:
        return f"{self.price_fen / 100:.2f}"

    @property
    def recipient_name(self) -> str:
        return self.dependant.name if self.dependant_id else self.resident.name


class BookingEvent(models.Model):
    """One transition of a booking: who moved it from which state to which, when and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=24, blank=True, choices=Booking.Status.choices)
    to_status = models.CharField(max_length=24, choices=Booking.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("预约记录")
        verbose_name_plural = _("预约记录")
        ordering = ["booking", "at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.from_status or '-'} → {self.to_status}"


class Plan(models.Model):
    """A weekly plan (助餐 every weekday noon, 保洁 every Tuesday) that books ahead by a job."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("执行中")
        PAUSED = "paused", _("已暂停")
        STOPPED = "stopped", _("已停止")

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    dependant = models.ForeignKey(
        Dependant, null=True, blank=True, on_delete=models.PROTECT, related_name="plans"
    )
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="plans")
    weekdays = ArrayField(models.PositiveSmallIntegerField(), verbose_name=_("星期"))
    start_time = models.TimeField(_("时段开始"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("周期服务计划")
        verbose_name_plural = _("周期服务计划")
        ordering = ["resident", "-created_at"]
        indexes = [
            # The booking-ahead job walks the active plans.
            models.Index(fields=["status"], name="plan_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="plan_ends_after_start",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} {self.start_time:%H:%M}"

    def get_weekdays_display(self) -> list[str]:
        return [str(ScheduleRule.Weekday(day).label) for day in self.weekdays]


class PlanOccurrence(models.Model):
    """What the job did for one plan on one date: booked, or why not. One row per date makes
    the job idempotent and the conflicts visible to the resident."""

    class Outcome(models.TextChoices):
        BOOKED = "booked", _("已预约")
        NO_SLOT = "no_slot", _("当天没有对应时段")
        FULL = "full", _("时段已满")
        CONFLICT = "conflict", _("与已有预约冲突")
        SKIPPED = "skipped", _("已跳过")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="occurrences")
    date = models.DateField(_("日期"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("计划执行记录")
        verbose_name_plural = _("计划执行记录")
        ordering = ["plan", "date"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "date"], name="plan_occurrence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.date} {self.outcome}"


class FamilyDoctorPackage(models.Model):
    """A 签约服务包 of a health provider: a doctor team, a term, and included services that
    contracted residents book at zero price."""

    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="family_doctor_packages"
    )
    name = models.CharField(_("服务包名称"), max_length=100)
    description = models.TextField(_("服务内容"), blank=True)
    team = models.ManyToManyField(StaffMember, verbose_name=_("签约团队"), related_name="+")
    included_categories = models.ManyToManyField(
        Category, verbose_name=_("包含的服务类别"), related_name="+"
    )
    annual_fee_fen = models.PositiveIntegerField(_("年费（分）"), default=0)
    term_months = models.PositiveSmallIntegerField(_("签约期限（月）"), default=12)
    is_active = models.BooleanField(_("可签约"), default=True)

    class Meta:
        verbose_name = _("家庭医生签约服务包")
        verbose_name_plural = _("家庭医生签约服务包")
        ordering = ["provider", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_months__gte=1, term_months__lte=36), name="fdp_term_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FamilyDoctorContract(models.Model):
    """A signed family-doctor contract for the resident or one of their dependants."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("履约中")
        ENDED = "ended", _("已到期")
        TERMINATED = "terminated", _("已解约")

    package = models.ForeignKey(
        FamilyDoctorPackage, on_delete=models.PROTECT, related_name="contracts"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="doctor_contracts"
    )
    dependant = models.ForeignKey(
        Dependant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_on = models.DateField(_("生效日期"))
    ends_on = models.DateField(_("到期日期"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    renewed_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="renewal"
    )
    signed_at = models.DateTimeField(_("签约时间"), default=timezone.now)

    class Meta:
        verbose_name = _("家庭医生签约")
        verbose_name_plural = _("家庭医生签约")
        ordering = ["resident", "-starts_on"]
        indexes = [
            # The renewal-reminder job: active contracts ending soon.
            models.Index(fields=["status", "ends_on"], name="contract_renewal_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="contract_ends_after_start"
            ),
            # One person, one family-doctor team at a time (national 签约 rule).
            ExclusionConstraint(
                name="contract_one_active_per_person",
                expressions=[
                    ("resident", RangeOperators.EQUAL),
                    (Coalesce("dependant", Value(0)), RangeOperators.EQUAL),
                    # Both ends inclusive: `ends_on` is the last day covered.
                    (DateRange("starts_on", "ends_on", Value("[]")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="active"),
                violation_error_message=_("该服务对象在这段时间已有家庭医生签约。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.package} {self.starts_on}–{self.ends_on}"
