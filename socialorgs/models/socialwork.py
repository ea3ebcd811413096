"""Social work (社会工作): certified social workers, the government purchase catalogue
(政府购买服务目录), service projects, residents' service requests matched to projects, and the
residents' reviews of completed services."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from socialorgs.models.registry import COORDINATES_IN_CHINA, SocialOrganisation


class TargetGroup(models.TextChoices):
    ELDERLY = "elderly", _("老年人")
    CHILDREN = "children", _("儿童青少年")
    DISABLED = "disabled", _("残疾人")
    FAMILIES = "families", _("困难家庭")
    COMMUNITY = "community", _("社区居民")
    MIGRANTS = "migrants", _("外来务工人员")
    VETERANS = "veterans", _("退役军人")


# A catalogue item's state, from its two timestamps (CatalogueItem.state).
CATALOGUE_STATES = (
    ("draft", _("未发布")),
    ("published", _("已发布")),
    ("withdrawn", _("已撤回")),
)


class SocialWorker(models.Model):
    """A certified social worker (社会工作者职业资格) working for an organisation. The name is
    personal data: the public sees it masked."""

    class Level(models.TextChoices):
        ASSISTANT = "assistant", _("助理社会工作师")
        SOCIAL_WORKER = "social_worker", _("社会工作师")
        SENIOR = "senior", _("高级社会工作师")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="social_workers"
    )
    name = models.CharField(_("姓名"), max_length=50)
    level = models.CharField(_("职业资格等级"), max_length=14, choices=Level.choices)
    certificate_number = models.CharField(_("证书编号"), max_length=40, unique=True)
    certified_on = models.DateField(_("取得资格日期"))
    active = models.BooleanField(_("在岗"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("社会工作者")
        verbose_name_plural = _("社会工作者")
        ordering = ["organisation", "name", "id"]
        indexes = [models.Index(fields=["organisation", "active"], name="socialworker_org_idx")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.certificate_number}"


class CatalogueItem(models.Model):
    """One purchasable service of the government purchase catalogue, published by an official
    for their jurisdiction and year."""

    code = models.CharField(_("目录编码"), max_length=20)
    name = models.CharField(_("服务项目"), max_length=100)
    category = models.CharField(_("类别"), max_length=50)
    description = models.TextField(_("服务内容及要求"), max_length=2000, blank=True)
    target_group = models.CharField(
        _("服务对象"), max_length=10, choices=TargetGroup.choices, blank=True
    )
    division = models.ForeignKey(
        Division, verbose_name=_("适用区划"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("目录年度"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("政府购买服务目录")
        verbose_name_plural = _("政府购买服务目录")
        ordering = ["division", "-year", "code"]
        indexes = [
            # The public catalogue: published items of a year.
            models.Index(fields=["year", "published_at"], name="catalogue_year_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "year", "code"],
                name="catalogue_code_once",
                violation_error_message=_("该区划本年度已有相同编码的目录项。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100),
                name="catalogue_year_range",
                violation_error_message=_("目录年度应在 2000 到 2100 年之间。"),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(published_at__isnull=False),
                name="catalogue_withdrawn_after_published",
                violation_error_message=_("只有已发布的目录项可以撤回。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id

    @property
    def is_published(self) -> bool:
        """Published and not withdrawn: the state in which projects may reference it."""
        return self.published_at is not None and self.withdrawn_at is None

    @property
    def state(self) -> str:
        """draft, published or withdrawn (from the two timestamps)."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "published" if self.published_at is not None else "draft"

    @property
    def state_label(self) -> str:
        return str(dict(CATALOGUE_STATES)[self.state])


class SocialWorkProject(models.Model):
    """A social-work service project run by an organisation at a place, for a target group,
    over a period, with a number of cases it can take at once (`capacity`)."""

    class Funding(models.TextChoices):
        GOVERNMENT = "government", _("政府购买服务")
        FOUNDATION = "foundation", _("基金会资助")
        CHARITY = "charity", _("慈善募捐")
        SELF = "self", _("自筹")

    class Status(models.TextChoices):
        DRAFT = "draft", _("未发布")
        ACTIVE = "active", _("服务中")
        CLOSED = "closed", _("已结项")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    description = models.TextField(_("项目介绍"), max_length=3000, blank=True)
    target_group = models.CharField(_("服务对象"), max_length=10, choices=TargetGroup.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("服务区划"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("服务站点"), max_length=200)
    latitude = models.DecimalField(_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    service_radius_km = models.PositiveSmallIntegerField(_("服务半径（公里）"), default=5)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    funding = models.CharField(_("资金来源"), max_length=10, choices=Funding.choices)
    catalogue_item = models.ForeignKey(
        CatalogueItem,
        verbose_name=_("政府购买服务目录项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
    )
    capacity = models.PositiveSmallIntegerField(_("可同时服务个案数"), default=10)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default="draft")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("社会工作服务项目")
        verbose_name_plural = _("社会工作服务项目")
        ordering = ["-starts_on", "id"]
        indexes = [
            models.Index(fields=["status", "target_group", "ends_on"], name="swproject_match_idx"),
            models.Index(
                fields=["division"],
                name="swproject_division_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="swproject_period",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(funding="government", catalogue_item__isnull=False)
                | (~Q(funding="government") & Q(catalogue_item__isnull=True)),
                name="swproject_catalogue_iff_government",
                violation_error_message=_("政府购买服务项目须选择目录项，其他资金来源不得选择。"),
            ),
            models.CheckConstraint(
                condition=COORDINATES_IN_CHINA, name="swproject_coordinates_in_china"
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="swproject_capacity"),
            models.CheckConstraint(
                condition=Q(service_radius_km__gte=1, service_radius_km__lte=50),
                name="swproject_radius_range",
                violation_error_message=_("服务半径应在 1 到 50 公里之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id


class ServiceRequest(models.Model):
    """A resident's request for social-work service near home. A match run (on the matching
    queue) proposes a project; the resident accepts it; the organisation serves and completes
    it; the resident may then review it.

    open → proposed → accepted → completed; open/unmatched/proposed → cancelled;
    open → unmatched (tried again by the next run); proposed → open when the resident or the
    organisation declines the proposal (that project is then excluded for this request)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待匹配")
        PROPOSED = "proposed", _("已推荐项目")
        UNMATCHED = "unmatched", _("暂无匹配")
        ACCEPTED = "accepted", _("服务中")
        COMPLETED = "completed", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    # In progress: at most one per resident and target group (swrequest_one_active).
    IN_PROGRESS = ("open", "unmatched", "proposed", "accepted")
    # Holding one of the project's places (its free capacity is capacity minus these).
    HOLDING = ("proposed", "accepted")
    # Waiting for a match run.
    MATCHABLE = ("open", "unmatched")

    reference = models.CharField(_("申请编号"), max_length=20, unique=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="socialwork_requests"
    )
    target_group = models.CharField(_("服务对象"), max_length=10, choices=TargetGroup.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    # Personal data: the home's place. Shown to the serving organisation only once accepted.
    address = models.CharField(_("住址"), max_length=200)
    latitude = models.DecimalField(_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    # Personal (possibly health) information: shown redacted, to the serving organisation.
    description = models.TextField(_("需求描述"), max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="open")
    project = models.ForeignKey(
        SocialWorkProject,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    match_score = models.FloatField(_("匹配得分"), null=True, blank=True)
    match_explanation = models.JSONField(_("匹配说明"), default=dict, blank=True)
    unmatched_reason = models.CharField(_("未匹配原因"), max_length=30, blank=True)
    # Projects this request must not be proposed again: the resident or the organisation
    # declined them (ids, in the order they were declined).
    excluded_projects = models.JSONField(_("已婉拒的项目"), default=list, blank=True)
    matched_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)

    class Meta:
        verbose_name = _("社会工作服务申请")
        verbose_name_plural = _("社会工作服务申请")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="swrequest_queue_idx"),
            models.Index(fields=["project", "status"], name="swrequest_project_idx"),
            models.Index(fields=["resident", "-created_at"], name="swrequest_resident_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["open", "unmatched", "cancelled"])
                | Q(project__isnull=False),
                name="swrequest_project_when_matched",
            ),
            models.CheckConstraint(
                condition=COORDINATES_IN_CHINA, name="swrequest_coordinates_in_china"
            ),
            # One request in progress per resident and target group (a second one would only
            # compete with the first for the same places).
            models.UniqueConstraint(
                fields=["resident", "target_group"],
                condition=Q(status__in=["open", "unmatched", "proposed", "accepted"]),
                name="swrequest_one_active",
                violation_error_message=_("您已有一个同类服务申请正在办理。"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id


class ProjectReview(models.Model):
    """A resident's review of a completed service, validated and moderated by ratings' review
    machinery (ratings.services.reviews: dimensions, sensitive words, held for moderation)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        HELD = "held", _("待审核")
        HIDDEN = "hidden", _("已屏蔽")

    request = models.OneToOneField(ServiceRequest, on_delete=models.PROTECT, related_name="review")
    project = models.ForeignKey(SocialWorkProject, on_delete=models.CASCADE, related_name="reviews")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    overall = models.PositiveSmallIntegerField(_("总体评分"))
    dimensions = models.JSONField(_("分项评分"), default=dict)
    text = models.TextField(_("评价内容"), blank=True, max_length=1000)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="published")
    held_words = models.JSONField(_("命中敏感词"), default=list, blank=True)
    # The last moderation decision (socialorgs.services.socialwork.reviews.
    # project_review_moderate): who, when and why; the full history is in the audit log.
    moderation_reason = models.CharField(_("处理原因"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("社会工作服务评价")
        verbose_name_plural = _("社会工作服务评价")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["project", "status"], name="swreview_project_idx"),
            # The officials' moderation queue: held reviews, oldest first.
            models.Index(fields=["status", "created_at"], name="swreview_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5), name="swreview_overall_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.overall}"


class ProjectReviewReport(models.Model):
    """A resident's report of a published review (abusive, false, personal data): the review
    goes back to held until a 民政 official of the project's district publishes or hides it,
    which resolves the open reports. One report per resident and review."""

    review = models.ForeignKey(ProjectReview, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("举报原因"), max_length=300)
    created_at = models.DateTimeField(_("举报时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("社会工作服务评价举报")
        verbose_name_plural = _("社会工作服务评价举报")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter"],
                name="swreview_report_once",
                violation_error_message=_("您已举报过这条评价。"),
            ),
        ]

    def __str__(self) -> str:
        return self.reason[:30]
