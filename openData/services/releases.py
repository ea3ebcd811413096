"""Publication: a run builds a dataset's files in a staging folder, the personal-data gate checks
every file, and only then is the release published — its folder renamed into place and its rows
written in one transaction. A run killed anywhere leaves no visible release; running it again
publishes exactly once (Release.run is unique)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time
import uuid
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from openData import builders, datasets
from openData.errors import OpenDataError
from openData.gate import (
    TextScanner,
    k_anonymity_findings,
    small_cell_findings,
    suppress_small_cells,
)
from openData.models import Dataset, Release, ReleaseFile, Run
from openData.services import changes, writers
from openData.services.datapackage import datapackage_write
from portal.audit.services import audit_record
from portal.dispatch import enqueue

log = logging.getLogger(__name__)

FINDINGS_KEPT = 50


def root() -> Path:
    return Path(settings.OPENDATA_ROOT)


def release_path(release: Release) -> Path:
    return root() / release.directory


# --- Requests ---------------------------------------------------------------------------------


def run_request(
    *,
    dataset: Dataset,
    trigger: str = Run.Trigger.MANUAL,
    requested_by=None,
    scheduled_for: dt.datetime | None = None,
) -> Run:
    """Queue a release of the dataset; the work happens on the `opendata` queue."""
    if not dataset.publishes:
        raise OpenDataError("not_published")
    with transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        if (
            trigger == Run.Trigger.MANUAL
            and dataset.runs.filter(status__in=[Run.Status.QUEUED, Run.Status.RUNNING]).exists()
        ):
            raise OpenDataError("run_in_flight", status=409)
        run = Run.objects.create(
            dataset=dataset,
            trigger=trigger,
            requested_by=requested_by,
            scheduled_for=scheduled_for,
        )
        if requested_by is not None:
            audit_record(actor=requested_by, action="opendata.run_requested", target=run)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id) -> None:
    from openData.tasks import publish_release

    enqueue(publish_release, str(run_id))


def next_release_after(dataset: Dataset, after: dt.datetime) -> dt.datetime:
    """The next slot of the dataset's timetable strictly after `after` (local time)."""
    local = timezone.localtime(after)
    slot = local.replace(hour=dataset.release_hour, minute=0, second=0, microsecond=0)
    step = {
        Dataset.Periodicity.DAILY: dt.timedelta(days=1),
        Dataset.Periodicity.WEEKLY: dt.timedelta(days=7),
    }.get(dataset.periodicity)
    if step is not None:
        if dataset.periodicity == Dataset.Periodicity.WEEKLY:
            slot -= dt.timedelta(days=slot.weekday())  # Mondays
        while slot <= local:
            slot += step
        return slot
    months = {"MONTHLY": 1, "QUARTERLY": 3, "ANNUAL": 12}.get(dataset.periodicity)
    if months is None:  # irregular: on demand only
        return None
    slot = slot.replace(day=1)
    while slot <= local or (slot.month - 1) % months:
        year, month = (slot.year + 1, 1) if slot.month == 12 else (slot.year, slot.month + 1)
        slot = slot.replace(year=year, month=month)
    return slot


def runs_request_due(*, now: dt.datetime | None = None) -> list[Run]:
    """The timetable job: a run for every dataset whose next release is due, once per slot
    (a second call for the same slot finds the run and the advanced timetable)."""
    now = now or timezone.now()
    runs = []
    due = Dataset.objects.filter(next_release_at__lte=now).exclude(access=Dataset.Access.CLOSED)
    for dataset_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            dataset = (
                Dataset.objects.select_for_update().filter(pk=dataset_id, next_release_at__lte=now)
            ).first()
            if dataset is None:
                continue  # another beat advanced it meanwhile
            slot = dataset.next_release_at
            run, created = Run.objects.get_or_create(
                dataset=dataset,
                scheduled_for=slot,
                defaults={"trigger": Run.Trigger.SCHEDULE},
            )
            dataset.next_release_at = next_release_after(dataset, max(slot, now))
            dataset.save(update_fields=["next_release_at", "updated_at"])
            if created:
                transaction.on_commit(lambda pk=run.pk: _enqueue(pk))
                runs.append(run)
    return runs


# --- Execution --------------------------------------------------------------------------------


def _checkpoint(run: Run, stage: str) -> None:
    """A point where a run may be stopped. OPENDATA_STAGE_DELAY (seconds, 0 in production)
    holds the run here, so fault-injection tests can kill a real worker mid-release."""
    delay = float(getattr(settings, "OPENDATA_STAGE_DELAY", 0) or 0)
    if delay:
        time.sleep(delay)


def _progress(run: Run, percent: int, stage: str) -> None:
    Run.objects.filter(pk=run.pk).update(progress=min(percent, 100), stage=stage)


def run_execute(run_id) -> Run:
    """The body of the publish_release task. A run already published or refused is left as it
    is; any other (queued, running after a crash, failed) is built again from scratch."""
    try:
        run_id = uuid.UUID(str(run_id))
    except ValueError:
        raise OpenDataError("unknown_run", status=404) from None
    if not Run.objects.filter(pk=run_id).exists():
        raise OpenDataError("unknown_run", status=404)
    claimed = (
        Run.objects.filter(pk=run_id)
        .exclude(status__in=Run.FINISHED)
        .update(
            status=Run.Status.RUNNING,
            attempts=F("attempts") + 1,
            started_at=timezone.now(),
            progress=0,
            stage="",
            error="",
        )
    )
    run = Run.objects.select_related("dataset").get(pk=run_id)
    if not claimed:
        return run
    if hasattr(run, "release"):
        # Published, but the worker died before the run's status was written.
        Run.objects.filter(pk=run.pk).update(status=Run.Status.PUBLISHED, progress=100)
        run.refresh_from_db()
        return run
    staging = root() / "staging" / str(run.pk)
    try:
        return _execute(run, staging)
    except Exception as exc:
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _execute(run: Run, staging: Path) -> Run:
    dataset = run.dataset
    builder = builders.get(dataset.builder)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    names = datasets.person_names()
    resources = builder.resources()
    findings: list[dict] = []
    total_findings = 0
    written: list[dict] = []  # one entry per file, in order
    suppressed: dict[str, int] = {}  # rows left out of small quasi-identifier groups

    def gate(scanner_findings, total=None):
        nonlocal total_findings
        for finding in scanner_findings:
            if len(findings) < FINDINGS_KEPT:
                findings.append(finding.as_dict())
        total_findings += len(scanner_findings) if total is None else total

    steps = len(resources) + 2
    for index, resource in enumerate(resources):
        _progress(run, 5 + 75 * index // steps, f"resource:{resource.name}")
        entries = _write_resource(resource, staging, names, gate, suppressed)
        written.extend(entries)
        _checkpoint(run, f"resource:{resource.name}")

    _progress(run, 5 + 75 * len(resources) // steps, "extras")
    for extra in builder.extras():
        scanner = TextScanner(file=extra.name, names=names, limit=FINDINGS_KEPT)
        with writers.Sink(staging / extra.name, scanner) as sink:
            items = extra.write(sink)
        gate(scanner.findings, scanner.total)
        written.append(_entry(sink, extra.name, "", extra.format, items))

    _progress(run, 82, "datapackage")
    scanner = TextScanner(file="datapackage.json", names=names, limit=FINDINGS_KEPT)
    with writers.Sink(staging / "datapackage.json", scanner) as sink:
        datapackage_write(sink, dataset=dataset, resources=resources, files=written)
    gate(scanner.findings, scanner.total)
    written.append(_entry(sink, "datapackage.json", "", ReleaseFile.Format.DATAPACKAGE, None))

    report = {
        "files": [entry["name"] for entry in written],
        "checked": ["id_number", "mobile", "bank_card", "email", "person_name"]
        + (["small_cell"] if any(r.count_fields for r in resources) else [])
        + (["k_anonymity"] if any(r.quasi_identifiers for r in resources) else []),
        "findings": findings,
        "total": total_findings,
        "names_checked": len(names),
        "suppressed_rows": suppressed,
    }
    if total_findings:
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.REFUSED,
            gate_report=report,
            progress=100,
            stage="refused",
            finished_at=timezone.now(),
        )
        log.warning("release of %s refused by the gate: %s findings", dataset.slug, total_findings)
        run.refresh_from_db()
        return run

    _checkpoint(run, "gate")
    _progress(run, 88, "changes")
    previous = dataset.releases.order_by("-version").first()
    summary = changes.summarise(
        resources=resources,
        staging=staging,
        rows={e["resource"]: e["rows"] for e in written if e["format"] == "csv"},
        previous=release_path(previous) if previous else None,
        previous_version=previous.version if previous else None,
    )
    _progress(run, 95, "publish")
    return _publish(run, staging, written, summary, report, resources)


def _write_resource(resource, staging: Path, names, gate, suppressed: dict) -> list[dict]:
    csv_name = f"{resource.name}.csv"
    rows = resource.rows()
    if resource.quasi_identifiers and resource.suppress_small_groups:
        rows = _k_suppressed(resource, rows, staging, suppressed)
    if resource.count_fields and writers.is_sql(rows):
        # Aggregates are small; suppression needs them as rows, never streamed past it.
        rows = list(rows)
    scanner = TextScanner(file=csv_name, names=names, limit=FINDINGS_KEPT)
    if writers.is_sql(rows):
        count, sink = writers.copy_csv_checked(staging / csv_name, rows, resource.fields, scanner)
    else:
        with writers.Sink(staging / csv_name, scanner) as sink:
            if resource.count_fields:
                rows = suppress_small_cells(
                    rows,
                    count_fields=resource.count_fields,
                    dependent_fields=resource.dependent_fields,
                    k=datasets.K_THRESHOLD,
                )
                # A second line of defence: the suppressed rows are checked as written.
                gate(
                    small_cell_findings(
                        rows,
                        count_fields=resource.count_fields,
                        file=csv_name,
                        k=datasets.K_THRESHOLD,
                    )
                )
            count = writers.write_csv_from_rows(sink, rows, resource.fields)
    gate(scanner.findings, scanner.total)
    if resource.quasi_identifiers:
        # k-anonymity of the file as written, whatever the builder meant to write.
        groups = _group_sizes(staging / csv_name, resource)
        gate(
            k_anonymity_findings(
                sorted(groups.items()),
                quasi_identifiers=resource.quasi_identifiers,
                file=csv_name,
                k=datasets.K_THRESHOLD,
            )
        )
    entries = [_entry(sink, csv_name, resource.name, ReleaseFile.Format.CSV, count)]
    if count > settings.OPENDATA_DERIVED_MAX_ROWS:
        return entries  # large tables are published as CSV only (see README)

    json_name = f"{resource.name}.json"
    scanner = TextScanner(file=json_name, names=names, limit=FINDINGS_KEPT)
    with writers.Sink(staging / json_name, scanner) as sink:
        writers.write_json_from_csv(sink, staging / csv_name, resource.fields)
    gate(scanner.findings, scanner.total)
    entries.append(_entry(sink, json_name, resource.name, ReleaseFile.Format.JSON, count))

    xlsx_name = f"{resource.name}.xlsx"
    xlsx_path = staging / xlsx_name
    writers.write_xlsx_from_csv(xlsx_path, staging / csv_name, resource.fields, resource.name)
    gate(writers.scan_xlsx(xlsx_path, file=xlsx_name, names=names, limit=FINDINGS_KEPT))
    entries.append(
        {
            "name": xlsx_name,
            "resource": resource.name,
            "format": ReleaseFile.Format.XLSX,
            "rows": count,
            "size": xlsx_path.stat().st_size,
            "sha256": writers.file_sha256(xlsx_path),
        }
    )
    return entries


def _group_sizes(path: Path, resource) -> Counter:
    columns = [resource.field_names.index(name) for name in resource.quasi_identifiers]
    return Counter(tuple(cells[i] for i in columns) for cells in writers.read_csv(path))


def _k_suppressed(resource, rows, staging: Path, suppressed: dict):
    """The rows of groups (same quasi-identifier values) of at least k rows: the table is
    written once to a scratch file, its group sizes counted, then read again keeping only the
    rows of large enough groups. Two passes over disk, memory bounded by the number of groups."""
    scratch = staging / f".{resource.name}.unsuppressed.csv"
    if writers.is_sql(rows):
        writers.copy_csv(scratch, rows, resource.fields)
    else:
        with open(scratch, "w", encoding="utf-8", newline="") as handle:
            writers.write_csv_from_rows(handle, rows, resource.fields)
    sizes = _group_sizes(scratch, resource)
    columns = [resource.field_names.index(name) for name in resource.quasi_identifiers]
    names = resource.field_names

    def kept():
        suppressed[resource.name] = 0
        try:
            for cells in writers.read_csv(scratch):
                if sizes[tuple(cells[i] for i in columns)] >= datasets.K_THRESHOLD:
                    yield dict(zip(names, cells, strict=True))
                else:
                    suppressed[resource.name] += 1
        finally:
            scratch.unlink(missing_ok=True)

    return kept()


def _entry(sink, name: str, resource: str, fmt: str, rows) -> dict:
    return {
        "name": name,
        "resource": resource,
        "format": fmt,
        "rows": rows,
        "size": sink.size,
        "sha256": sink.sha256,
    }


def _publish(run: Run, staging: Path, written, summary, report, resources) -> Run:
    """Rename the staging folder into place and record the release, in one transaction.

    The folder is named by the run, so a crash between the rename and the commit leaves an
    orphan folder that no row points to (invisible); the rerun replaces it.
    """
    dataset = run.dataset
    directory = f"releases/{dataset.slug}/{run.pk}"
    target = root() / directory
    with transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        if Release.objects.filter(run=run).exists():
            Run.objects.filter(pk=run.pk).update(status=Run.Status.PUBLISHED, progress=100)
            run.refresh_from_db()
            return run
        version = (dataset.releases.aggregate(v=Max("version"))["v"] or 0) + 1
        for path in staging.iterdir():
            path.chmod(0o444)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging, target)
        _checkpoint(run, "renamed")
        now = timezone.now()
        release = Release.objects.create(
            dataset=dataset,
            version=version,
            run=run,
            published_at=now,
            directory=directory,
            row_count=sum(e["rows"] or 0 for e in written if e["format"] == "csv"),
            resources=[
                {"name": r.name, "title": r.title, "title_en": r.title_en} for r in resources
            ],
            change_summary=summary,
        )
        ReleaseFile.objects.bulk_create(
            ReleaseFile(
                release=release,
                name=e["name"],
                resource=e["resource"],
                format=e["format"],
                size=e["size"],
                sha256=e["sha256"],
                rows=e["rows"],
            )
            for e in written
        )
        Run.objects.filter(pk=run.pk).update(
            status=Run.Status.PUBLISHED,
            gate_report=report,
            progress=100,
            stage="published",
            finished_at=now,
        )
    run.refresh_from_db()
    return run


def orphans_remove(*, older_than: dt.timedelta = dt.timedelta(hours=1)) -> int:
    """Remove release folders no release points to (left by a crash between rename and
    commit) and staging folders of runs not running, once older than `older_than` (a folder
    being renamed right now belongs to a transaction not yet committed). Returns the count."""
    removed = 0
    cutoff = time.time() - older_than.total_seconds()
    known = set(Release.objects.values_list("directory", flat=True))
    releases = root() / "releases"
    if releases.exists():
        for dataset_dir in releases.iterdir():
            for folder in dataset_dir.iterdir():
                if folder.stat().st_mtime > cutoff:
                    continue
                if f"releases/{dataset_dir.name}/{folder.name}" not in known:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
    staging = root() / "staging"
    if staging.exists():
        running = {
            str(pk)
            for pk in Run.objects.filter(status=Run.Status.RUNNING).values_list("pk", flat=True)
        }
        for folder in staging.iterdir():
            if folder.name not in running and folder.stat().st_mtime <= cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
    return removed
