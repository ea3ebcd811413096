"""The catalogue's write paths: creating the built-in datasets and officials' edits."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from openData import builders, datasets
from openData.errors import OpenDataError
from openData.models import Dataset
from openData.services.releases import next_release_after
from portal.accounts.permissions import is_official, is_platform_admin
from portal.audit.services import audit_record

EDITABLE = (
    "title",
    "title_en",
    "description",
    "description_en",
    "contact_name",
    "contact_phone",
    "keywords",
    "periodicity",
    "release_hour",
    "legal_basis",
)


def catalogue_sync(*, now=None) -> list[Dataset]:
    """Create the built-in datasets that are missing (idempotent; officials' edits are kept)."""
    now = now or timezone.now()
    created = []
    with translation.override("zh-hans"), transaction.atomic():
        for entry in datasets.CATALOGUE:
            if Dataset.objects.filter(slug=entry["slug"]).exists():
                continue
            if entry["builder"]:
                builders.get(entry["builder"])  # a typo in CATALOGUE fails loudly here
            values = {
                k: (str(v) if k in ("title", "description", "legal_basis") else v)
                for k, v in entry.items()
            }
            dataset = Dataset(
                **values,
                contact_name=f"{settings.PORTAL_CITY_NAME}{_PUBLISHERS[entry['publisher']]}",
                contact_phone=settings.OPENDATA_CONTACT_PHONE,
                spatial=[settings.PORTAL_CITY_CODE],
            )
            if dataset.publishes:
                dataset.next_release_at = next_release_after(dataset, now)
            dataset.full_clean()
            dataset.save()
            created.append(dataset)
    return created


_PUBLISHERS = {
    "civil_affairs": "民政局",
    "health": "卫生健康委员会",
    "commerce": "商务局",
}


def can_steward(user, dataset: Dataset) -> bool:
    """Officials of the publishing department whose jurisdiction covers the dataset's area
    manage it (run releases, decide applications); platform admins too."""
    if is_platform_admin(user):
        return True
    if not is_official(user) or user.department != dataset.publisher:
        return False
    return all(user.covers(code) for code in dataset.spatial or [settings.PORTAL_CITY_CODE])


def dataset_update(*, dataset: Dataset, actor, data: dict) -> Dataset:
    """An official edits a dataset's metadata or timetable (validated like the form)."""
    if not can_steward(actor, dataset):
        raise OpenDataError("not_steward", status=403)
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        changed = [
            name for name in EDITABLE if name in data and getattr(dataset, name) != data[name]
        ]
        for name in changed:
            setattr(dataset, name, data[name])
        if {"periodicity", "release_hour"} & set(changed) and dataset.publishes:
            dataset.next_release_at = next_release_after(dataset, timezone.now())
            changed.append("next_release_at")
        dataset.full_clean()
        dataset.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="opendata.dataset_updated",
            target=dataset,
            detail={"fields": changed},
        )
    return dataset
