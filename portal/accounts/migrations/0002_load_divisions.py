"""Load GB/T 2260 divisions of 四川省 and every district and county of 成都市."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "divisions.csv"


def _rows():
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load(apps, schema_editor):
    Division = apps.get_model("accounts", "Division")
    for row in _rows():  # parents come before children in the file
        Division.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "level": row["level"],
                "parent_id": row["parent"] or None,
                "latitude": row["latitude"],
                "longitude": row["longitude"],
            },
        )


def unload(apps, schema_editor):
    Division = apps.get_model("accounts", "Division")
    for row in reversed(_rows()):
        Division.objects.filter(code=row["code"]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
