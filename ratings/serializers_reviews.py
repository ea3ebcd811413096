"""API serializers for reviews. Input serializers only parse; the rules are in
ratings.services.reviews. Reviewer names are always masked."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from portal.privacy import mask_name
from ratings.models import Review, ReviewReply, ReviewReport
from ratings.services.reviews import MODERATION_ACTIONS


class ReviewCreateSerializer(serializers.Serializer):
    """JSON, or multipart with `dimensions` as a JSON string and `photos` repeated."""

    overall = serializers.IntegerField(help_text="1–5")
    dimensions = serializers.JSONField(
        help_text='{"attitude": 5, "skill": 4, "punctuality": 5, "hygiene": 4, "value": 4}; '
        "home and health services rate `safety` instead of `hygiene`."
    )
    text = serializers.CharField(required=False, allow_blank=True, default="")
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text="PNG/JPEG ≤ 5 MB"
    )


class ReplyOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewReply
        fields = ["id", "review", "text", "created_at"]


class ReviewSerializer(serializers.ModelSerializer):
    """A review as the public sees it (the reviewer's name masked)."""

    reviewer = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "listing",
            "reviewer",
            "overall",
            "dimensions",
            "text",
            "status",
            "photos",
            "reply",
            "created_at",
        ]

    def get_reviewer(self, review) -> str:
        return mask_name(review.resident.name)

    def get_photos(self, review) -> list[str]:
        return [reverse("ratings:review-photo", args=[p.pk]) for p in review.photos.all()]

    def get_reply(self, review) -> dict | None:
        reply = getattr(review, "reply", None)
        return None if reply is None else {"text": reply.text, "created_at": reply.created_at}


class ReplySerializer(serializers.Serializer):
    text = serializers.CharField()


class ReportSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReportOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewReport
        fields = ["id", "review", "created_at"]


class ModerateSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=MODERATION_ACTIONS)
    reason = serializers.CharField()


class ModeratedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "status", "moderation_reason", "held_words"]
