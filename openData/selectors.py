"""Read paths of the open-data catalogue."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, Q, QuerySet, When
from django.utils import timezone

from openData.models import AccessApplication, ApiKey, Dataset, KeyUse, Release, ReleaseFile, Run
from openData.services.catalogue import can_steward
from portal.accounts.permissions import is_platform_admin

PUBLIC_FORMATS = ["csv", "json", "xlsx", "hsds", "datapackage"]
FORMAT_LABELS = dict(ReleaseFile.Format.choices)


def _latest_release_files() -> Prefetch:
    return Prefetch(
        "releases",
        queryset=Release.objects.order_by("-version").prefetch_related("files"),
        to_attr="release_list",
    )


def dataset_list() -> QuerySet[Dataset]:
    """Every catalogue entry (不予开放 ones are listed too, with their legal basis)."""
    return Dataset.objects.annotate(release_count=Count("releases")).order_by("slug")


def dataset_formats(dataset: Dataset) -> list[str]:
    """The formats of the dataset's latest release."""
    releases = getattr(dataset, "release_list", None)
    if releases is None:
        releases = list(dataset.releases.order_by("-version")[:1])
    if not releases:
        return []
    present = {f.format for f in releases[0].files.all()}
    return [fmt for fmt in PUBLIC_FORMATS if fmt in present]


def dataset_search(*, queryset: QuerySet[Dataset]) -> tuple[list[Dataset], dict]:
    """The filtered datasets with their latest release, and facet counts over them."""
    datasets = list(queryset.prefetch_related(_latest_release_files()))
    facets = {"theme": Counter(), "publisher": Counter(), "access": Counter(), "format": Counter()}
    for dataset in datasets:
        dataset.formats = dataset_formats(dataset)
        dataset.format_labels = [FORMAT_LABELS[fmt] for fmt in dataset.formats]
        dataset.latest = dataset.release_list[0] if dataset.release_list else None
        facets["theme"].update(dataset.themes)
        facets["publisher"][dataset.publisher] += 1
        facets["access"][dataset.access] += 1
        facets["format"].update(dataset.formats)
    labels = {
        "theme": dict(Dataset.Theme.choices),
        "publisher": dict(Dataset._meta.get_field("publisher").choices),
        "access": dict(Dataset.Access.choices),
        "format": dict(ReleaseFile.Format.choices),
    }
    return datasets, {
        name: [
            {"value": value, "label": str(labels[name].get(value, value)), "count": count}
            for value, count in sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        ]
        for name, counter in facets.items()
    }


def dataset_get(*, slug: str) -> Dataset | None:
    return Dataset.objects.filter(slug=slug).first()


def release_list(*, dataset: Dataset) -> QuerySet[Release]:
    return dataset.releases.order_by("-version").prefetch_related("files")


def release_get(*, dataset: Dataset, version) -> Release | None:
    if not str(version).isdigit():
        return None
    return release_list(dataset=dataset).filter(version=int(version)).first()


def release_latest(*, dataset: Dataset) -> Release | None:
    return release_list(dataset=dataset).first()


def file_get(*, release: Release, name: str) -> ReleaseFile | None:
    return release.files.filter(name=name).first()


def timetable() -> QuerySet[Dataset]:
    """What is published when: datasets with a next scheduled release, soonest first."""
    return (
        Dataset.objects.exclude(access=Dataset.Access.CLOSED)
        .filter(next_release_at__isnull=False)
        .annotate(
            last_published=Release.objects.filter(dataset=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        .order_by("next_release_at", "slug")
    )


# --- Console and applications ------------------------------------------------------------------


def dataset_list_for_steward(*, user) -> list[Dataset]:
    return [d for d in dataset_list() if can_steward(user, d)]


def run_list(*, datasets=None, limit: int = 50) -> QuerySet[Run]:
    runs = Run.objects.select_related("dataset", "requested_by", "release")
    if datasets is not None:
        runs = runs.filter(dataset__in=datasets)
    return runs.order_by("-created_at")[:limit]


def run_get_for_steward(*, user, pk) -> Run | None:
    run = Run.objects.select_related("dataset").filter(pk=pk).first() if _uuid(pk) else None
    return run if run is not None and can_steward(user, run.dataset) else None


def _uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def application_list_for_applicant(*, user) -> QuerySet[AccessApplication]:
    live_key = ApiKey.objects.filter(application=OuterRef("pk"), revoked_at__isnull=True)
    return (
        AccessApplication.objects.filter(applicant=user)
        .select_related("dataset")
        .annotate(has_key=Exists(live_key))
        .order_by("-created_at")
    )


def application_get_for_applicant(*, user, pk) -> AccessApplication | None:
    if not str(pk).isdigit():
        return None
    return application_list_for_applicant(user=user).filter(pk=pk).first()


def application_queue(*, user) -> QuerySet[AccessApplication]:
    """Applications for the datasets the official stewards: pending first, oldest first."""
    datasets = [d.pk for d in dataset_list_for_steward(user=user)]
    return (
        AccessApplication.objects.filter(dataset_id__in=datasets)
        .select_related("dataset", "applicant", "decided_by")
        .order_by(
            Case(When(status=AccessApplication.Status.PENDING, then=0), default=1),
            "-created_at",
        )
    )


def application_get_for_steward(*, user, pk) -> AccessApplication | None:
    if not str(pk).isdigit():
        return None
    application = (
        AccessApplication.objects.select_related("dataset", "applicant").filter(pk=pk).first()
    )
    if application is None or not can_steward(user, application.dataset):
        return None
    return application


def key_usage(*, user, limit: int = 100) -> QuerySet[KeyUse]:
    datasets = [d.pk for d in dataset_list_for_steward(user=user)]
    uses = KeyUse.objects.select_related("key__application__dataset")
    if not is_platform_admin(user):
        uses = uses.filter(key__application__dataset_id__in=datasets)
    return uses.order_by("-at")[:limit]


def keys_for_steward(*, user) -> QuerySet[ApiKey]:
    datasets = [d.pk for d in dataset_list_for_steward(user=user)]
    since = timezone.now() - dt.timedelta(days=30)
    return (
        ApiKey.objects.filter(application__dataset_id__in=datasets)
        .select_related("application__dataset")
        .annotate(uses_30d=Count("uses", filter=Q(uses__at__gte=since)))
        .order_by("-created_at")
    )


# --- Dataset structure ---------------------------------------------------------------------------


def dataset_resources(dataset: Dataset) -> list:
    """The tables a dataset's releases contain (none for a 不予开放 dataset)."""
    from openData import builders

    return builders.get(dataset.builder).resources() if dataset.builder else []


def dataset_field_names(dataset: Dataset) -> list[str]:
    names: list[str] = []
    for resource in dataset_resources(dataset):
        names.extend(name for name in resource.field_names if name not in names)
    return names


def division_names(codes: list[str]) -> list[str]:
    from portal.accounts.selectors import division_get

    names = []
    for code in codes:
        division = division_get(code=code)
        names.append(f"{division.name}（{code}）" if division else code)
    return names
