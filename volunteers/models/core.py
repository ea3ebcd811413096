"""Volunteers (实名注册), volunteer organisations (志愿服务组织), their activities, sign-ups
and the service hours they record.

States change only through volunteers.services; reads go through volunteers.selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.privacy import mask_name


class Skill(models.TextChoices):
    COMPANIONSHIP = "companionship", _("陪伴聊天")
    CLEANING = "cleaning", _("助洁")
    MEALS = "meals", _("助餐")
    MEDICAL = "medical", _("医疗护理")
    REHAB = "rehab", _("康复训练")
    CHILDCARE = "childcare", _("儿童看护")
    TUTORING = "tutoring", _("课业辅导")
    SIGN_LANGUAGE = "sign_language", _("手语")
    DRIVING = "driving", _("驾驶")
    FIRST_AID = "first_aid", _("急救")
    PSYCHOLOGY = "psychology", _("心理疏导")
    LEGAL = "legal", _("法律咨询")
    DIGITAL = "digital", _("智能手机教学")
    PHOTOGRAPHY = "photography", _("摄影宣传")
    GENERAL = "general", _("综合服务")


class TimeOfWeek(models.TextChoices):
    WEEKDAY_MORNING = "weekday_morning", _("工作日上午")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("工作日下午")
    WEEKDAY_EVENING = "weekday_evening", _("工作日晚上")
    WEEKEND_MORNING = "weekend_morning", _("周末上午")
    WEEKEND_AFTERNOON = "weekend_afternoon", _("周末下午")
    WEEKEND_EVENING = "weekend_evening", _("周末晚上")


class ActivityDomain(models.TextChoices):
    ELDERLY = "elderly", _("助老")
    DISABILITY = "disability", _("助残")
    CHILDCARE = "childcare", _("托育")
    COMMUNITY = "community", _("社区服务")
    CIVILISATION = "civilisation", _("文明实践")
    EDUCATION = "education", _("助学")
    ENVIRONMENT = "environment", _("生态环保")
    EMERGENCY = "emergency", _("应急救援")


class Volunteer(models.Model):
    """A resident registered by real name. The ID number is never stored: only a keyed hash
    (one registration per person) and a masked form, as for providers' staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer"
    )
    number = models.CharField(_("志愿者编号"), max_length=20, unique=True, editable=False)
    real_name = models.CharField(_("真实姓名"), max_length=50)
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, editable=False)
    # From the ID number: the minimum age of activities and the guardian rule need it.
    birth_date = models.DateField(_("出生日期"), editable=False)
    phone = models.CharField(_("联系电话"), max_length=16)
    skills = ArrayField(
        models.CharField(max_length=20, choices=Skill.choices),
        verbose_name=_("技能"),
        default=list,
        blank=True,
    )
    languages = ArrayField(
        models.CharField(max_length=20), verbose_name=_("语言/方言"), default=list, blank=True
    )
    available_times = ArrayField(
        models.CharField(max_length=20, choices=TimeOfWeek.choices),
        verbose_name=_("可服务时间"),
        default=list,
        blank=True,
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="volunteers"
    )
    consent_version = models.CharField(_("同意的协议版本"), max_length=20)
    consented_at = models.DateTimeField(_("同意时间"))
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("监护人电话"), max_length=16, blank=True)
    guardian_consent = models.BooleanField(_("监护人已同意"), default=False)
    created_at = models.DateTimeField(_("注册时间"), default=timezone.now)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                name="volunteer_one_per_person",
                violation_error_message=_("该身份证号码已注册为志愿者。"),
            ),
            models.CheckConstraint(
                condition=Q(guardian_consent=False)
                | (~Q(guardian_name="") & ~Q(guardian_phone="")),
                name="volunteer_guardian_consent_named",
                violation_error_message=_("监护人同意须填写监护人姓名和电话。"),
            ),
        ]
        indexes = [
            # Officials' counts by district (a prefix of the division code).
            models.Index(
                fields=["division"],
                name="volunteer_division_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.masked_name}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.real_name)

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


class NumberSequence(models.Model):
    """The last volunteer number given out per city and year (a row per prefix)."""

    prefix = models.CharField(max_length=10, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        ordering = ["prefix"]

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class Organisation(models.Model):
    """A volunteer service organisation (志愿服务组织): a community, a social organisation or a
    service provider's volunteer team. Approved by a 民政 official covering its division."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区")
        SOCIAL_ORGANISATION = "social_organisation", _("社会组织")
        PROVIDER = "provider", _("服务机构")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        RETURNED = "returned", _("退回修改")

    name = models.CharField(_("组织名称"), max_length=100)
    kind = models.CharField(_("组织类型"), max_length=20, choices=Kind.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    division = models.ForeignKey(
        Division,
        verbose_name=_("所在区划"),
        on_delete=models.PROTECT,
        related_name="volunteer_organisations",
    )
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    description = models.TextField(_("组织简介"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    status_reason = models.TextField(_("审核意见"), blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("志愿服务组织")
        verbose_name_plural = _("志愿服务组织")
        ordering = ["name", "id"]
        indexes = [
            # Officials' queue: status within a jurisdiction (division prefix).
            models.Index(
                fields=["division", "status"],
                name="volorg_division_status_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="volorg_credit_code_once",
                violation_error_message=_("该统一社会信用代码已被其他志愿服务组织登记。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.APPROVED


class OrganisationReview(models.Model):
    """One decision on an organisation's registration: who, from what to what, why."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("操作"), max_length=12)
    from_status = models.CharField(_("原状态"), max_length=12)
    to_status = models.CharField(_("新状态"), max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("组织审核记录")
        verbose_name_plural = _("组织审核记录")
        ordering = ["organisation", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation} {self.action} {self.at:%Y-%m-%d}"


class Member(models.Model):
    """A person in an organisation: its owner and managers run it, members take part."""

    class Role(models.TextChoices):
        OWNER = "owner", _("负责人")
        MANAGER = "manager", _("管理员")
        MEMBER = "member", _("成员")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="volunteer_memberships",
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("组织成员")
        verbose_name_plural = _("组织成员")
        ordering = ["organisation", "role", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="volmember_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_role_display()}"


class Activity(models.Model):
    """A volunteer activity an organisation publishes: a time, a place (or online) and
    positions to fill."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("招募中")
        CANCELLED = "cancelled", _("已取消")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="activities"
    )
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动介绍"), blank=True)
    domain = models.CharField(_("服务领域"), max_length=20, choices=ActivityDomain.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("活动区划"), on_delete=models.PROTECT, related_name="+"
    )
    online = models.BooleanField(_("线上活动"), default=False)
    address = models.CharField(_("活动地点"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度（GCJ-02）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("经度（GCJ-02）"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    min_age = models.PositiveSmallIntegerField(_("最低年龄"), default=0)
    # The short code shown at the place: volunteers check in and out with it, only around
    # the activity's time (settings.VOLUNTEER_CODE_GRACE_MINUTES).
    checkin_code = models.CharField(_("签到码"), max_length=8, editable=False)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PUBLISHED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    # The activity's segmented lexemes with their pinyin (portal.search): the title weighs
    # most, then the organisation's name, the description, and the address with the domain
    # and the positions. Written by volunteers.services (activity_publish, activities_reindex).
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["starts_at", "id"]
        indexes = [
            # The public search: published activities by time, then division and domain.
            models.Index(fields=["status", "starts_at"], name="activity_status_start_idx"),
            models.Index(
                fields=["division"],
                name="activity_division_idx",
                opclasses=["varchar_pattern_ops"],
            ),
            # The public text search (portal.search), over published activities only.
            GinIndex(
                fields=["search_vector"],
                name="activity_search_gin",
                condition=Q(status="published"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="activity_ends_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(online=True) | ~Q(address=""),
                name="activity_place_or_online",
                violation_error_message=_("线下活动请填写活动地点。"),
            ),
            models.CheckConstraint(
                condition=(Q(latitude__isnull=True) & Q(longitude__isnull=True))
                | (
                    Q(latitude__gte=3.8, latitude__lte=53.6)
                    & Q(longitude__gte=73.4, longitude__lte=135.1)
                ),
                name="activity_coordinates_in_china",
                violation_error_message=_("坐标不在中国境内，请检查纬度和经度。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id


class Position(models.Model):
    """A role to fill in an activity. `accepted` never exceeds `needed`: acceptance takes a
    place with a conditional UPDATE, and the database checks it too."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="positions")
    name = models.CharField(_("岗位名称"), max_length=50)
    skills = ArrayField(
        models.CharField(max_length=20, choices=Skill.choices),
        verbose_name=_("所需技能"),
        default=list,
        blank=True,
    )
    needed = models.PositiveIntegerField(_("招募人数"))
    accepted = models.PositiveIntegerField(_("已录用人数"), default=0)

    class Meta:
        verbose_name = _("志愿岗位")
        verbose_name_plural = _("志愿岗位")
        ordering = ["activity", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted__lte=F("needed")),
                name="position_not_over_accepted",
                violation_error_message=_("录用人数不能超过招募人数。"),
            ),
            models.CheckConstraint(condition=Q(needed__gte=1), name="position_needs_someone"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.name}"


class Signup(models.Model):
    """A volunteer's application for a position: applied → accepted / waitlisted / rejected,
    or cancelled. A waitlisted one is promoted when an accepted one cancels."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("待录用")
        ACCEPTED = "accepted", _("已录用")
        WAITLISTED = "waitlisted", _("候补")
        REJECTED = "rejected", _("未录用")
        CANCELLED = "cancelled", _("已取消")

    ACTIVE = (Status.APPLIED, Status.ACCEPTED, Status.WAITLISTED)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.APPLIED
    )
    note = models.CharField(_("留言"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    # The waitlist's order: the earliest is promoted first.
    waitlisted_at = models.DateTimeField(_("候补时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "volunteer"],
                condition=Q(status__in=["applied", "accepted", "waitlisted"]),
                name="signup_once_per_activity",
                violation_error_message=_("您已报名该活动。"),
            ),
        ]
        indexes = [
            # Promotion from the waitlist: a position's waitlisted sign-ups, oldest first.
            models.Index(fields=["position", "status", "waitlisted_at"], name="signup_queue_idx"),
            # A volunteer's own sign-ups.
            models.Index(fields=["volunteer", "-created_at"], name="signup_volunteer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.volunteer.number} · {self.get_status_display()}"


class HourRecord(models.Model):
    """The time a volunteer served at an activity: checked in, checked out, then confirmed
    by the organiser. Confirmed periods of one volunteer never overlap, and no period lies
    outside the activity's time (copied here so the database can check it)."""

    class Status(models.TextChoices):
        OPEN = "open", _("已签到")
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    signup = models.OneToOneField(Signup, on_delete=models.CASCADE, related_name="hours")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="hours")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="hours")
    window_start = models.DateTimeField(_("活动开始"))
    window_end = models.DateTimeField(_("活动结束"))
    checked_in_at = models.DateTimeField(_("签到时间"))
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    # [start, end) of the counted time, set at check-out (clamped to the activity's time).
    period = DateTimeRangeField(_("计时区间"), null=True, blank=True)
    minutes = models.PositiveIntegerField(_("服务分钟数"), default=0)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default="open")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("服务时长记录")
        verbose_name_plural = _("服务时长记录")
        ordering = ["-checked_in_at", "id"]
        indexes = [
            # Totals per volunteer per year.
            models.Index(fields=["volunteer", "status", "checked_in_at"], name="hours_total_idx"),
        ]
        constraints = [
            ExclusionConstraint(
                name="hours_not_counted_twice",
                expressions=[
                    ("volunteer", RangeOperators.EQUAL),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=Q(status="confirmed"),
                violation_error_message=_("该时段已计入其他服务记录，不能重复计时。"),
            ),
            models.CheckConstraint(
                condition=Q(period__isnull=True)
                | (
                    Q(period__startswith__gte=F("window_start"))
                    & Q(period__endswith__lte=F("window_end"))
                ),
                name="hours_inside_activity_time",
                violation_error_message=_("服务时间必须在活动时间之内。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(period__isnull=False),
                name="hours_confirmed_have_period",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="hours_out_after_in",
                violation_error_message=_("签退时间不能早于签到时间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer.number} · {self.activity} · {self.minutes} min"
