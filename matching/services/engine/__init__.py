"""Match runs: candidates by hard constraints, an explainable score, a capacity-aware assignment.

A run covers the open needs of a scope (a domain, a division and everything inside it, or one
need). It reads the scope's listings, slots, staff and certificates set-based (one query each),
filters per need in numpy, scores, and assigns every need at once by min-cost flow.

Hard constraints, in this order; the first one that empties a need's set is its
`unmatched_reason`:

1. ``no_coverage``: a public listing (approved provider in good standing) of the need's domain
   (and category, when set) that reaches the need: at home / in an area, an at-home listing whose
   service divisions contain the need's division (a district covers its streets) or an online
   listing; at a branch, an at-branch listing within ``max_distance_km``.
2. ``no_time_overlap``: a slot with a free place in the next 14 days overlapping one of the
   need's windows (the earliest such slot becomes the candidate's slot).
3. ``over_budget``: ``price_fen <= budget_max_fen`` (a price under ``budget_min_fen`` is
   cheaper than hoped for, not a reason to refuse).
4. ``missing_certificate``: for each required kind, an active staff member of the provider with
   a valid (not revoked, not expired) certificate of that kind; and, when the need asks for a
   caregiver's gender, an active staff member of that gender.

A need with candidates that capacity leaves unassigned gets ``no_capacity``.

Score (each component in 0..1, higher is better)::

    distance     = clip(1 - d / D, 0, 1)   d: km from the need to the branch; D: the need's
                                           max_distance_km at a branch, 10 km for home services;
                                           online listings 0.5
    quality      = quality_score / 5       unrated listings 0.6
    grade        = 1 if the provider holds an official grade else 0.5
    price        = 1 - 0.5 * clip((price - budget_min) / (budget_max - budget_min), 0, 1)
                                           (1 at or under budget_min, 0.5 at budget_max)
    availability = clip(1 - h / (14 * 24), 0, 1)   h: hours from now to the earliest slot
    language     = |need ∩ offered| / |need|        offered: the listing's and active staff's
                                           languages; 1 when the need names none
    continuity   = 1 if the resident completed a booking with the provider before else 0

    score = Σ w_c · component_c / Σ w_c          w = settings.MATCHING_WEIGHTS

Assignment: source → need (capacity 1) → its best MATCHING_MAX_CANDIDATES_PER_NEED candidates,
each on its earliest fitting slot (cost round((1 - score) · 1000)) → slot (capacity: the slot's
remaining places) → sink; plus need → sink at cost 1001, so a need stays unassigned only when
capacity leaves it no slot. Inputs are sorted by id, so the same inputs give the same result.
Candidates: rank 0 is the assignment, then the next best by score up to MATCHING_TOP_K.

Test hook: ``_checkpoint(run, phase, **state)`` is called between phases ("loaded",
"candidates", "assigned", then "publishing" inside the publishing transaction once the
candidates are written but not yet committed, and "written"); tests monkeypatch it to raise (a
crash mid-run) and the benchmark to capture ``state["problem"]``. It does nothing in production;
MATCHING_CHECKPOINT_DELAY (phase=seconds) holds a run at a phase, so fault-injection tests can
kill a real worker there.
"""

from __future__ import annotations

import time

from django.conf import settings

from matching.models import MatchRun
from matching.services.engine.assign import solve_assignment
from matching.services.engine.constants import (
    COMPONENTS,
    MISSING_CERTIFICATE,
    NO_CAPACITY,
    NO_COVERAGE,
    NO_TIME_OVERLAP,
    OVER_BUDGET,
    UNASSIGNED_COST,
)
from matching.services.engine.load import Problem
from matching.services.engine.publish import run_notify
from matching.services.engine.runs import run_execute, run_request, runs_request_for_open_needs

__all__ = [
    "COMPONENTS",
    "MISSING_CERTIFICATE",
    "NO_CAPACITY",
    "NO_COVERAGE",
    "NO_TIME_OVERLAP",
    "OVER_BUDGET",
    "UNASSIGNED_COST",
    "Problem",
    "_checkpoint",
    "run_execute",
    "run_notify",
    "run_request",
    "runs_request_for_open_needs",
    "solve_assignment",
]


def _checkpoint(run: MatchRun, phase: str, **state) -> None:
    """Between phases; a no-op unless MATCHING_CHECKPOINT_DELAY names the phase. Tests replace
    it to simulate a crash (see the docstring).

    The runner looks it up on this package at call time (runs._execute), so replacing
    ``matching.services.engine._checkpoint`` takes effect."""
    delay = settings.MATCHING_CHECKPOINT_DELAY.get(phase)
    if delay:
        time.sleep(float(delay))
