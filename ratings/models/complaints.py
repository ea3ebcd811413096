"""Complaints with a deadline per stage, handled by officials, answered by the provider (or,
for a subject that is not a provider, by whoever ratings.complaint_subjects names for it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Division
from providers.models import Provider
from services.models import Booking


class Complaint(models.Model):
    """received → accepted / not accepted → investigating → resolved / rejected. Each stage has
    a deadline (`stage_due_at`); the escalation job flags overdue ones to the supervisor."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("已收到")
        ACCEPTED = "accepted", _("已受理")
        NOT_ACCEPTED = "not_accepted", _("不予受理")
        INVESTIGATING = "investigating", _("调查中")
        RESOLVED = "resolved", _("已办结")
        REJECTED = "rejected", _("投诉不成立")

    class Category(models.TextChoices):
        SERVICE_QUALITY = "service_quality", _("服务质量")
        SAFETY = "safety", _("安全问题")
        ABUSE = "abuse", _("虐待或不当对待")
        FEES = "fees", _("收费问题")
        PREPAYMENT = "prepayment", _("预付费纠纷")
        NO_SHOW = "no_show", _("爽约或迟到")
        PRIVACY = "privacy", _("个人信息问题")
        OTHER = "other", _("其他")

    class SubjectKind(models.TextChoices):
        """What the complaint is about. Providers are ratings' own; the other kinds belong to
        later apps, which say in ratings.complaint_subjects who answers for the subject."""

        PROVIDER = "provider", _("服务机构")
        SOCIAL_ORG = "social_org", _("社会组织")
        UNREGISTERED_ORG = "unregistered_org", _("涉嫌非法社会组织")

    OPEN = (Status.RECEIVED, Status.ACCEPTED, Status.INVESTIGATING)

    reference = models.CharField(_("投诉编号"), max_length=20, unique=True)
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints"
    )
    subject_kind = models.CharField(
        _("被投诉对象类型"),
        max_length=16,
        choices=SubjectKind.choices,
        default=SubjectKind.PROVIDER,
    )
    # Set iff subject_kind is provider (complaint_subject_shape).
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    # Any other subject: the owning app's reference (a social organisation's credit code; empty
    # for a body with no registration) and its name as filed.
    subject_ref = models.CharField(_("被投诉对象编号"), max_length=40, blank=True)
    subject_name = models.CharField(_("被投诉对象名称"), max_length=100, blank=True)
    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    # The subject's division when filed (the provider's, the organisation's, or where the
    # unregistered body acts): whose officials handle it.
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("投诉类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("投诉内容"), max_length=2000)
    desired_outcome = models.CharField(_("诉求"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=14, choices=Status.choices, default=Status.RECEIVED
    )
    stage_due_at = models.DateTimeField(_("本阶段办理期限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超期上报时间"), null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_complaints",
    )
    outcome = models.TextField(_("办理结果"), blank=True)
    upheld = models.BooleanField(_("投诉成立"), null=True)
    handling_rating = models.PositiveSmallIntegerField(_("对办理的评价"), null=True, blank=True)
    created_at = models.DateTimeField(_("投诉时间"), default=timezone.now)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        ordering = ["-created_at"]
        indexes = [
            # The officials' board: open complaints in a jurisdiction, by deadline.
            models.Index(
                fields=["division", "status", "stage_due_at"],
                name="complaint_board_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "timestamptz_ops"],
            ),
            # The escalation job.
            models.Index(
                fields=["stage_due_at"],
                name="complaint_overdue_idx",
                condition=Q(status__in=["received", "accepted", "investigating"]),
            ),
            models.Index(fields=["provider", "status"], name="complaint_provider_idx"),
            # The complaints about one non-provider subject (an organisation's own list).
            models.Index(
                fields=["subject_kind", "subject_ref"],
                name="complaint_subject_idx",
                condition=~Q(subject_kind="provider"),
            ),
            models.Index(fields=["resident", "-created_at"], name="complaint_resident_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(handling_rating__isnull=True)
                | Q(handling_rating__gte=1, handling_rating__lte=5),
                name="complaint_rating_range",
            ),
            models.CheckConstraint(
                condition=(Q(subject_kind="provider") & Q(provider__isnull=False))
                | (~Q(subject_kind="provider") & Q(provider__isnull=True) & ~Q(subject_name="")),
                name="complaint_subject_shape",
                violation_error_message=_("投诉对象不完整。"),
            ),
            # A registered social organisation is named by its reference (the credit code).
            models.CheckConstraint(
                condition=~Q(subject_kind="social_org") | ~Q(subject_ref=""),
                name="complaint_social_org_has_ref",
                violation_error_message=_("投诉对象不完整。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_category_display()}"

    @property
    def subject_display(self) -> str:
        """The name of what the complaint is about, whatever its kind."""
        if self.provider_id is not None:
            return self.provider.name
        return self.subject_name

    @property
    def owning_provider_id(self):
        return self.provider_id

    @property
    def jurisdiction_code(self) -> str:
        return self.division_id

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class ComplaintEvent(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=14, blank=True, choices=Complaint.Status.choices)
    to_status = models.CharField(max_length=14, choices=Complaint.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("投诉办理记录")
        verbose_name_plural = _("投诉办理记录")
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_status or '-'} → {self.to_status}"


class ComplaintMessage(models.Model):
    """The provider's answer (and the resident's or official's messages) inside the case."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("内容"), max_length=2000)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("投诉沟通记录")
        verbose_name_plural = _("投诉沟通记录")
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return self.text[:30]


class ComplaintFile(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("证据材料"), upload_to="private/complaints/")
    content_type = models.CharField(max_length=50)

    class Meta:
        verbose_name = _("投诉证据")
        verbose_name_plural = _("投诉证据")
        ordering = ["complaint", "id"]

    def __str__(self) -> str:
        return f"file {self.pk}"
