"""Service staff (服务人员) and their certificates: what residents and officials can verify."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.privacy import mask_name
from providers.models.organisations import Provider


class StaffMember(models.Model):
    """A person who delivers services for a provider (not necessarily a portal user).

    The ID number is never stored: only a keyed hash (to find duplicates) and a masked form.
    """

    class Gender(models.TextChoices):
        FEMALE = "female", _("女")
        MALE = "male", _("男")

    class Role(models.TextChoices):
        CAREGIVER = "caregiver", _("养老护理员")
        INFANT_CARER = "infant_carer", _("育婴员")
        NURSERY_CARER = "nursery_carer", _("保育员")
        DOMESTIC_WORKER = "domestic_worker", _("家政服务员")
        MATERNITY_NURSE = "maternity_nurse", _("月嫂")
        PHYSICIAN = "physician", _("医师")
        NURSE = "nurse", _("护士")
        THERAPIST = "therapist", _("康复师")
        SOCIAL_WORKER = "social_worker", _("社工")
        TEACHER = "teacher", _("教师")
        COACH = "coach", _("教练")
        MANAGER = "manager", _("管理人员")

    class BackgroundCheck(models.TextChoices):
        NOT_CHECKED = "not_checked", _("未核查")
        PENDING = "pending", _("核查中")
        VERIFIED = "verified", _("无犯罪记录（已核查）")
        FAILED = "failed", _("核查未通过")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    role = models.CharField(_("岗位"), max_length=20, choices=Role.choices)
    id_number_hash = models.CharField(_("身份证号摘要"), max_length=64, editable=False)
    id_number_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, editable=False)
    years_of_experience = models.PositiveSmallIntegerField(_("从业年限"), default=0)
    languages = ArrayField(
        models.CharField(max_length=20), verbose_name=_("语言/方言"), default=list, blank=True
    )
    health_certificate_expires = models.DateField(_("健康证有效期至"), null=True, blank=True)
    background_check = models.CharField(
        _("背景核查"),
        max_length=12,
        choices=BackgroundCheck.choices,
        default=BackgroundCheck.NOT_CHECKED,
    )
    background_checked_on = models.DateField(_("核查日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在职"), default=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务人员")
        verbose_name_plural = _("服务人员")
        ordering = ["provider", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "id_number_hash"],
                name="staff_once_per_provider",
                violation_error_message=_("该人员已在本机构登记。"),
            ),
            models.CheckConstraint(
                condition=~Q(background_check="verified") | Q(background_checked_on__isnull=False),
                name="staff_verified_check_has_date",
                violation_error_message=_("已核查的背景核查必须有核查日期。"),
            ),
        ]
        indexes = [models.Index(fields=["provider", "is_active"], name="staff_provider_active_idx")]

    def __str__(self) -> str:
        return f"{self.masked_name} · {self.get_role_display()}"

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    @property
    def owning_provider_id(self):
        return self.provider_id

    def health_certificate_valid_on(self, day: dt.date) -> bool:
        return (
            self.health_certificate_expires is not None and self.health_certificate_expires >= day
        )

    @property
    def health_certificate_valid(self) -> bool:
        return self.health_certificate_valid_on(timezone.localdate())


class Certificate(models.Model):
    """A professional certificate held by a staff member, verifiable by its number."""

    class Kind(models.TextChoices):
        ELDERCARE_WORKER = "eldercare_worker", _("养老护理员职业技能等级证书")
        INFANT_CARER = "infant_carer", _("育婴员职业技能等级证书")
        NURSERY_CARER = "nursery_carer", _("保育师职业技能等级证书")
        DOMESTIC_WORKER = "domestic_worker", _("家政服务员职业技能等级证书")
        MATERNITY_NURSE = "maternity_nurse", _("母婴护理员职业技能等级证书")
        PHYSICIAN = "physician", _("医师执业证书")
        NURSE = "nurse", _("护士执业证书")
        THERAPIST = "therapist", _("康复医学治疗技术资格证书")
        SOCIAL_WORKER = "social_worker", _("社会工作者职业资格证书")
        HEALTH_MANAGER = "health_manager", _("健康管理师职业技能等级证书")
        TEACHER = "teacher", _("教师资格证书")
        COACH = "coach", _("社会体育指导员证书")

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(_("证书类型"), max_length=30, choices=Kind.choices)
    number = models.CharField(_("证书编号"), max_length=60)
    issuer = models.CharField(_("发证机构"), max_length=100)
    level = models.CharField(_("等级"), max_length=20, blank=True)
    issued_on = models.DateField(_("发证日期"), null=True, blank=True)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资格证书")
        verbose_name_plural = _("资格证书")
        ordering = ["staff", "kind"]
        constraints = [
            # Per person: the same certificate may be on file at an old and a new employer.
            models.UniqueConstraint(
                fields=["staff", "kind", "number"],
                name="certificate_once_per_staff",
                violation_error_message=_("该证书编号已登记。"),
            ),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(expires_on__gte=models.F("issued_on")),
                name="certificate_valid_range",
                violation_error_message=_("有效期至不能早于发证日期。"),
            ),
        ]
        # Public verification looks certificates up by number alone.
        indexes = [models.Index(fields=["number"], name="certificate_number_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    @property
    def owning_provider_id(self):
        return self.staff.provider_id

    def is_valid_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= day)
