"""What a resident keeps on file to book: family members they book for, and saved addresses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.privacy import mask_address, mask_name


class Dependant(models.Model):
    """A family member a resident books for (子女代订). Booking for them needs either their
    recorded consent or the resident being their guardian (a child, a person without capacity)."""

    class Relationship(models.TextChoices):
        PARENT = "parent", _("父母")
        GRANDPARENT = "grandparent", _("祖父母/外祖父母")
        SPOUSE = "spouse", _("配偶")
        CHILD = "child", _("子女")
        GRANDCHILD = "grandchild", _("孙子女/外孙子女")
        OTHER = "other", _("其他亲属")

    class Authority(models.TextChoices):
        CONSENT = "consent", _("本人已同意代为预约")
        GUARDIAN = "guardian", _("我是其监护人")

    class Gender(models.TextChoices):
        FEMALE = "female", _("女")
        MALE = "male", _("男")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dependants"
    )
    name = models.CharField(_("姓名"), max_length=50)
    relationship = models.CharField(_("关系"), max_length=20, choices=Relationship.choices)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    care_notes = models.CharField(_("健康与照护说明"), max_length=300, blank=True)
    authority = models.CharField(_("代订依据"), max_length=10, choices=Authority.choices)
    authority_recorded_at = models.DateTimeField(_("依据记录时间"), default=timezone.now)
    created_at = models.DateTimeField(_("添加时间"), default=timezone.now)
    removed_at = models.DateTimeField(_("移除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["owner", "created_at", "id"]
        indexes = [
            # "My family members" (active ones).
            models.Index(fields=["owner", "removed_at"], name="dependant_owner_idx"),
        ]

    def __str__(self) -> str:
        return _("%(name)s（%(relationship)s）") % {
            "name": mask_name(self.name),
            "relationship": self.get_relationship_display(),
        }

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class Address(models.Model):
    """A saved service address (home, a parent's home) with its division and coordinates."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    label = models.CharField(_("名称"), max_length=30)
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="+"
    )
    detail = models.CharField(_("详细地址"), max_length=200)
    latitude = models.DecimalField(_("纬度（GCJ-02）"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度（GCJ-02）"), max_digits=9, decimal_places=6)
    is_default = models.BooleanField(_("默认地址"), default=False)
    created_at = models.DateTimeField(_("添加时间"), default=timezone.now)

    class Meta:
        verbose_name = _("常用地址")
        verbose_name_plural = _("常用地址")
        ordering = ["owner", "-is_default", "created_at", "id"]
        indexes = [models.Index(fields=["owner"], name="address_owner_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(is_default=True), name="address_one_default"
            ),
            models.CheckConstraint(
                condition=Q(latitude__gte=3.8, latitude__lte=53.6)
                & Q(longitude__gte=73.4, longitude__lte=135.1),
                name="address_coordinates_in_china",
                violation_error_message=_("坐标不在中国境内，请检查经纬度。"),
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def masked_detail(self) -> str:
        return mask_address(self.detail)
