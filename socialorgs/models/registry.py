"""The registry (法人库) of social organisations and the accounts that act for them."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.privacy import mask_name

COORDINATES_IN_CHINA = (Q(latitude__isnull=True) & Q(longitude__isnull=True)) | (
    Q(latitude__gte=3.8, latitude__lte=53.6) & Q(longitude__gte=73.4, longitude__lte=135.1)
)


class OrgDomain(models.TextChoices):
    """业务领域 of a social organisation (the registry's classification, simplified)."""

    ELDERCARE = "eldercare", _("养老服务")
    CHILDREN = "children", _("儿童与托育")
    SOCIAL_WORK = "social_work", _("社会工作")
    CHARITY = "charity", _("慈善公益")
    DISABILITY = "disability", _("助残服务")
    COMMUNITY = "community", _("社区服务")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    CULTURE = "culture", _("文化")
    SPORTS = "sports", _("体育")
    SCIENCE = "science", _("科技")
    INDUSTRY = "industry", _("行业协会商会")
    OTHER = "other", _("其他")


class SocialOrganisation(models.Model):
    """A registered social organisation: 社会团体, 民办非企业单位 (社会服务机构) or 基金会.

    The registration authority (a 民政 office) keeps the record; the organisation's own
    accounts (OrgMembership) file annual reports, run projects and keep the charity ledger.
    Officials covering `division` supervise it."""

    class Kind(models.TextChoices):
        ASSOCIATION = "association", _("社会团体")
        SOCIAL_SERVICE = "social_service", _("民办非企业单位（社会服务机构）")
        FOUNDATION = "foundation", _("基金会")

    class Status(models.TextChoices):
        NORMAL = "normal", _("正常")
        REVOKED = "revoked", _("撤销")
        DEREGISTERED = "deregistered", _("注销")

    class Standing(models.TextChoices):
        """Written by socialorgs.services.credit from the credit lists; shown publicly."""

        NORMAL = "normal", _("正常")
        ABNORMAL = "abnormal", _("活动异常名录")
        SERIOUS = "serious", _("严重违法失信名单")

    name = models.CharField(_("组织名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("组织类型"), max_length=16, choices=Kind.choices)
    domain = models.CharField(_("业务领域"), max_length=16, choices=OrgDomain.choices)
    business_scope = models.TextField(_("业务范围"), max_length=1000, blank=True)
    authority = models.CharField(_("登记管理机关"), max_length=100)
    division = models.ForeignKey(
        Division, verbose_name=_("住所所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度（GCJ-02）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度（GCJ-02）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    # Personal data: shown masked to the public (legal_rep_masked), in full to the
    # organisation's own accounts and to officials covering it (an audited read).
    legal_rep_name = models.CharField(_("法定代表人"), max_length=50)
    founded_on = models.DateField(_("成立登记日期"))
    registered_capital_fen = models.PositiveBigIntegerField(_("注册资金（分）"), default=0)
    status = models.CharField(
        _("登记状态"), max_length=14, choices=Status.choices, default=Status.NORMAL
    )
    status_changed_on = models.DateField(_("状态变更日期"), null=True, blank=True)
    status_reason = models.CharField(_("状态变更原因"), max_length=300, blank=True)
    is_charity = models.BooleanField(_("慈善组织"), default=False)
    charity_recognised_on = models.DateField(_("慈善组织认定日期"), null=True, blank=True)
    public_fundraising = models.BooleanField(_("公开募捐资格"), default=False)
    fundraising_qualified_on = models.DateField(_("取得公开募捐资格日期"), null=True, blank=True)
    # Written by socialorgs.services.credit with ratings' credit arithmetic.
    credit_score = models.PositiveSmallIntegerField(_("信用分"), default=100)
    credit_grade = models.CharField(_("信用等级"), max_length=1, default="A")
    standing = models.CharField(
        _("信用状态"), max_length=10, choices=Standing.choices, default=Standing.NORMAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # Name (with pinyin, full and initials), code, scope and address (portal.search); written
    # by socialorgs.services.registry.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["name", "id"]
        indexes = [
            models.Index(
                fields=["division", "status"],
                name="socialorg_division_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["kind", "domain"], name="socialorg_kind_domain_idx"),
            GinIndex(fields=["search_vector"], name="socialorg_search_gin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=COORDINATES_IN_CHINA,
                name="socialorg_coordinates_in_china",
                violation_error_message=_("坐标不在中国境内，请检查纬度和经度。"),
            ),
            models.CheckConstraint(
                condition=Q(public_fundraising=False) | Q(is_charity=True),
                name="socialorg_fundraising_needs_charity",
                violation_error_message=_("只有慈善组织可以取得公开募捐资格。"),
            ),
            models.CheckConstraint(
                condition=Q(status="normal") | Q(status_changed_on__isnull=False),
                name="socialorg_status_dated",
                violation_error_message=_("撤销或注销须填写状态变更日期。"),
            ),
            models.CheckConstraint(
                condition=Q(status_changed_on__isnull=True)
                | Q(status_changed_on__gte=F("founded_on")),
                name="socialorg_status_after_founding",
                violation_error_message=_("状态变更日期不能早于成立登记日期。"),
            ),
            models.CheckConstraint(
                condition=Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="socialorg_credit_code_shape",
                violation_error_message=_("统一社会信用代码应为18位数字或大写字母。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id

    @property
    def legal_rep_masked(self) -> str:
        return mask_name(self.legal_rep_name)

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.NORMAL


class OrgMembership(models.Model):
    """An account acting for a social organisation. Owners add and remove members; managers
    and owners act for it (reports, projects, charity ledger)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("负责人")
        MANAGER = "manager", _("管理员")
        MEMBER = "member", _("工作人员")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="socialorg_memberships"
    )
    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=8, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("社会组织账号")
        verbose_name_plural = _("社会组织账号")
        ordering = ["organisation", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="socialorg_membership_once"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(role="owner"),
                name="socialorg_one_owner",
                violation_error_message=_("一个组织只有一位负责人。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.get_role_display()}"
