"""The audit log: one row per sensitive action or read of personal data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# People read actions on their my-data page; apps add theirs with register_action().
ACTION_LABELS: dict[str, str] = {
    "personal_data.read": _("查看个人信息"),
    "account.signup": _("注册账户"),
    "account.erased": _("注销账户"),
    "account.retention_purged": _("保留期满，留存记录已匿名化"),
    "provider.created": _("创建机构"),
    "provider.viewed": _("查看机构信息"),
    "account.password_changed": _("修改密码"),
}


def register_action(action: str, label) -> None:
    ACTION_LABELS[action] = label


# Why someone other than the person read their personal data (the "why" of a read entry,
# kept in detail["purpose"]). Every read of personal data names one of these.
PURPOSE_LABELS: dict[str, str] = {
    "booking_fulfilment": _("提供所预约的服务"),
    "complaint_handling": _("办理投诉"),
    "referral_follow_up": _("跟进代办转介"),
    "platform_administration": _("平台账户管理"),
    "staff_management": _("机构人员管理"),
    "registration_review": _("机构注册审核与监管"),
}

# What was read (detail["fields"]), in words people understand.
FIELD_LABELS: dict[str, str] = {
    "name": _("姓名"),
    "phone": _("手机号码"),
    "email": _("电子邮箱"),
    "address": _("地址"),
    "care_notes": _("健康与照护说明"),
    "note": _("预约备注"),
    "description": _("投诉内容"),
    "proxy_name": _("服务对象姓名"),
    "proxy_phone": _("服务对象电话"),
    "proxy_address": _("服务对象住址"),
    "legal_representative": _("法定代表人"),
}


def register_purpose(purpose: str, label) -> None:
    PURPOSE_LABELS[purpose] = label


def register_field(field: str, label) -> None:
    FIELD_LABELS[field] = label


class AuditEntry(models.Model):
    """An append-only record: who (actor), did what (action), to which object, when, from where."""

    at = models.DateTimeField(_("时间"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    actor_role = models.CharField(_("操作人角色"), max_length=20, blank=True)
    action = models.CharField(_("动作"), max_length=60)
    target_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    # The person whose personal data was read or changed, so they can see who looked at it.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("数据主体"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries_about_me",
    )
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-id"]
        indexes = [
            # History of one object ("who saw this booking").
            models.Index(fields=["target_type", "target_id", "-at"], name="audit_target_idx"),
            # What one official or staff member did.
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            # Who read my data (personal-data rights page and export).
            models.Index(fields=["subject", "-at"], name="audit_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}#{self.target_id}"

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))

    @property
    def purpose_label(self) -> str:
        purpose = (self.detail or {}).get("purpose", "")
        return str(PURPOSE_LABELS.get(purpose, purpose))

    @property
    def field_labels(self) -> list[str]:
        return [str(FIELD_LABELS.get(f, f)) for f in (self.detail or {}).get("fields", [])]
