"""Match runs and the candidates they propose, with the score broken down."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.models.needs import Need
from portal.accounts.models import Division
from providers.domains import Domain
from providers.models import Provider
from services.models import Booking, Listing, Slot


class MatchRun(models.Model):
    """One run over the open needs of a scope (a domain in a division, or one need). Its
    candidates become visible together when it succeeds; a failed run shows none."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        SUCCEEDED = "succeeded", _("已完成")
        FAILED = "failed", _("失败")

    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices, blank=True)
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.CASCADE, related_name="own_runs"
    )
    parameters = models.JSONField(_("参数"), default=dict)
    # What the run read (need ids and versions, listing and slot state), and its digest: the
    # same digest gives the same result.
    inputs = models.JSONField(_("输入快照"), default=dict)
    inputs_digest = models.CharField(max_length=64, blank=True, db_index=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    counts = models.JSONField(_("统计"), default=dict)
    timings = models.JSONField(_("耗时"), default=dict)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("匹配运行")
        verbose_name_plural = _("匹配运行")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="run_status_idx")]

    def __str__(self) -> str:
        return f"run {self.pk} {self.status}"


class Candidate(models.Model):
    """A listing proposed for a need by a run: rank 0 is the assignment (capacity-aware,
    across all needs), the rest are alternatives. `components` explains the score."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("推荐中")
        ACCEPTED = "accepted", _("已接受")
        DECLINED = "declined", _("已婉拒")
        SUPERSEDED = "superseded", _("已失效")

    class ProviderDecision(models.TextChoices):
        PENDING = "pending", _("待机构答复")
        ACCEPTED = "accepted", _("机构已接单")
        DECLINED = "declined", _("机构已婉拒")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="candidates")
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="candidates")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="leads")
    slot = models.ForeignKey(
        Slot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("排序"))
    assigned = models.BooleanField(_("分配结果"), default=False)
    score = models.FloatField(_("匹配分"))
    components = models.JSONField(_("得分构成"), default=dict)
    reasons = models.JSONField(_("推荐理由"), default=list)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    provider_decision = models.CharField(
        _("机构答复"),
        max_length=10,
        choices=ProviderDecision.choices,
        default=ProviderDecision.PENDING,
    )
    respond_by = models.DateTimeField(_("答复期限"), null=True, blank=True)
    decline_reason = models.CharField(_("婉拒原因"), max_length=300, blank=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("匹配候选")
        verbose_name_plural = _("匹配候选")
        ordering = ["need", "run", "rank"]
        indexes = [
            # The need page: the latest run's candidates in rank order.
            models.Index(fields=["need", "run", "rank"], name="candidate_need_idx"),
            # The provider's leads.
            models.Index(
                fields=["provider", "provider_decision", "-created_at"], name="candidate_lead_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["run", "need", "rank"], name="candidate_rank_once"),
            models.UniqueConstraint(
                fields=["run", "need"],
                condition=Q(assigned=True),
                name="candidate_one_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need_id} → {self.listing_id} ({self.score:.2f})"

    @property
    def owning_provider_id(self):
        return self.provider_id
