"""Load the service taxonomy of each domain (services/data/categories.csv)."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "categories.csv"


def _rows():
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    Category = apps.get_model("services", "Category")
    for row in _rows():
        Category.objects.update_or_create(
            code=row["code"],
            defaults={"domain": row["domain"], "name": row["name"], "name_en": row["name_en"],
                      "sort": int(row["sort"])},
        )


def unload(apps, schema_editor):
    apps.get_model("services", "Category").objects.filter(
        code__in=[row["code"] for row in _rows()]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
