"""Matching residents' social-work requests to projects, with the matching app's capacity-aware
assignment (matching.services.engine.solve_assignment, min-cost flow). Run by the task
socialorgs.tasks.socialwork_match on the `matching` queue.

A run takes the waiting requests (open, or unmatched by an earlier run) of a scope — one
district and the streets in it, one request, or all of them — and assigns them all at once,
so two residents competing for a project's last place are resolved together, not by who came
first.

Hard constraints, for a project to be a candidate of a request:

1. the project is active, of the request's target group, today falls in its period, and its
   organisation serves: registration 正常 and not on the 严重违法失信名单
   (common.organisation_serves_q; one on the 活动异常名录 stays a candidate, its lower
   credit grade lowering its score);
2. the home lies within the project's service radius (haversine distance);
3. the resident (or the organisation) has not declined that project for this request.

A request without any candidate is ``unmatched`` with the reason ``no_coverage``; one whose
candidates have no free place left for it is ``unmatched`` with ``no_capacity``. A project's
free places are its capacity minus its requests proposed or accepted.

Score (each component 0..1, higher is better)::

    distance    = 1 - d / r                  d: km from the home, r: the project's radius
    quality     = (m·p + Σ ratings) / (m + n) / 5
                                             the published reviews' overall ratings (n of them)
                                             pulled towards the mean p of all published
                                             social-work reviews (4.0 before there are any) by
                                             m = RATINGS_PRIOR_WEIGHT pseudo-reviews
    evaluation  = grade / 5                  the organisation's valid 5A–1A grade; 0.4 without
    credit      = A 1.0, B 0.75, C 0.5, D 0.25   the organisation's credit grade

    score = Σ w_c · component_c / Σ w_c      w = settings.SOCIALWORK_MATCH_WEIGHTS
                                             (distance 0.4, quality 0.25, evaluation 0.2,
                                             credit 0.15)

Assignment: request → candidate project at cost round((1 - score) · 1000), project → sink with
capacity = its free places, request → sink at cost 1001: a request stays unassigned only when
capacity leaves it nothing. Requests and projects are sorted by id, so the same inputs give
the same result.

Idempotency and locks: the run locks its requests (FOR UPDATE, by id), then the candidate
projects (by id) for the length of one transaction, so two runs never hand out the same
place; a proposed request is not waiting any more, so a second run leaves it (and the place it
holds) alone, and an unmatched request whose reason did not change is not written again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Avg, Count, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matching.services.engine import solve_assignment
from portal.accounts.models import division_prefix
from portal.notifications.services import notify
from socialorgs.geo import bounding_box, haversine_km
from socialorgs.models import (
    Evaluation,
    ProjectReview,
    ServiceRequest,
    SocialWorkProject,
)
from socialorgs.selectors.registry import current_evaluation_q
from socialorgs.services.socialwork.common import organisation_serves_q
from socialorgs.services.socialwork.projects import MAX_RADIUS_KM

NO_COVERAGE = "no_coverage"
NO_CAPACITY = "no_capacity"
REASONS = {
    NO_COVERAGE: gettext_lazy("附近暂无覆盖您住址的同类服务项目"),
    NO_CAPACITY: gettext_lazy("附近的同类服务项目名额已满"),
}
COMPONENTS = ("distance", "quality", "evaluation", "credit")
FALLBACK_PRIOR = 4.0
NO_GRADE = 0.4
CREDIT = {"A": 1.0, "B": 0.75, "C": 0.5, "D": 0.25}
# Candidates per request given to the assignment, best first (enough for any district).
MAX_CANDIDATES = 30

S = ServiceRequest.Status


@dataclass
class Candidate:
    project: SocialWorkProject
    distance_km: float
    components: dict[str, float]
    score: float


@dataclass
class Outcome:
    """What a run did, for the task's result and the tests."""

    requests: int = 0
    proposed: list[int] = field(default_factory=list)
    unmatched: dict[int, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "requests": self.requests,
            "proposed": self.proposed,
            "unmatched": {str(k): v for k, v in self.unmatched.items()},
        }


def weights() -> dict[str, float]:
    configured = settings.SOCIALWORK_MATCH_WEIGHTS
    return {c: float(configured.get(c, 0.0)) for c in COMPONENTS}


def service_requests_match(
    *,
    division_code: str | None = None,
    request_id: int | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """Match the waiting requests of a district (and its streets), of one request, or — with
    neither — all of them; write each one's proposal or the reason it has none."""
    today = today or timezone.localdate()
    outcome = Outcome()
    with transaction.atomic():
        waiting = ServiceRequest.objects.filter(status__in=ServiceRequest.MATCHABLE)
        if request_id is not None:
            waiting = waiting.filter(pk=request_id)
        elif division_code:
            waiting = waiting.filter(division__code__startswith=division_prefix(division_code))
        requests = list(
            waiting.select_for_update(of=("self",)).select_related("resident").order_by("pk")
        )
        outcome.requests = len(requests)
        if not requests:
            return outcome
        projects = _projects(requests, today)
        free = _free_places(projects)
        scoring = _Scoring(projects, today)
        candidates = [_candidates(r, projects, scoring) for r in requests]
        assigned = _assign(candidates, free)
        now = timezone.now()
        for service_request, found, choice in zip(requests, candidates, assigned, strict=True):
            if choice is not None:
                _propose(service_request, choice, scoring.explanation(choice), now)
                outcome.proposed.append(service_request.pk)
            else:
                reason = NO_CAPACITY if found else NO_COVERAGE
                _unmatched(service_request, reason, found)
                outcome.unmatched[service_request.pk] = reason
    return outcome


def _projects(requests: list[ServiceRequest], today: dt.date) -> list[SocialWorkProject]:
    """The projects that could serve any of the requests, locked (by id) for this run."""
    lat_min, lat_max, lng_min, lng_max = bounding_box(
        [(r.latitude, r.longitude) for r in requests], MAX_RADIUS_KM
    )
    return list(
        SocialWorkProject.objects.select_for_update(of=("self",))
        .filter(
            organisation_serves_q(),
            status=SocialWorkProject.Status.ACTIVE,
            target_group__in={r.target_group for r in requests},
            starts_on__lte=today,
            ends_on__gte=today,
            latitude__gte=lat_min,
            latitude__lte=lat_max,
            longitude__gte=lng_min,
            longitude__lte=lng_max,
        )
        .select_related("organisation")
        .order_by("pk")
    )


def _free_places(projects: list[SocialWorkProject]) -> dict[int, int]:
    held = dict(
        ServiceRequest.objects.filter(
            project_id__in=[p.pk for p in projects], status__in=ServiceRequest.HOLDING
        )
        .order_by()
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    return {p.pk: max(p.capacity - held.get(p.pk, 0), 0) for p in projects}


class _Scoring:
    """The per-project inputs of the score, read set-based (one query each)."""

    def __init__(self, projects: list[SocialWorkProject], today: dt.date) -> None:
        published = ProjectReview.objects.filter(status=ProjectReview.Status.PUBLISHED)
        self.prior = published.aggregate(avg=Avg("overall"))["avg"] or FALLBACK_PRIOR
        self.m = float(settings.RATINGS_PRIOR_WEIGHT)
        self.reviews = {
            row["project_id"]: (row["n"], row["total"])
            for row in published.filter(project_id__in=[p.pk for p in projects])
            .order_by()
            .values("project_id")
            .annotate(n=Count("id"), total=Sum("overall"))
        }
        self.grades: dict[int, int] = {}
        for org_id, grade in (
            Evaluation.objects.filter(
                current_evaluation_q(today),
                organisation_id__in={p.organisation_id for p in projects},
            )
            .order_by("organisation_id", "-awarded_on", "-id")
            .values_list("organisation_id", "grade")
        ):
            self.grades.setdefault(org_id, grade)
        self.weights = weights()

    def of(self, project: SocialWorkProject, distance_km: float) -> tuple[dict, float]:
        n, total = self.reviews.get(project.pk, (0, 0))
        grade = self.grades.get(project.organisation_id)
        components = {
            "distance": max(0.0, min(1.0, 1 - distance_km / project.service_radius_km)),
            "quality": (self.m * self.prior + total) / (self.m + n) / 5,
            "evaluation": grade / 5 if grade else NO_GRADE,
            "credit": CREDIT.get(project.organisation.credit_grade, CREDIT["C"]),
        }
        weight_sum = sum(self.weights.values()) or 1.0
        score = sum(self.weights[c] * components[c] for c in COMPONENTS) / weight_sum
        return {c: round(v, 4) for c, v in components.items()}, score

    def explanation(self, candidate: Candidate) -> dict:
        project = candidate.project
        return {
            "distance_km": round(candidate.distance_km, 2),
            "radius_km": project.service_radius_km,
            "components": candidate.components,
            "weights": self.weights,
            "score": round(candidate.score, 4),
            "reviews": self.reviews.get(project.pk, (0, 0))[0],
            "evaluation_grade": self.grades.get(project.organisation_id),
            "credit_grade": project.organisation.credit_grade,
        }


def _candidates(
    service_request: ServiceRequest, projects: list[SocialWorkProject], scoring: _Scoring
) -> list[Candidate]:
    excluded = set(service_request.excluded_projects or [])
    found = []
    for project in projects:
        if project.target_group != service_request.target_group or project.pk in excluded:
            continue
        distance = haversine_km(
            service_request.latitude, service_request.longitude, project.latitude, project.longitude
        )
        if distance > project.service_radius_km:
            continue
        components, score = scoring.of(project, distance)
        found.append(Candidate(project, distance, components, score))
    found.sort(key=lambda c: (-c.score, c.project.pk))
    return found[:MAX_CANDIDATES]


def _assign(candidates: list[list[Candidate]], free: dict[int, int]) -> list[Candidate | None]:
    """Every request at once by min-cost flow; only projects with a free place take part."""
    open_ids = sorted({c.project.pk for found in candidates for c in found if free[c.project.pk]})
    slot_index = {pk: i for i, pk in enumerate(open_ids)}
    arcs = [
        (need, slot_index[c.project.pk], round((1 - c.score) * 1000), c)
        for need, found in enumerate(candidates)
        for c in sorted(found, key=lambda c: c.project.pk)
        if c.project.pk in slot_index
    ]
    chosen: list[Candidate | None] = [None] * len(candidates)
    if not arcs:
        return chosen
    used, _cost = solve_assignment(
        np.array([a[0] for a in arcs], dtype=np.int64),
        np.array([a[1] for a in arcs], dtype=np.int64),
        np.array([a[2] for a in arcs], dtype=np.int64),
        np.array([free[pk] for pk in open_ids], dtype=np.int64),
        len(candidates),
    )
    for arc, carries in zip(arcs, used, strict=True):
        if carries:
            chosen[arc[0]] = arc[3]
    return chosen


def _propose(service_request: ServiceRequest, choice: Candidate, explanation: dict, now) -> None:
    project = choice.project
    service_request.status = S.PROPOSED
    service_request.project = project
    service_request.match_score = round(choice.score, 4)
    service_request.match_explanation = explanation
    service_request.unmatched_reason = ""
    service_request.matched_at = now
    service_request.save(
        update_fields=[
            "status",
            "project",
            "match_score",
            "match_explanation",
            "unmatched_reason",
            "matched_at",
        ]
    )
    notify(
        recipients=[service_request.resident],
        kind="socialwork_request",
        title=_("您的社会工作服务申请有了推荐项目"),
        body=_("为您推荐：%(title)s（%(org)s），距您约 %(km).1f 公里。请确认是否接受。")
        % {"title": project.title, "org": project.organisation.name, "km": choice.distance_km},
        link=reverse("socialorgs:sw-request", args=[service_request.pk]),
        dedupe_key=f"socialwork-request-{service_request.pk}-proposed-{project.pk}",
    )


def _unmatched(service_request: ServiceRequest, reason: str, found: list[Candidate]) -> None:
    if service_request.status == S.UNMATCHED and service_request.unmatched_reason == reason:
        return  # nothing changed since the last run: not written again
    service_request.status = S.UNMATCHED
    service_request.unmatched_reason = reason
    service_request.match_score = None
    service_request.match_explanation = {"reason": reason, "candidates": len(found)}
    service_request.save(
        update_fields=["status", "unmatched_reason", "match_score", "match_explanation"]
    )
