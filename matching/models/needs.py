"""A resident's need (供需对接): what, where, when, for how much, with which requirements."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from providers.domains import Domain
from providers.models import Certificate, StaffMember
from services.models import Address, Category, Dependant, Listing


class Need(models.Model):
    """Posted by a resident for themself or a family member, or by a community worker (an
    official) on behalf of an elderly person who can't use the web (代办: the person's name and
    phone are kept for the provider's call-back; matches become referrals, not bookings).

    `windows` is a list of time windows: {"date": "2026-12-01"} for one day or {"weekday": 0}
    for every Monday, each with "start" and "end" ("09:00"); matching.services.needs validates
    it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("待匹配")
        MATCHED = "matched", _("已推荐")
        BOOKED = "booked", _("已预约")
        REFERRED = "referred", _("已转介")
        WITHDRAWN = "withdrawn", _("已撤回")

    class Place(models.TextChoices):
        HOME = "home", _("上门（我的地址）")
        AREA = "area", _("指定区域")
        BRANCH = "branch", _("到机构服务")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("一般")
        URGENT = "urgent", _("紧急")

    class CareLevel(models.TextChoices):
        NONE = "", _("不适用")
        SELF_CARE = "self_care", _("能力完好")
        LIGHT = "light", _("轻度失能")
        MODERATE = "moderate", _("中度失能")
        SEVERE = "severe", _("重度失能")

    OPEN_STATES = (Status.OPEN, Status.MATCHED)

    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    dependant = models.ForeignKey(
        Dependant, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    # 代办: the person served when a community worker posts for them.
    proxy_name = models.CharField(_("服务对象姓名（代办）"), max_length=50, blank=True)
    proxy_phone = models.CharField(_("服务对象电话（代办）"), max_length=32, blank=True)
    proxy_address = models.CharField(_("服务对象住址（代办）"), max_length=200, blank=True)
    domain = models.CharField(_("服务领域"), max_length=20, choices=Domain.choices)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="needs"
    )
    place = models.CharField(_("服务地点"), max_length=10, choices=Place.choices)
    address = models.ForeignKey(
        Address, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.DecimalField(_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    max_distance_km = models.PositiveSmallIntegerField(_("到机构的最远距离（公里）"), default=5)
    windows = models.JSONField(_("时间"), default=list)
    budget_min_fen = models.PositiveIntegerField(_("预算下限（分）"), default=0)
    budget_max_fen = models.PositiveIntegerField(_("预算上限（分）"))
    caregiver_gender = models.CharField(
        _("服务人员性别"), max_length=6, choices=StaffMember.Gender.choices, blank=True
    )
    languages = ArrayField(
        models.CharField(max_length=20), verbose_name=_("语言/方言"), default=list, blank=True
    )
    certificates = ArrayField(
        models.CharField(max_length=30, choices=Certificate.Kind.choices),
        verbose_name=_("需要的证书"),
        default=list,
        blank=True,
    )
    care_level = models.CharField(
        _("失能等级"), max_length=10, choices=CareLevel.choices, blank=True, default=""
    )
    subsidy = models.CharField(
        _("补贴类型"), max_length=20, choices=Listing.Subsidy.choices, blank=True
    )
    text = models.TextField(_("需求描述"), blank=True, max_length=1000)
    urgency = models.CharField(
        _("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    # Why the last run found no candidate (no coverage, no time overlap, over budget, ...).
    unmatched_reason = models.CharField(_("未匹配原因"), max_length=30, blank=True)
    # Bumped on every change that matters to matching: a run's inputs digest includes it.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("服务需求")
        verbose_name_plural = _("服务需求")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A run's scope: open needs of a domain in a division.
            models.Index(
                fields=["status", "domain", "division"],
                name="need_scope_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["resident", "-created_at"], name="need_resident_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_max_fen__gte=F("budget_min_fen")),
                name="need_budget_order",
                violation_error_message=_("预算上限不能低于下限。"),
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=3.8, latitude__lte=53.6)
                & Q(longitude__gte=73.4, longitude__lte=135.1),
                name="need_coordinates_in_china",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} · {self.category or ''} ({self.get_status_display()})"

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id
