"""The Frictionless Data Package descriptor (datapackage.json) of a release: one tabular
resource per CSV file with its Table Schema, size and SHA-256."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.conf import settings
from django.utils import translation

from openData.builders import Resource
from openData.models import Dataset

LICENCES = {
    "CC-BY-4.0": ("CC-BY-4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
}


def table_schema(resource: Resource) -> dict:
    fields = []
    for field in resource.fields:
        entry = {"name": field.name, "type": field.type, "title": field.title}
        if field.title_en:
            entry["title_en"] = field.title_en
        if field.description:
            entry["description"] = field.description
        if field.type == "boolean":
            # PostgreSQL COPY writes booleans as t/f.
            entry["trueValues"] = ["t", "true"]
            entry["falseValues"] = ["f", "false"]
        fields.append(entry)
    schema = {"fields": fields, "missingValues": [""]}
    if resource.primary_key:
        schema["primaryKey"] = list(resource.primary_key)
    return schema


def descriptor(*, dataset: Dataset, resources: Sequence[Resource], files: Sequence[dict]) -> dict:
    csv_files = {f["resource"]: f for f in files if f["format"] == "csv"}
    with translation.override("zh-hans"):
        title = str(dataset.title)
        description = str(dataset.description)
    package = {
        "profile": "tabular-data-package",
        "name": dataset.slug,
        "title": title,
        "description": description,
        "homepage": f"{settings.PORTAL_BASE_URL}/open/datasets/{dataset.slug}/",
        "keywords": list(dataset.keywords),
        "resources": [],
    }
    if dataset.licence in LICENCES:
        name, path = LICENCES[dataset.licence]
        package["licenses"] = [{"name": name, "path": path}]
    for resource in resources:
        meta = csv_files[resource.name]
        package["resources"].append(
            {
                "profile": "tabular-data-resource",
                "name": resource.name,
                "path": meta["name"],
                "title": resource.title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": meta["size"],
                "hash": f"sha256:{meta['sha256']}",
                "schema": table_schema(resource),
            }
        )
    return package


def datapackage_write(sink, *, dataset: Dataset, resources, files) -> None:
    sink.write(
        json.dumps(
            descriptor(dataset=dataset, resources=resources, files=files),
            ensure_ascii=False,
            indent=2,
        )
    )
