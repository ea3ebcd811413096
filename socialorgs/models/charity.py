"""Charity transparency (善款全过程有迹可查): fundraising projects, their ledger of donations and
disbursements as a hash chain, and the information-disclosure items with deadlines."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialorgs.models.registry import SocialOrganisation

# prev_hash of a project's first entry, and head_hash of a project without entries.
GENESIS_HASH = "0" * 64


class FundraisingProject(models.Model):
    """A public fundraising project (公开募捐方案) filed with the 民政 office (备案)."""

    class Status(models.TextChoices):
        OPEN = "open", _("募捐中")
        CLOSED = "closed", _("已结束")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="fundraising_projects"
    )
    filing_number = models.CharField(_("备案编号"), max_length=40, unique=True)
    title = models.CharField(_("项目名称"), max_length=100)
    purpose = models.TextField(_("募捐目的及用途"), max_length=2000)
    beneficiary_group = models.CharField(_("受益人群"), max_length=100)
    target_fen = models.PositiveBigIntegerField(_("募捐目标（分）"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default="open")
    closed_on = models.DateField(_("结束募捐日期"), null=True, blank=True)
    # The chain's anchor, written when the project is filed (0 entries, GENESIS_HASH) and with
    # each append under the project's row lock: how many entries there are and the last one's
    # hash, MAC'd with SOCIALORG_CHAIN_KEY. A deleted last entry, a chain rewritten from some
    # entry on, or one deleted whole (count and head reset) no longer matches it.
    entry_count = models.PositiveIntegerField(_("流向记录数"), default=0)
    head_hash = models.CharField(_("最新记录哈希"), max_length=64, default=GENESIS_HASH)
    anchor_mac = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("募捐项目")
        verbose_name_plural = _("募捐项目")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="fundraising_period",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(condition=Q(target_fen__gt=0), name="fundraising_target"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def jurisdiction_code(self) -> str:
        return self.organisation.division_id


class ChainEntry(models.Model):
    """One donation or disbursement of a project, appended to the project's hash chain.

    `entry_hash` = SHA-256 over the entry's canonical public fields, the digest of its private
    fields (`private_digest`: the donor's or beneficiary's real name, keyed) and `prev_hash`
    (the previous entry's hash; 64 zeros for seq 1). Verification recomputes every hash in
    seq order (socialorgs.services.charity), so a changed, deleted or reordered row breaks
    the chain. Rows are append-only (a database trigger refuses UPDATE and DELETE)."""

    class Kind(models.TextChoices):
        DONATION = "donation", _("捐赠")
        DISBURSEMENT = "disbursement", _("拨付")

    class Party(models.TextChoices):
        """Who gave or received: a person's name is personal data (masked for the public),
        a company's or an organisation's name is public (shown in full)."""

        PERSON = "person", _("个人")
        ORGANISATION = "organisation", _("单位")

    project = models.ForeignKey(
        FundraisingProject, on_delete=models.PROTECT, related_name="entries"
    )
    seq = models.PositiveIntegerField(_("序号"))
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    occurred_on = models.DateField(_("发生日期"))
    # Donation: the donor (a person or a company). Personal data unless a company.
    donor_name = models.CharField(_("捐赠人"), max_length=100, blank=True)
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="donations",
    )
    # Disbursement: who received it (personal data, shown masked) and what for.
    beneficiary_name = models.CharField(_("受益人"), max_length=100, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    party_kind = models.CharField(
        _("捐赠人或受益人类型"), max_length=12, choices=Party.choices, default=Party.PERSON
    )
    # What the public sees for the donor or beneficiary: "匿名爱心人士", "张*", a company name.
    public_name = models.CharField(_("公示名称"), max_length=100)
    # A receipt code the donor keeps to find their donation on the traced flow.
    receipt_code = models.CharField(_("捐赠凭证号"), max_length=20, blank=True)
    private_digest = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)
    # The submitting form's or API client's key: the same submission twice records once.
    request_key = models.CharField(max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("善款流向记录")
        verbose_name_plural = _("善款流向记录")
        ordering = ["project", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["project", "seq"], name="chain_seq_once"),
            models.UniqueConstraint(
                fields=["receipt_code"],
                condition=~Q(receipt_code=""),
                name="chain_receipt_once",
            ),
            models.UniqueConstraint(
                fields=["project", "request_key"],
                condition=~Q(request_key=""),
                name="chain_request_once",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="chain_amount_positive"),
            models.CheckConstraint(condition=Q(seq__gte=1), name="chain_seq_positive"),
            models.CheckConstraint(
                condition=Q(kind="donation", beneficiary_name="")
                | Q(kind="disbursement", donor_name="", anonymous=False, donor__isnull=True),
                name="chain_entry_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}#{self.seq} {self.get_kind_display()}"


class DonationPledge(models.Model):
    """A resident's online donation before the money arrived (认捐): it is not on the chain
    and adds nothing to the project's balance. The resident pays through the charity's
    published fundraising account or a designated internet fundraising platform; the
    organisation's owner or a manager confirms receipt (the donation is then appended to the
    chain, `entry`) or cancels it (the money never came). States change only through
    socialorgs.services.charity.pledges."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待确认到账")
        CONFIRMED = "confirmed", _("已到账")
        CANCELLED = "cancelled", _("已取消")

    project = models.ForeignKey(
        FundraisingProject, on_delete=models.CASCADE, related_name="pledges"
    )
    donor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="donation_pledges"
    )
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    anonymous = models.BooleanField(_("匿名捐赠"), default=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # The donate form's or API client's key: the same submission twice pledges once.
    request_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("认捐时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entry = models.OneToOneField(
        ChainEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="pledge"
    )
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("在线认捐")
        verbose_name_plural = _("在线认捐")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The ledger desk's list of a project's pledges waiting for the money.
            models.Index(
                fields=["project", "created_at"],
                name="pledge_pending_idx",
                condition=Q(status="pending"),
            ),
            # A donor's own pledges, newest first (the donate page, the API, the export).
            models.Index(fields=["donor", "-created_at"], name="pledge_donor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "request_key"],
                name="pledge_request_once",
                violation_error_message=_("该提交编号已用于另一笔认捐。"),
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="pledge_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True, entry__isnull=True)
                | Q(status="confirmed", decided_at__isnull=False, entry__isnull=False)
                | Q(status="cancelled", decided_at__isnull=False, entry__isnull=True),
                name="pledge_status_fields",
                violation_error_message=_("认捐状态与到账记录不一致。"),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled") | Q(cancel_reason=""),
                name="pledge_reason_if_cancelled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_status_display()}"

    @property
    def reference(self) -> str:
        """What the donor writes in the payment's note, so the charity can match the money."""
        return f"RJ{self.pk:08d}" if self.pk else ""


class DisclosureItem(models.Model):
    """An information-disclosure duty (信息公开) with its deadline: the organisation publishes
    the item by `due_on`; an overdue job flags those still unpublished."""

    class Kind(models.TextChoices):
        ANNUAL_WORK_REPORT = "annual_work", _("年度工作报告")
        FINANCIAL_REPORT = "financial", _("财务会计报告")
        PROJECT_PROGRESS = "progress", _("项目进展")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.CASCADE, related_name="disclosures"
    )
    project = models.ForeignKey(
        FundraisingProject,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="disclosures",
    )
    kind = models.CharField(_("公开事项"), max_length=12, choices=Kind.choices)
    period = models.CharField(_("所属期间"), max_length=20)
    due_on = models.DateField(_("公开期限"))
    content = models.TextField(_("公开内容"), max_length=10000, blank=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("信息公开事项")
        verbose_name_plural = _("信息公开事项")
        ordering = ["organisation", "due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"],
                name="disclosure_pending_idx",
                condition=Q(published_at__isnull=True),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "project", "kind", "period"],
                name="disclosure_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | ~Q(content=""),
                name="disclosure_published_has_content",
            ),
            models.CheckConstraint(
                condition=~Q(kind="progress") | Q(project__isnull=False),
                name="disclosure_progress_has_project",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"

    @property
    def jurisdiction_code(self) -> str:
        return self.organisation.division_id
