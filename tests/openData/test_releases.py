"""Publication: build → personal-data gate → atomic publish; immutable, versioned releases."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat

import pytest
import time_machine
from django.db import DatabaseError, transaction
from django.test import TestCase
from frictionless import validate as frictionless_validate

from openData import builders
from openData.builders import Builder, Field, Resource
from openData.errors import OpenDataError
from openData.models import Dataset, Release, ReleaseFile, Run
from openData.services import releases
from openData.tasks import publish_release
from portal.identifiers import resident_id_check_char
from services.models import Listing
from tests.openData.conftest import publish
from tests.providers.factories import ProviderFactory, StaffMemberFactory
from tests.services.factories import public_listing

VALID_ID = "11010519491231002" + resident_id_check_char("11010519491231002")
WRONG_CHECK = "11010519491231002" + ("0" if VALID_ID[-1] != "0" else "1")


@pytest.fixture
def listing(db):
    provider = ProviderFactory(division_id="510107")
    return public_listing(provider, title="上门助浴", description="每周两次，含洗护用品。")


def _listings_dataset(catalogue) -> Dataset:
    return catalogue["listings-prices"]


def _file(release: Release, name: str):
    return releases.release_path(release) / name


# --- Happy path -----------------------------------------------------------------------------------


def test_a_release_publishes_every_format_with_true_checksums(catalogue, listing):
    run = publish(_listings_dataset(catalogue))

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    release = run.release
    assert release.version == 1
    names = set(release.files.values_list("name", flat=True))
    assert names == {"listings.csv", "listings.json", "listings.xlsx", "datapackage.json"}
    for file in release.files.all():
        content = _file(release, file.name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == file.sha256
        assert len(content) == file.size
    csv_text = _file(release, "listings.csv").read_text(encoding="utf-8")
    assert "上门助浴" in csv_text
    assert release.files.get(name="listings.csv").rows == 1
    rows = json.loads(_file(release, "listings.json").read_text(encoding="utf-8"))
    assert rows[0]["title"] == "上门助浴"
    assert rows[0]["price_fen"] == listing.price_fen


def test_the_data_package_is_valid_for_frictionless(catalogue, listing):
    run = publish(_listings_dataset(catalogue))

    report = frictionless_validate(str(_file(run.release, "datapackage.json")))
    assert report.valid, report.flatten(["type", "note"])
    descriptor = json.loads(_file(run.release, "datapackage.json").read_text(encoding="utf-8"))
    csv_file = run.release.files.get(name="listings.csv")
    assert descriptor["resources"][0]["hash"] == f"sha256:{csv_file.sha256}"


def test_a_tampered_file_fails_the_frictionless_check(catalogue, listing):
    """The validator above can fail: a changed byte breaks the recorded hash."""
    run = publish(_listings_dataset(catalogue))
    path = _file(run.release, "listings.csv")
    os.chmod(path, 0o644)
    path.write_text(path.read_text(encoding="utf-8").replace("上门助浴", "上门助洁"), "utf-8")

    report = frictionless_validate(str(_file(run.release, "datapackage.json")))
    assert not report.valid


# --- The personal-data gate ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"负责人身份证 {VALID_ID}", "id_number"),
        ("值班手机 13812345678", "mobile"),
        ("退款卡号 6222021234567890128", "bank_card"),
        ("联系 wangfang@example.com", "email"),
    ],
)
def test_the_gate_refuses_a_release_holding_personal_data(catalogue, listing, text, kind):
    Listing.objects.filter(pk=listing.pk).update(description=text)

    run = publish(_listings_dataset(catalogue))

    assert run.status == Run.Status.REFUSED
    kinds = {finding["kind"] for finding in run.gate_report["findings"]}
    assert kind in kinds
    assert run.gate_report["total"] >= 1
    # Nothing visible, nothing left on disk, and the report never repeats the clear value.
    assert not Release.objects.exists()
    assert not (releases.root() / "releases").exists()
    assert text.split()[-1] not in json.dumps(run.gate_report, ensure_ascii=False)


def test_look_alikes_that_fail_their_check_digits_pass_the_gate(catalogue, listing):
    Listing.objects.filter(pk=listing.pk).update(
        description=f"编号 {WRONG_CHECK}，流水 6222021234567890123，座机 028-85551234"
    )

    run = publish(_listings_dataset(catalogue))

    assert run.status == Run.Status.PUBLISHED, run.gate_report


def test_the_gate_refuses_a_person_name_from_the_staff_table(catalogue, listing):
    StaffMemberFactory(provider=listing.provider, name="欧阳娜娜")
    Listing.objects.filter(pk=listing.pk).update(description="由欧阳娜娜护理员上门服务")

    run = publish(_listings_dataset(catalogue))

    assert run.status == Run.Status.REFUSED
    assert {f["kind"] for f in run.gate_report["findings"]} == {"person_name"}
    assert {f["file"] for f in run.gate_report["findings"]} == {
        "listings.csv",
        "listings.json",
        "listings.xlsx",
    }
    assert "欧阳娜娜" not in json.dumps(run.gate_report, ensure_ascii=False)


# --- Small cells and k-anonymity ------------------------------------------------------------------


@pytest.fixture
def counted_table():
    """A test builder whose table has counts (aggregated) or quasi-identifiers (row level)."""
    created = []

    def make(rows, **resource_kwargs) -> Dataset:
        key = f"test_{len(created)}"
        fields = [
            Field(name, "integer" if name.startswith("n") else "string", name) for name in rows[0]
        ]
        resource = Resource(
            name="table",
            title="表",
            title_en="Table",
            fields=fields,
            rows=lambda: [dict(r) for r in rows],
            **resource_kwargs,
        )
        builders.register(Builder(key=key, resources=lambda: [resource]))
        created.append(key)
        return Dataset.objects.create(
            slug=f"test-{len(created)}",
            builder=key,
            title="测试",
            title_en="Test",
            description="测试",
            description_en="Test",
            publisher="civil_affairs",
            contact_name="测试",
            contact_phone="12345",
            legal_basis="测试",
        )

    yield make
    for key in created:
        builders._registry.pop(key, None)


def test_small_cells_are_suppressed_before_publication(db, counted_table):
    dataset = counted_table(
        [
            {"district": "510107", "n_needs": 3, "n_matched": 0},
            {"district": "510104", "n_needs": 12, "n_matched": 5},
        ],
        count_fields=["n_needs", "n_matched"],
    )

    run = publish(dataset)

    assert run.status == Run.Status.PUBLISHED, run.gate_report
    lines = _file(run.release, "table.csv").read_text().splitlines()
    assert lines == ["district,n_needs,n_matched", "510107,,0", "510104,12,5"]


def test_k_anonymity_refuses_a_row_level_table_with_small_groups(db, counted_table):
    rows = [{"district": "510107", "category": "price"}] * 5 + [
        {"district": "510104", "category": "safety"}
    ]
    dataset = counted_table(
        rows, quasi_identifiers=["district", "category"], suppress_small_groups=False
    )

    run = publish(dataset)

    assert run.status == Run.Status.REFUSED
    assert [f["kind"] for f in run.gate_report["findings"]] == ["k_anonymity"]
    assert "510104" in run.gate_report["findings"][0]["sample"]


def test_small_groups_are_left_out_when_the_builder_suppresses_them(db, counted_table):
    rows = [{"district": "510107", "category": "price"}] * 5 + [
        {"district": "510104", "category": "safety"}
    ]
    dataset = counted_table(rows, quasi_identifiers=["district", "category"])

    run = publish(dataset)

    assert run.status == Run.Status.PUBLISHED, run.gate_report
    lines = _file(run.release, "table.csv").read_text().splitlines()
    assert lines[1:] == ["510107,price"] * 5
    assert run.gate_report["suppressed_rows"] == {"table": 1}


# --- Crashes, reruns, immutability ----------------------------------------------------------------


class Killed(BaseException):
    """Stands for the worker dying (not an Exception: no handler in the run sees it)."""


@pytest.mark.parametrize("stage", ["resource:listings", "gate", "renamed"])
def test_a_run_killed_midway_leaves_nothing_visible_and_a_rerun_publishes_once(
    catalogue, listing, monkeypatch, stage
):
    dataset = _listings_dataset(catalogue)

    def die(run, at):
        if at == stage:
            raise Killed(at)

    monkeypatch.setattr(releases, "_checkpoint", die)
    run = releases.run_request(dataset=dataset)  # queued; the worker picks it up
    with pytest.raises(Killed):
        releases.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == Run.Status.RUNNING  # as a dead worker leaves it
    assert not Release.objects.exists()
    assert not ReleaseFile.objects.exists()

    monkeypatch.undo()
    publish_release.delay(str(run.pk))  # the redelivered task
    publish_release.delay(str(run.pk))  # and once more

    run.refresh_from_db()
    assert run.status == Run.Status.PUBLISHED
    assert run.attempts == 2
    assert Release.objects.filter(dataset=dataset).count() == 1
    release = Release.objects.get()
    folders = list((releases.root() / "releases" / dataset.slug).iterdir())
    assert [f.name for f in folders] == [str(run.pk)]
    assert {f.name for f in folders[0].iterdir()} == set(
        release.files.values_list("name", flat=True)
    )


def test_a_published_release_cannot_be_changed_or_deleted(catalogue, listing):
    run = publish(_listings_dataset(catalogue))
    release = run.release

    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Release.objects.filter(pk=release.pk).update(row_count=999)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        ReleaseFile.objects.filter(release=release).update(sha256="0" * 64)
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        ReleaseFile.objects.filter(release=release).delete()
    release.refresh_from_db()
    assert release.row_count == 1
    mode = _file(release, "listings.csv").stat().st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_a_second_release_is_a_new_version_with_a_change_summary(catalogue, listing):
    dataset = _listings_dataset(catalogue)
    publish(dataset)
    Listing.objects.filter(pk=listing.pk).update(price_fen=listing.price_fen + 100)
    public_listing(listing.provider, title="助餐配送")

    second = publish(dataset).release

    assert second.version == 2
    assert second.change_summary == {
        "previous_version": 1,
        "resources": {"listings": {"added": 1, "removed": 0, "changed": 1}},
    }
    first = Release.objects.get(dataset=dataset, version=1)
    assert first.files.get(name="listings.csv").rows == 1  # the old version is untouched
    assert _file(first, "listings.csv").exists()


def test_a_dataset_not_opened_has_no_releases(catalogue):
    with pytest.raises(OpenDataError) as error:
        releases.run_request(dataset=catalogue["health-records"])
    assert error.value.code == "not_published"


def test_a_manual_run_is_refused_while_another_is_in_flight(catalogue):
    dataset = _listings_dataset(catalogue)
    Run.objects.create(dataset=dataset, trigger=Run.Trigger.MANUAL, status=Run.Status.RUNNING)

    with pytest.raises(OpenDataError) as error:
        releases.run_request(dataset=dataset)
    assert error.value.code == "run_in_flight"


@pytest.mark.parametrize("run_id", ["not-a-uuid", "6f1c0a84-3a9e-4a40-9f3e-1d2f0e5a7b10", ""])
def test_the_task_reports_an_unknown_run_without_retrying(db, run_id):
    result = publish_release.delay(run_id)
    assert result.get() == {"run": run_id, "error": "unknown_run"}


# --- The timetable -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("periodicity", "now", "expected"),
    [
        ("DAILY", "2026-12-01 02:00", "2026-12-01 03:00"),
        ("DAILY", "2026-12-01 03:00", "2026-12-02 03:00"),
        ("WEEKLY", "2026-12-01 10:00", "2026-12-07 03:00"),  # the next Monday
        ("MONTHLY", "2026-12-01 10:00", "2027-01-01 03:00"),
        ("QUARTERLY", "2026-12-01 10:00", "2027-01-01 03:00"),
        ("QUARTERLY", "2027-01-01 10:00", "2027-04-01 03:00"),
        ("ANNUAL", "2026-12-01 10:00", "2027-01-01 03:00"),
        ("IRREG", "2026-12-01 10:00", None),
    ],
)
def test_the_next_release_follows_the_periodicity(periodicity, now, expected):
    from django.utils import timezone

    dataset = Dataset(periodicity=periodicity, release_hour=3)
    after = timezone.make_aware(dt.datetime.fromisoformat(now))
    result = releases.next_release_after(dataset, after)
    if expected is None:
        assert result is None
    else:
        assert timezone.localtime(result).strftime("%Y-%m-%d %H:%M") == expected


def test_the_timetable_job_starts_one_run_per_slot_however_often_it_fires(catalogue, listing):
    dataset = _listings_dataset(catalogue)
    due = dataset.next_release_at
    others = Dataset.objects.exclude(pk=dataset.pk).exclude(access=Dataset.Access.CLOSED)
    others.update(next_release_at=due + dt.timedelta(days=400))

    with (
        time_machine.travel(due + dt.timedelta(minutes=1), tick=False),
        TestCase.captureOnCommitCallbacks(execute=True),
    ):
        first = releases.runs_request_due()
        second = releases.runs_request_due()

    assert len(first) == 1
    assert second == []
    run = Run.objects.get(dataset=dataset)
    assert run.trigger == Run.Trigger.SCHEDULE
    assert run.scheduled_for == due
    assert run.status == Run.Status.PUBLISHED
    dataset.refresh_from_db()
    assert dataset.next_release_at > due
