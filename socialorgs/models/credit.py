"""Licences, penalties, the two credit lists (活动异常名录, 严重违法失信名单), the exposure list of
illegal social organisations (非法社会组织), and the credit events they make. The events are
scored with ratings' credit arithmetic (socialorgs.services.credit)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from ratings.models.credit import CreditEventBase, CreditListEntryBase
from socialorgs.models.registry import SocialOrganisation


class OrgCreditEvent(CreditEventBase):
    """A fact that moves an organisation's credit, like ratings.CreditEvent for a provider
    (the same fields and arithmetic). `source` names what caused it ("penalty:12",
    "report-overdue:2025"), so the same fact is never recorded twice."""

    class Kind(models.TextChoices):
        PENALTY = "penalty", _("行政处罚")
        ABNORMAL_LISTED = "abnormal_listed", _("列入活动异常名录")
        SERIOUS_LISTED = "serious_listed", _("列入严重违法失信名单")
        REPORT_OVERDUE = "report_overdue", _("年报逾期未报")
        REPORT_UNQUALIFIED = "report_unqualified", _("年报不合格")
        COMPLAINT_UPHELD = "complaint_upheld", _("投诉经查属实")
        DISCLOSURE_OVERDUE = "disclosure_overdue", _("信息公开逾期")
        GOOD_EVALUATION = "good_evaluation", _("评估等级4A及以上")
        COMMENDATION = "commendation", _("表彰奖励")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="credit_events"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("社会组织信用记录")
        verbose_name_plural = _("社会组织信用记录")
        ordering = ["organisation", "-occurred_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "-occurred_on"], name="orgcredit_org_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "source"], name="orgcredit_once"),
        ]


class OrgLicence(models.Model):
    """An administrative licence (行政许可) granted to the organisation."""

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="licences"
    )
    name = models.CharField(_("许可名称"), max_length=100)
    number = models.CharField(_("许可文书编号"), max_length=60)
    issued_by = models.CharField(_("许可机关"), max_length=100)
    issued_on = models.DateField(_("许可日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    content = models.CharField(_("许可内容"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("行政许可")
        verbose_name_plural = _("行政许可")
        ordering = ["organisation", "-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issued_by", "number"], name="orglicence_number_once"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=F("issued_on")),
                name="orglicence_validity_after",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.number}"


class Penalty(models.Model):
    """An administrative penalty (行政处罚). Recording it makes a credit event."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("警告")
        FINE = "fine", _("罚款")
        CONFISCATION = "confiscation", _("没收违法所得、非法财产")
        SUSPENSION = "suspension", _("限期停止活动")
        REVOCATION = "revocation", _("撤销登记")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="penalties"
    )
    decision_number = models.CharField(_("处罚决定书文号"), max_length=60, unique=True)
    kind = models.CharField(_("处罚种类"), max_length=14, choices=Kind.choices)
    facts = models.TextField(_("违法事实"), max_length=2000)
    basis = models.CharField(_("处罚依据"), max_length=300)
    amount_fen = models.PositiveBigIntegerField(_("罚没金额（分）"), default=0)
    decided_on = models.DateField(_("处罚决定日期"))
    decided_by = models.CharField(_("处罚机关"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("行政处罚")
        verbose_name_plural = _("行政处罚")
        ordering = ["organisation", "-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="fine") | Q(kind="confiscation") | Q(amount_fen=0),
                name="penalty_amount_only_for_money",
            ),
        ]

    def __str__(self) -> str:
        return self.decision_number

    @property
    def amount_yuan(self) -> str:
        """The sum of money in yuan with two decimals ("" for a penalty without one)."""
        if not self.amount_fen:
            return ""
        return f"{self.amount_fen // 100:,}.{self.amount_fen % 100:02d}"

    @property
    def jurisdiction_code(self) -> str:
        return self.organisation.division_id


class OrgListEntry(CreditListEntryBase):
    """活动异常名录 or 严重违法失信名单, with reason, basis and period. Entering one records a
    credit event and sets the organisation's standing; ending it restores the standing."""

    class List(models.TextChoices):
        ABNORMAL = "abnormal", _("活动异常名录")
        SERIOUS = "serious", _("严重违法失信名单")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="list_entries"
    )
    list = models.CharField(_("名单"), max_length=8, choices=List.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("社会组织信用名单")
        verbose_name_plural = _("社会组织信用名单")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gt=F("starts_on")),
                name="orglist_period",
                violation_error_message=_("移出日期应晚于列入日期。"),
            ),
            models.UniqueConstraint(
                fields=["organisation", "list"],
                condition=Q(removed_at__isnull=True),
                name="orglist_one_active",
                violation_error_message=_("该组织已在此名单中。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_list_display()} {self.organisation}"

    @property
    def jurisdiction_code(self) -> str:
        return self.organisation.division_id


class IllegalOrganisation(models.Model):
    """A body acting as a social organisation without registration (非法社会组织), exposed
    publicly by officials so residents are not taken in."""

    class Status(models.TextChoices):
        EXPOSED = "exposed", _("已曝光")
        BANNED = "banned", _("已取缔")
        WITHDRAWN = "withdrawn", _("已撤回")

    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("活动情况"), max_length=2000)
    division = models.ForeignKey(
        Division, verbose_name=_("活动区划"), on_delete=models.PROTECT, related_name="+"
    )
    basis = models.CharField(_("认定依据"), max_length=300)
    exposed_on = models.DateField(_("曝光日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default="exposed")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("非法社会组织")
        verbose_name_plural = _("非法社会组织")
        ordering = ["-exposed_on", "-id"]
        indexes = [
            models.Index(
                fields=["division", "status"],
                name="illegalorg_division_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id
