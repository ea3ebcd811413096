"""Serializers of the open-data API (public catalogue and the authenticated workflow)."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from openData.models import AccessApplication, Dataset, Release, ReleaseFile, Run


def download_url(dataset_slug: str, version: int, name: str) -> str:
    base = f"{settings.PORTAL_BASE_URL}/api/open/v1/datasets/{dataset_slug}"
    return f"{base}/releases/{version}/files/{name}"


class ReleaseFileSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    media_type = serializers.CharField(read_only=True)

    class Meta:
        model = ReleaseFile
        fields = [
            "name",
            "resource",
            "format",
            "media_type",
            "size",
            "sha256",
            "rows",
            "download_url",
        ]

    def get_download_url(self, obj: ReleaseFile) -> str:
        return download_url(self.context["slug"], obj.release.version, obj.name)


class ReleaseSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = ["version", "published_at", "row_count", "resources", "change_summary", "files"]

    def get_files(self, obj: Release) -> list[dict]:
        context = {**self.context, "slug": obj.dataset.slug}
        return ReleaseFileSerializer(obj.files.all(), many=True, context=context).data


class DatasetSerializer(serializers.ModelSerializer):
    access_label = serializers.CharField(source="get_access_display", read_only=True)
    publisher_label = serializers.CharField(source="get_publisher_display", read_only=True)
    periodicity_label = serializers.CharField(source="get_periodicity_display", read_only=True)
    formats = serializers.ListField(child=serializers.CharField(), read_only=True)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "title",
            "title_en",
            "description",
            "description_en",
            "publisher",
            "publisher_label",
            "contact_name",
            "contact_phone",
            "themes",
            "keywords",
            "spatial",
            "temporal_start",
            "temporal_end",
            "periodicity",
            "periodicity_label",
            "licence",
            "access",
            "access_label",
            "legal_basis",
            "next_release_at",
            "formats",
            "latest_version",
        ]

    def get_latest_version(self, obj: Dataset) -> int | None:
        latest = getattr(obj, "latest", None)
        return latest.version if latest is not None else None


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class DatasetSearchSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = DatasetSerializer(many=True)
    facets = serializers.DictField(child=FacetValueSerializer(many=True))


class ApplicationSerializer(serializers.ModelSerializer):
    dataset = serializers.SlugRelatedField(slug_field="slug", queryset=Dataset.objects.all())
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    agreement_accepted = serializers.BooleanField()

    class Meta:
        model = AccessApplication
        fields = [
            "id",
            "dataset",
            "organisation_name",
            "credit_code",
            "purpose",
            "fields",
            "duration_days",
            "security_measures",
            "agreement_accepted",
            "status",
            "status_label",
            "decision_note",
            "valid_from",
            "valid_until",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "decision_note",
            "valid_from",
            "valid_until",
            "created_at",
        ]


class DecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class IssuedKeySerializer(serializers.Serializer):
    prefix = serializers.CharField()
    secret = serializers.CharField(help_text="Shown once; send it as the X-API-Key header.")
    valid_until = serializers.DateField()
    rate_per_minute = serializers.IntegerField()


class PublicationRunSerializer(serializers.ModelSerializer):
    dataset = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    version = serializers.SerializerMethodField()

    class Meta:
        model = Run
        fields = [
            "id",
            "dataset",
            "trigger",
            "status",
            "status_label",
            "stage",
            "progress",
            "attempts",
            "gate_report",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "version",
        ]

    def get_version(self, obj: Run) -> int | None:
        release = getattr(obj, "release", None) if obj.status == Run.Status.PUBLISHED else None
        return release.version if release is not None else None
