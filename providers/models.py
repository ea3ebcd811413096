"""Provider organisations and staff membership.

The foundation holds what the permission layer needs (an organisation with a division and a
review status, and who works for it); registration, licences, branches and staff records arrive
with the providers issue.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from portal.identifiers import validate_credit_code


class Provider(models.Model):
    """A service organisation (养老机构, 托育机构, 家政企业, 医疗机构 ...)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已通过")
        REJECTED = "rejected", _("未通过")
        RETURNED = "returned", _("退回修改")
        SUSPENDED = "suspended", _("暂停")
        REVOKED = "revoked", _("撤销")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("机构名称"), max_length=100)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    division = models.ForeignKey(
        Division, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="providers"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

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
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_code__regex=r"^[0-9A-HJ-NPQRTUWXY]{18}$"),
                name="provider_credit_code_alphabet",
                violation_error_message=_("统一社会信用代码格式不正确。"),
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
