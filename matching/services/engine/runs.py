"""Requesting runs and executing one: the phases in order, with progress and the test hook."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from matching.models import MatchRun, Need
from matching.services.engine.assign import _assign
from matching.services.engine.candidates import _candidates
from matching.services.engine.constants import COMPONENTS
from matching.services.engine.load import _load, _progress, _snapshot
from matching.services.engine.publish import _write
from portal.dispatch import enqueue

# --- Requests -------------------------------------------------------------------------------


def run_request(
    *, domain: str | None = None, division=None, need: Need | None = None, requested_by=None
) -> MatchRun:
    """A queued run for the scope, enqueued after commit; an identical queued or running run
    of the same scope is returned instead of a second one."""
    division_code = getattr(division, "pk", division) or None
    scope = {"domain": domain or "", "division_id": division_code, "need": need}
    with transaction.atomic():
        existing = (
            MatchRun.objects.filter(
                status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING], **scope
            )
            .order_by("-created_at", "-id")
            .first()
        )
        if existing is not None:
            return existing
        run = MatchRun.objects.create(requested_by=requested_by, **scope)
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def runs_request_for_open_needs() -> list[MatchRun]:
    """One run per (domain, district) that has open needs (the periodic job)."""
    from django.db.models.functions import Substr

    scopes = (
        Need.objects.filter(status__in=Need.OPEN_STATES)
        .annotate(district=Substr("division_id", 1, 6))
        .values_list("domain", "district")
        .distinct()
        .order_by("domain", "district")
    )
    return [run_request(domain=domain, division=district) for domain, district in scopes]


def _enqueue(run_id: int) -> None:
    from matching.tasks import run_match

    enqueue(run_match, run_id)


# --- Execution ------------------------------------------------------------------------------


def run_execute(run_id: int) -> MatchRun:
    """The body of the run_match task: compute and publish a run's candidates in one
    transaction. A run whose inputs digest equals the scope's last succeeded run is marked
    succeeded without work (counts["reused"]). On an error nothing is published, the run is
    marked failed and the error re-raised (the task retries; a rerun completes it)."""
    claimed = MatchRun.objects.filter(
        pk=run_id,
        status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING, MatchRun.Status.FAILED],
    ).update(
        status=MatchRun.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=timezone.now(),
        progress=0,
        error="",
    )
    run = MatchRun.objects.get(pk=run_id)
    if not claimed:
        return run  # already succeeded: a redelivered task does nothing
    try:
        return _execute(run)
    except Exception as exc:
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        raise


def _execute(run: MatchRun) -> MatchRun:
    # The test hook is looked up on the package at call time, so monkeypatching
    # matching.services.engine._checkpoint takes effect.
    from matching.services import engine as package

    timings: dict[str, float] = {}
    clock = time.perf_counter()
    now = timezone.now()
    weights = {name: float(settings.MATCHING_WEIGHTS.get(name, 0)) for name in COMPONENTS}
    problem = _load(run, now)
    inputs, digest = _snapshot(run, problem, now, weights)
    timings["load"] = round(time.perf_counter() - clock, 3)
    _progress(run, 10)
    package._checkpoint(run, "loaded", problem=problem)

    previous = (
        MatchRun.objects.filter(
            status=MatchRun.Status.SUCCEEDED,
            domain=run.domain,
            division_id=run.division_id,
            need_id=run.need_id,
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at", "-id")
        .first()
    )
    if previous is not None and previous.inputs_digest == digest:
        reused = previous.counts.get("reused", previous.pk)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.SUCCEEDED,
            inputs=inputs,
            inputs_digest=digest,
            counts={"reused": reused},
            timings=timings,
            progress=100,
            finished_at=timezone.now(),
        )
        run.refresh_from_db()
        return run

    clock = time.perf_counter()
    _candidates(run, problem, now, weights)
    timings["candidates"] = round(time.perf_counter() - clock, 3)
    package._checkpoint(run, "candidates", problem=problem)

    clock = time.perf_counter()
    _assign(problem)
    timings["assignment"] = round(time.perf_counter() - clock, 3)
    _progress(run, 85)
    package._checkpoint(run, "assigned", problem=problem)

    clock = time.perf_counter()
    counts = _write(run, problem, now, weights, inputs, digest, timings)
    timings["write"] = round(time.perf_counter() - clock, 3)
    MatchRun.objects.filter(pk=run.pk).update(timings=timings)
    package._checkpoint(run, "written", problem=problem)
    run.refresh_from_db()
    run.counts = counts
    return run
