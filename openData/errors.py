"""The open-data app's domain error and its user-facing messages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.errors import DomainError

MESSAGES = {
    "not_published": _("该数据集不予开放，不生成数据发布版本。"),
    "run_in_flight": _("该数据集已有发布任务正在进行，请等待其完成。"),
    "not_steward": _("您不是该数据集发布部门的数据管理人员。"),
    "not_conditional": _("只有“有条件开放”的数据集需要申请。"),
    "already_applied": _("您对该数据集已有待审核或有效的申请。"),
    "agreement_required": _("须阅读并同意数据使用协议。"),
    "unknown_fields": _("所选字段不属于该数据集：%(fields)s"),
    "no_fields": _("请至少选择一个所需字段。"),
    "not_pending": _("该申请已处理，不能再次审核。"),
    "note_required": _("不批准时请填写理由。"),
    "not_approved": _("申请尚未批准或已失效，不能生成密钥。"),
    "not_yours": _("这不是您的申请。"),
    "not_revocable": _("只有已批准的申请可以撤销。"),
    "unknown_run": _("发布任务不存在。"),
    "unknown_dataset": _("数据集不存在。"),
    "applicant_role": _("监管人员不能以机构名义申请数据。"),
}


class OpenDataError(DomainError):
    """A rule of the open-data catalogue refused an action."""

    def __init__(self, code: str, *, field: str | None = None, status: int = 400, **params):
        message = MESSAGES[code]
        super().__init__(message % params if params else message, code=code, field=field)
        self.status = status
