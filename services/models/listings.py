"""The service taxonomy and listings (what a provider offers, where, for whom, at what price)."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.choices import labels_of
from providers.domains import Domain
from providers.models import Branch, Provider


class Category(models.Model):
    """A service category within a domain (养老 · 助餐), loaded as data (services/data)."""

    code = models.CharField(_("编码"), max_length=40, primary_key=True)
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("服务类别")
        verbose_name_plural = _("服务类别")
        ordering = ["domain", "sort", "code"]
        constraints = [
            models.UniqueConstraint(fields=["domain", "name"], name="category_name_per_domain"),
        ]

    def __str__(self) -> str:
        return f"{self.get_domain_display()} · {self.name}"


class Listing(models.Model):
    """A service a provider offers from one branch. Publicly visible only when the provider is
    approved and in good standing, the listing is published and no licence problem hides it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        PAUSED = "paused", _("已暂停")

    class PriceUnit(models.TextChoices):
        VISIT = "visit", _("次")
        HOUR = "hour", _("小时")
        DAY = "day", _("天")
        MONTH = "month", _("月")
        PACKAGE = "package", _("套餐")

    class DeliveryMode(models.TextChoices):
        AT_BRANCH = "at_branch", _("到店服务")
        AT_HOME = "at_home", _("上门服务")
        ONLINE = "online", _("线上服务")

    class Subsidy(models.TextChoices):
        ADVANCED_AGE = "advanced_age", _("高龄津贴")
        MINIMUM_LIVING = "minimum_living", _("低保")
        EXTREME_POVERTY = "extreme_poverty", _("特困供养")
        DISABILITY = "disability", _("失能补贴")
        CHILDCARE = "childcare", _("普惠托育补贴")
        LONG_TERM_CARE = "long_term_care", _("长期护理保险")

    class HiddenReason(models.TextChoices):
        VISIBLE = "", _("正常展示")
        LICENCE_EXPIRED = "licence_expired", _("所需证照已过期或缺失")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="listings")
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="listings")
    category = models.ForeignKey(
        Category, verbose_name=_("服务类别"), on_delete=models.PROTECT, related_name="listings"
    )
    title = models.CharField(_("服务名称"), max_length=100)
    description = models.TextField(_("服务内容"), blank=True)
    price_fen = models.PositiveIntegerField(_("价格（分）"))
    price_unit = models.CharField(_("计价单位"), max_length=10, choices=PriceUnit.choices)
    subsidies = ArrayField(
        models.CharField(max_length=20, choices=Subsidy.choices),
        verbose_name=_("可用补贴"),
        default=list,
        blank=True,
    )
    delivery_mode = models.CharField(
        _("服务方式"), max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.AT_BRANCH
    )
    service_divisions = models.ManyToManyField(
        Division, verbose_name=_("上门服务范围"), blank=True, related_name="home_listings"
    )
    duration_minutes = models.PositiveIntegerField(_("服务时长（分钟）"), default=60)
    capacity_per_slot = models.PositiveIntegerField(_("每时段名额"), default=1)
    age_min_months = models.PositiveIntegerField(_("服务对象最小月龄"), null=True, blank=True)
    age_max_months = models.PositiveIntegerField(_("服务对象最大月龄"), null=True, blank=True)
    languages = ArrayField(
        models.CharField(max_length=20), verbose_name=_("语言/方言"), default=list, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Booking policy, shown before booking and copied onto each booking.
    free_cancel_hours = models.PositiveIntegerField(_("免费取消：服务前（小时）"), default=24)
    late_cancel_fee_pct = models.PositiveSmallIntegerField(_("逾期取消收取费用（%）"), default=20)
    confirm_within_hours = models.PositiveIntegerField(_("机构确认时限（小时）"), default=12)
    # An optional prepaid package (次卡/月卡): `package_uses` uses for `package_price_fen`,
    # valid `package_valid_days` days.
    package_uses = models.PositiveSmallIntegerField(_("次卡次数"), null=True, blank=True)
    package_price_fen = models.PositiveIntegerField(_("次卡价格（分）"), null=True, blank=True)
    package_valid_days = models.PositiveSmallIntegerField(_("次卡有效天数"), null=True, blank=True)

    hidden_reason = models.CharField(
        _("隐藏原因"), max_length=20, choices=HiddenReason.choices, blank=True, default=""
    )
    # Plain Chinese text assembled from the listing, its category, provider and branch, and
    # its segmented lexemes (portal.search.index_terms): the title's weigh more. PostgreSQL
    # keeps `search_vector` in step with them (a generated column), whoever writes the row.
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    # Denormalised for search, kept by services.services (set_search_terms and the visibility
    # refresh, which runs whenever a licence, the review state or the listing's status
    # changes): public = published, not hidden, of an approved provider in good standing.
    is_public = models.BooleanField(_("公开展示"), default=False, editable=False)
    domain = models.CharField(max_length=20, blank=True, default="", editable=False)
    district = models.CharField(max_length=6, blank=True, default="", editable=False)
    search_title_terms = models.TextField(blank=True, default="", editable=False)
    search_terms = models.TextField(blank=True, default="", editable=False)
    search_vector = models.GeneratedField(
        expression=SearchVector("search_title_terms", config="simple", weight="A")
        + SearchVector("search_terms", config="simple", weight="B"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    # Written by the ratings app: the residents' score of this listing (a Bayesian average,
    # ratings.services.scores) and how many reviews it rests on. Search ranks by it.
    quality_score = models.FloatField(_("居民评分"), null=True, blank=True, editable=False)
    review_count = models.PositiveIntegerField(_("评价数"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("服务项目")
        verbose_name_plural = _("服务项目")
        ordering = ["provider", "title", "id"]
        indexes = [
            # The provider's own list and its bulk API.
            models.Index(fields=["provider", "status"], name="listing_provider_status_idx"),
            # Public lists by category.
            models.Index(fields=["category", "status", "hidden_reason"], name="listing_public_idx"),
            # Full-text search (portal.search), over public listings only.
            GinIndex(
                fields=["search_vector"],
                name="listing_public_search_gin",
                condition=Q(is_public=True),
            ),
            # Facets and filters of the public search.
            models.Index(
                fields=["domain", "district"],
                name="listing_public_facets_idx",
                condition=Q(is_public=True),
            ),
            # Price sort of the public search, overall and within a domain: the first page is
            # read straight off the index instead of sorting every match.
            models.Index(
                fields=["price_fen", "id"],
                name="listing_public_price_idx",
                condition=Q(is_public=True),
            ),
            models.Index(
                fields=["domain", "price_fen", "id"],
                name="listing_domain_price_idx",
                condition=Q(is_public=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity_per_slot__gte=1),
                name="listing_capacity_positive",
                violation_error_message=_("每时段名额至少为 1。"),
            ),
            models.CheckConstraint(
                condition=Q(age_min_months__isnull=True)
                | Q(age_max_months__isnull=True)
                | Q(age_max_months__gte=models.F("age_min_months")),
                name="listing_age_range",
                violation_error_message=_("最大月龄不能小于最小月龄。"),
            ),
            models.CheckConstraint(
                condition=Q(late_cancel_fee_pct__lte=100),
                name="listing_fee_pct_range",
                violation_error_message=_("逾期取消费用比例应在 0 到 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(confirm_within_hours__gte=1, confirm_within_hours__lte=168),
                name="listing_confirm_window",
                violation_error_message=_("机构确认时限应在 1 到 168 小时之间。"),
            ),
            models.CheckConstraint(
                condition=Q(package_uses__isnull=True, package_price_fen__isnull=True)
                | Q(package_uses__gte=2, package_price_fen__gte=1, package_valid_days__gte=1),
                name="listing_package_complete",
                violation_error_message=_("次卡需要次数（至少 2 次）、价格和有效天数。"),
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=60 * 24 * 31),
                name="listing_duration_range",
                violation_error_message=_("服务时长应在 5 分钟到 31 天之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owning_provider_id(self):
        return self.provider_id

    @property
    def jurisdiction_code(self) -> str:
        return self.branch.division_id

    @property
    def price_yuan(self) -> str:
        return f"{self.price_fen / 100:.2f}"

    def get_subsidies_display(self) -> list[str]:
        return labels_of(self.subsidies, self.Subsidy.choices)


class ListingPhoto(models.Model):
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("图片"), upload_to="private/listings/")
    content_type = models.CharField(max_length=50)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("服务图片")
        verbose_name_plural = _("服务图片")
        ordering = ["listing", "sort", "id"]

    def __str__(self) -> str:
        return self.caption or f"photo {self.pk}"
