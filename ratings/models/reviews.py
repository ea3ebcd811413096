"""Verified reviews of completed bookings, replies, reports, and the quality scores they feed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from providers.domains import Domain
from providers.models import Provider
from services.models import Booking, Listing


class Review(models.Model):
    """One resident's review of one completed booking: an overall rating and per-dimension
    ratings (1–5), text, photos. Held for moderation when it contains a listed word."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("已发布")
        HELD = "held", _("待审核")
        HIDDEN = "hidden", _("已隐藏")

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="review")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="reviews")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reviews")
    domain = models.CharField(_("领域"), max_length=20, choices=Domain.choices)
    overall = models.PositiveSmallIntegerField(_("总体评分"))
    # {"attitude": 5, "skill": 4, ...}: the dimensions of the domain (ratings.dimensions).
    dimensions = models.JSONField(_("分项评分"), default=dict)
    text = models.TextField(_("评价内容"), blank=True, max_length=1000)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    held_words = models.JSONField(_("命中敏感词"), default=list, blank=True)
    moderation_reason = models.CharField(_("处理原因"), max_length=300, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at", "-id"]
        indexes = [
            # A listing's and a provider's published reviews, newest first; the score job.
            models.Index(fields=["listing", "status", "-created_at"], name="review_listing_idx"),
            models.Index(fields=["provider", "status", "-created_at"], name="review_provider_idx"),
            # The moderation queue.
            models.Index(fields=["status", "created_at"], name="review_moderation_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(overall__gte=1, overall__lte=5),
                name="review_overall_range",
                violation_error_message=_("评分应为 1 到 5。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.listing} ★{self.overall}"

    @property
    def owning_provider_id(self):
        return self.provider_id


class ReviewPhoto(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("图片"), upload_to="private/reviews/")
    content_type = models.CharField(max_length=50)

    class Meta:
        verbose_name = _("评价图片")
        verbose_name_plural = _("评价图片")
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return f"photo {self.pk}"


class ReviewReply(models.Model):
    """The provider's one public reply."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("回复内容"), max_length=1000)
    created_at = models.DateTimeField(_("回复时间"), default=timezone.now)

    class Meta:
        verbose_name = _("机构回复")
        verbose_name_plural = _("机构回复")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:30]


class ReviewReport(models.Model):
    """Anyone may report a review; reports put it in the officials' moderation queue."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("举报原因"), max_length=300)
    created_at = models.DateTimeField(_("举报时间"), default=timezone.now)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评价举报")
        verbose_name_plural = _("评价举报")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["review"], name="report_open_idx", condition=Q(resolved_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.reason[:30]


class QualityScore(models.Model):
    """A listing's or a provider's resident score: a time-decayed Bayesian average with its
    review count and per-dimension breakdown (ratings.services.scores)."""

    class Subject(models.TextChoices):
        LISTING = "listing", _("服务项目")
        PROVIDER = "provider", _("服务机构")

    subject = models.CharField(max_length=10, choices=Subject.choices)
    listing = models.OneToOneField(
        Listing, null=True, blank=True, on_delete=models.CASCADE, related_name="quality"
    )
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="quality_scores")
    score = models.FloatField(_("质量评分"))
    review_count = models.PositiveIntegerField(_("评价数"))
    dimensions = models.JSONField(_("分项得分"), default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("质量评分")
        verbose_name_plural = _("质量评分")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=Q(subject="provider"),
                name="quality_one_per_provider",
            ),
            models.CheckConstraint(
                condition=(Q(subject="listing") & Q(listing__isnull=False))
                | (Q(subject="provider") & Q(listing__isnull=True)),
                name="quality_subject_matches",
            ),
        ]
        indexes = [
            # The officials' risk list: low scores in a jurisdiction.
            models.Index(fields=["subject", "score"], name="quality_low_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.score:.2f} ({self.review_count})"
