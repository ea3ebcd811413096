"""The volunteer-service dataset (志愿服务统计): month × district × domain counts built by a
volunteers selector, published through the release machinery, small cells suppressed, no
person in any file, and volunteers' names known to the personal-data gate."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from frictionless import validate as frictionless_validate

from openData import datasets
from openData.models import Run
from openData.services import releases
from tests.accounts.factories import UserFactory
from tests.openData.conftest import publish
from tests.volunteers.factories import activity, hour_record, organisation, volunteer
from volunteers import selectors as volunteer_selectors
from volunteers.models import HourRecord
from volunteers.selectors.recognition import ZONE

pytestmark = pytest.mark.django_db

BIG = 5  # volunteers in the 武侯区 eldercare cell: exactly K, published
SMALL = 2  # volunteers in the 锦江区 community cell: fewer than K, suppressed
# The gate matches names of Han characters only, as real names are.
HAN = "甲乙丙丁戊己庚"


@pytest.fixture
def service(db):
    """Five volunteers at one 武侯区 eldercare activity (2 h each), two at a 锦江区 community
    activity (3 h each), and a pending record that must not count."""
    wuhou = organisation(division_id="510107")
    jinjiang = organisation(division_id="510104")
    elder = activity(wuhou, starts_in=-dt.timedelta(days=2), hours=2, positions=[("陪伴", 9, [])])
    community = activity(
        jinjiang,
        starts_in=-dt.timedelta(days=2),
        hours=3,
        domain="community",
        positions=[("清扫", 9, [])],
    )
    people = []
    for index in range(BIG):
        vol = volunteer(UserFactory(), real_name=f"欧阳志{HAN[index]}")
        hour_record(elder, vol, status=HourRecord.Status.CONFIRMED)
        people.append(vol)
    for index in range(SMALL):
        vol = volunteer(UserFactory(), real_name=f"司马志{HAN[index]}", division_code="510104")
        hour_record(community, vol, status=HourRecord.Status.CONFIRMED)
        people.append(vol)
    late = volunteer(UserFactory(), real_name="诸葛未确认")
    hour_record(elder, late, status=HourRecord.Status.PENDING)
    month = timezone.localtime(elder.starts_at, ZONE).strftime("%Y-%m")
    return {"people": [*people, late], "month": month}


def _csv(release, name: str) -> list[dict]:
    text = (releases.release_path(release) / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_dataset_is_in_the_catalogue(catalogue):
    dataset = catalogue["volunteer-service"]

    assert dataset.title == "志愿服务统计"
    assert dataset.builder == "volunteer_service"
    assert dataset.publisher == "civil_affairs"
    assert dataset.access == "open"
    assert dataset.periodicity == "MONTHLY"
    assert set(dataset.themes) == {"SOCI", "REGI"}
    assert dataset.next_release_at is not None


def test_the_selector_counts_per_month_district_and_domain(service):
    rows = volunteer_selectors.open_volunteer_service_rows()

    cells = {(r["month"], r["district"], r["domain"]): r for r in rows}
    elder = cells[(service["month"], "510107", "elderly")]
    community = cells[(service["month"], "510104", "community")]
    assert (elder["activities"], elder["volunteers"], elder["hours"]) == (1, BIG, 10.0)
    assert (community["activities"], community["volunteers"], community["hours"]) == (
        1,
        SMALL,
        6.0,
    )


def test_a_release_publishes_counts_suppresses_small_cells_and_names_nobody(catalogue, service):
    run = publish(catalogue["volunteer-service"])

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    assert run.gate_report["total"] == 0
    assert "small_cell" in run.gate_report["checked"]
    release = run.release
    names = set(release.files.values_list("name", flat=True))
    assert names == {
        "volunteer_service.csv",
        "volunteer_service.json",
        "volunteer_service.xlsx",
        "datapackage.json",
    }
    rows = {(r["district"], r["domain"]): r for r in _csv(release, "volunteer_service.csv")}
    assert rows[("510107", "elderly")] == {
        "month": service["month"],
        "district": "510107",
        "domain": "elderly",
        "activities": "1",
        "volunteers": str(BIG),
        "hours": "10.0",
    }
    # Two volunteers: the count and the hours that would give it back are left empty.
    small = rows[("510104", "community")]
    assert (small["activities"], small["volunteers"], small["hours"]) == ("1", "", "")
    # No person anywhere in the release.
    for file in release.files.exclude(name__endswith=".xlsx"):
        text = (releases.release_path(release) / file.name).read_text(encoding="utf-8")
        for vol in service["people"]:
            for value in (vol.real_name, vol.masked_name, vol.number, vol.id_number_masked):
                assert value not in text, (file.name, value)


def test_the_data_package_is_valid_for_frictionless(catalogue, service):
    run = publish(catalogue["volunteer-service"])

    path = releases.release_path(run.release) / "datapackage.json"
    report = frictionless_validate(str(path))
    assert report.valid, report.flatten(["type", "note"])
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    assert descriptor["resources"][0]["schema"]["primaryKey"] == ["month", "district", "domain"]


def test_an_empty_city_publishes_an_empty_table(catalogue):
    run = publish(catalogue["volunteer-service"])

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    assert _csv(run.release, "volunteer_service.csv") == []


def test_the_gate_knows_volunteers_and_guardians_names(db):
    adult = volunteer(UserFactory(name="张三"), real_name="欧阳实名")
    minor = volunteer(UserFactory(name="李四"), age=15, real_name="司马少年")

    names = datasets.person_names()

    assert {"欧阳实名", "司马少年", minor.guardian_name} <= names
    assert minor.guardian_name == "王建国"
    assert adult.real_name in volunteer_selectors.person_names()


def test_the_gate_refuses_a_release_naming_a_volunteer(catalogue, service, monkeypatch):
    """The gate can fail here: a row carrying a volunteer's real name is refused."""
    name = service["people"][0].real_name
    rows = [{"month": service["month"], "district": "510107", "domain": name, "activities": 0}]
    monkeypatch.setattr(volunteer_selectors, "open_volunteer_service_rows", lambda: rows)

    run = publish(catalogue["volunteer-service"])

    assert run.status == Run.Status.REFUSED
    assert {f["kind"] for f in run.gate_report["findings"]} == {"person_name"}
    assert not run.dataset.releases.exists()


def test_openData_reads_volunteers_through_selectors_only():
    import ast
    from pathlib import Path

    source = Path(datasets.__file__).read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        f"{node.module}.{alias.name}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    volunteer_imports = {name for name in imported if name.startswith("volunteers")}
    assert volunteer_imports == {"volunteers", "volunteers.selectors"}
