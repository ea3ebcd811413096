"""Provider organisations, their branches, licences, review history and members."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.choices import labels_of
from portal.identifiers import validate_credit_code, validate_public_phone
from providers.domains import Domain, LicenceKind


class Provider(models.Model):
    """A service organisation (养老机构, 托育机构, 家政企业, 医疗机构 ...).

    `status` is the registration review state, changed only by providers.services.review;
    `standing` is the supervision result written by the ratings app (credit, black list).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        RETURNED = "returned", _("退回修改")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("撤销")

    class Standing(models.TextChoices):
        NORMAL = "normal", _("正常")
        SUSPENDED = "suspended", _("暂停服务")
        BLACKLISTED = "blacklisted", _("严重失信")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("机构名称"), max_length=100)
    # Unique among registered organisations only (see constraints): a draft cannot squat on
    # a real company's code; the clash surfaces when the second one is submitted.
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, validators=[validate_credit_code], db_index=True
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[validate_public_phone]
    )
    domains = ArrayField(
        models.CharField(max_length=20, choices=Domain.choices),
        verbose_name=_("服务领域"),
        default=list,
        blank=True,
    )
    # Each domain is approved by the department that supervises it (民政 eldercare, 卫健
    # childcare and health...); the organisation is approved when all of them have.
    approved_domains = ArrayField(
        models.CharField(max_length=20, choices=Domain.choices),
        verbose_name=_("已审核通过的领域"),
        default=list,
        blank=True,
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="providers"
    )
    description = models.TextField(_("机构简介"), blank=True)
    logo = models.FileField(_("标志"), upload_to="public/logos/", blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    standing = models.CharField(
        _("信用状态"), max_length=12, choices=Standing.choices, default=Standing.NORMAL
    )
    # Written by the ratings app (it owns the rules; providers only shows them): the credit
    # grade, the current official grade and the residents' score.
    credit_grade = models.CharField(_("信用等级"), max_length=1, blank=True, default="")
    official_grade = models.CharField(_("官方评定等级"), max_length=20, blank=True, default="")
    official_grade_until = models.DateField(_("等级有效期至"), null=True, blank=True)
    quality_score = models.FloatField(_("居民评分"), null=True, blank=True)
    review_count = models.PositiveIntegerField(_("评价数"), default=0)
    # 1带N: a central provider that also serves remote points (outreach visits, 远程问诊);
    # the matching gap analysis counts it for uncovered divisions.
    outreach = models.BooleanField(_("承担偏远地区延伸服务"), default=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务机构")
        verbose_name_plural = _("服务机构")
        ordering = ["name", "id"]
        indexes = [
            # Officials' lists: status within a jurisdiction (division prefix).
            models.Index(
                fields=["division", "status"],
                name="provider_division_status_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            # The review queue: submitted, oldest first.
            models.Index(fields=["status", "submitted_at"], name="provider_queue_idx"),
            # Queue and directory filters by domain (`domains && ARRAY[...]`).
            GinIndex(fields=["domains"], name="provider_domains_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="provider_credit_code_alphabet",
                violation_error_message=_("统一社会信用代码格式不正确。"),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(status="draft"),
                name="provider_credit_code_registered_once",
                violation_error_message=_("该统一社会信用代码已被其他机构登记。"),
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(domains__len__gt=0),
                name="provider_domains_when_submitted",
                violation_error_message=_("提交审核前请至少选择一个服务领域。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id

    @property
    def owning_provider_id(self):
        return self.pk

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED and self.standing == self.Standing.NORMAL

    def get_domains_display(self) -> list[str]:
        return labels_of(self.domains, Domain.choices)


class Accessibility(models.TextChoices):
    STEP_FREE = "step_free", _("无障碍通道")
    LIFT = "lift", _("电梯")
    ACCESSIBLE_TOILET = "accessible_toilet", _("无障碍卫生间")
    HEARING_LOOP = "hearing_loop", _("助听设备")
    BRAILLE = "braille", _("盲文标识")
    WHEELCHAIR = "wheelchair", _("轮椅借用")
    ACCESSIBLE_PARKING = "accessible_parking", _("无障碍停车位")
    SIGN_LANGUAGE = "sign_language", _("手语服务")


class Branch(models.Model):
    """A service point (服务网点) where the provider receives people or starts home visits.

    Coordinates are GCJ-02 (what Chinese map services show), checked to lie in China.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="branches")
    name = models.CharField(_("网点名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="branches"
    )
    latitude = models.DecimalField(_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    opening_hours = models.CharField(_("营业时间"), max_length=200, blank=True)
    beds = models.PositiveIntegerField(_("床位数"), null=True, blank=True)
    places = models.PositiveIntegerField(_("托位数"), null=True, blank=True)
    staff_capacity = models.PositiveIntegerField(_("服务人员数"), null=True, blank=True)
    accessibility = ArrayField(
        models.CharField(max_length=30, choices=Accessibility.choices),
        verbose_name=_("无障碍设施"),
        default=list,
        blank=True,
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务网点")
        verbose_name_plural = _("服务网点")
        ordering = ["provider", "name", "id"]
        indexes = [
            # Bounding-box prefilter for "near me" (search and matching).
            models.Index(fields=["latitude", "longitude"], name="branch_coordinates_idx"),
            # Branches in a district (a prefix of the division code).
            models.Index(
                fields=["division"], name="branch_division_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=3.8, latitude__lte=53.6)
                & Q(longitude__gte=73.4, longitude__lte=135.1),
                name="branch_coordinates_in_china",
                violation_error_message=_("坐标不在中国境内，请检查纬度和经度。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.name}"

    @property
    def owning_provider_id(self):
        return self.provider_id

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id

    def get_accessibility_display(self) -> list[str]:
        return labels_of(self.accessibility, Accessibility.choices)


class Licence(models.Model):
    """A licence or filing (营业执照, 养老机构备案 ...) with its scanned copy.

    The scan lives under MEDIA_ROOT/private and is served only to the provider's members and
    to officials covering the provider, through providers.views.LicenceScanView.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="licences")
    kind = models.CharField(_("证照类型"), max_length=30, choices=LicenceKind.choices)
    number = models.CharField(_("证照编号"), max_length=60)
    issuer = models.CharField(_("发证机关"), max_length=100)
    valid_from = models.DateField(_("有效期起"))
    valid_until = models.DateField(
        _("有效期至"), null=True, blank=True, help_text=_("长期有效请留空。")
    )
    scan = models.FileField(_("扫描件"), upload_to="private/licences/")
    scan_content_type = models.CharField(_("文件类型"), max_length=50)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("证照")
        verbose_name_plural = _("证照")
        ordering = ["provider", "kind", "-valid_from"]
        indexes = [
            # The daily expiry job: licences ending in a date window.
            models.Index(fields=["valid_until"], name="licence_valid_until_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind", "number"],
                name="licence_once_per_provider",
                violation_error_message=_("该证照已登记。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="licence_valid_range",
                violation_error_message=_("有效期至不能早于有效期起。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def owning_provider_id(self):
        return self.provider_id

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or self.valid_until >= day)

    @property
    def is_valid(self) -> bool:
        return self.is_valid_on(timezone.localdate())


class ReviewEvent(models.Model):
    """One step of the registration review: who moved the organisation from what to what, why."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("提交审核")
        APPROVE = "approve", _("审核通过")
        REJECT = "reject", _("不予通过")
        RETURN = "return", _("退回修改")
        SUSPEND = "suspend", _("暂停")
        REINSTATE = "reinstate", _("恢复")
        REVOKE = "revoke", _("撤销")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="review_events")
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Provider.Status.choices)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Provider.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")
        ordering = ["provider", "-at", "-id"]
        indexes = [models.Index(fields=["provider", "-at"], name="review_event_history_idx")]

    def __str__(self) -> str:
        return f"{self.provider} {self.get_action_display()} {self.at:%Y-%m-%d}"


class Membership(models.Model):
    """A person working for a provider, as its owner (manages the organisation) or as staff."""

    class Role(models.TextChoices):
        OWNER = "owner", _("负责人")
        STAFF = "staff", _("工作人员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="provider_memberships"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        ordering = ["provider", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "provider"], name="membership_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} · {self.get_role_display()}"

    @property
    def owning_provider_id(self):
        return self.provider_id
