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
"candidates", "assigned", "written"); tests monkeypatch it to raise (a crash mid-run) and the
benchmark to capture ``state["problem"]``. It does nothing in production.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from ortools.graph.python import min_cost_flow

from matching.models import Candidate, MatchRun, Need
from portal.accounts.models import division_prefix
from providers.models import Certificate, StaffMember
from services.models import Booking, Listing, Slot

HORIZON_DAYS = 14
HOME_RADIUS_KM = 10.0
UNASSIGNED_COST = 1001
EARTH_KM = 6371.0
GRID_DEG = 0.1  # branch grid cells (about 11 km × 9.6 km here) for the distance pre-filter
COMPONENTS = (
    "distance",
    "quality",
    "grade",
    "price",
    "availability",
    "language",
    "continuity",
)
MODE_BRANCH, MODE_HOME, MODE_ONLINE = 0, 1, 2
MODES = {
    Listing.DeliveryMode.AT_BRANCH: MODE_BRANCH,
    Listing.DeliveryMode.AT_HOME: MODE_HOME,
    Listing.DeliveryMode.ONLINE: MODE_ONLINE,
}
CERT_BITS = {kind: 1 << i for i, kind in enumerate(Certificate.Kind.values)}
GENDER_BITS = {StaffMember.Gender.FEMALE: 1, StaffMember.Gender.MALE: 2}
CERT_LABELS = dict(Certificate.Kind.choices)

NO_COVERAGE = "no_coverage"
NO_TIME_OVERLAP = "no_time_overlap"
OVER_BUDGET = "over_budget"
MISSING_CERTIFICATE = "missing_certificate"
NO_CAPACITY = "no_capacity"


def _checkpoint(run: MatchRun, phase: str, **state) -> None:
    """Between phases; a no-op. Tests replace it to simulate a crash (see the docstring)."""


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

    run_match.delay(run_id)


# --- Execution ------------------------------------------------------------------------------


@dataclass
class Problem:
    """Everything a run computed before writing: the benchmark reads it through _checkpoint."""

    needs: list[dict]
    listings: dict  # column arrays of the scope's listings (index = position)
    slots: dict  # column arrays of their free slots
    # Per need (same order as needs): candidate listing idx, slot idx, score, components.
    cand: list = field(default_factory=list)
    reasons: dict = field(default_factory=dict)  # need position → unmatched reason
    assigned: dict = field(default_factory=dict)  # need position → candidate position
    flow_cost: int = 0
    # Per need id: listings and providers already turned down for it (by the resident, or a
    # provider declining a referral); a later run does not propose them again.
    declined: dict = field(default_factory=dict)


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


def _progress(run: MatchRun, value: int) -> None:
    # A plain UPDATE outside the final transaction, so pollers see it.
    MatchRun.objects.filter(pk=run.pk).update(progress=value)


def _execute(run: MatchRun) -> MatchRun:
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    now = timezone.now()
    weights = {name: float(settings.MATCHING_WEIGHTS.get(name, 0)) for name in COMPONENTS}
    problem = _load(run, now)
    inputs, digest = _snapshot(run, problem, now, weights)
    timings["load"] = round(time.perf_counter() - clock, 3)
    _progress(run, 10)
    _checkpoint(run, "loaded", problem=problem)

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
    _checkpoint(run, "candidates", problem=problem)

    clock = time.perf_counter()
    _assign(problem)
    timings["assignment"] = round(time.perf_counter() - clock, 3)
    _progress(run, 85)
    _checkpoint(run, "assigned", problem=problem)

    clock = time.perf_counter()
    counts = _write(run, problem, now, weights, inputs, digest, timings)
    timings["write"] = round(time.perf_counter() - clock, 3)
    MatchRun.objects.filter(pk=run.pk).update(timings=timings)
    _checkpoint(run, "written", problem=problem)
    run.refresh_from_db()
    run.counts = counts
    return run


# --- Loading (one query per table for the whole scope) ---------------------------------------


def _scope_needs(run: MatchRun):
    needs = Need.objects.filter(status__in=Need.OPEN_STATES)
    if run.need_id:
        return needs.filter(pk=run.need_id)
    if run.domain:
        needs = needs.filter(domain=run.domain)
    if run.division_id:
        needs = needs.filter(division__code__startswith=division_prefix(run.division_id))
    return needs


def _load(run: MatchRun, now: dt.datetime) -> Problem:
    needs = list(
        _scope_needs(run)
        .order_by("id")
        .values(
            "id",
            "version",
            "resident_id",
            "domain",
            "category_id",
            "place",
            "division_id",
            "latitude",
            "longitude",
            "max_distance_km",
            "windows",
            "budget_min_fen",
            "budget_max_fen",
            "caregiver_gender",
            "languages",
            "certificates",
        )
    )
    domains = sorted({n["domain"] for n in needs})
    rows = list(
        Listing.objects.filter(is_public=True, domain__in=domains)
        .order_by("id")
        .values_list(
            "id",
            "provider_id",
            "domain",
            "category_id",
            "delivery_mode",
            "branch__latitude",
            "branch__longitude",
            "price_fen",
            "quality_score",
            "provider__official_grade",
            "languages",
        )
    )
    index = {row[0]: i for i, row in enumerate(rows)}
    providers = sorted({row[1] for row in rows}, key=str)
    provider_index = {p: i for i, p in enumerate(providers)}

    # Per provider: bit masks of valid certificate kinds and active staff genders; languages.
    today = timezone.localdate(now)
    cert_mask = defaultdict(int)
    for provider_id, kind in (
        Certificate.objects.filter(
            staff__provider__listings__is_public=True,
            staff__provider__listings__domain__in=domains,
            staff__is_active=True,
            revoked_at__isnull=True,
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list("staff__provider_id", "kind")
        .distinct()
    ):
        cert_mask[provider_id] |= CERT_BITS.get(kind, 0)
    gender_mask = defaultdict(int)
    staff_languages = defaultdict(set)
    for provider_id, gender, languages in (
        StaffMember.objects.filter(is_active=True, provider_id__in=_public_provider_ids(domains))
        .values_list("provider_id", "gender", "languages")
        .iterator(chunk_size=5000)
    ):
        gender_mask[provider_id] |= GENDER_BITS.get(gender, 0)
        staff_languages[provider_id].update(languages or [])

    language_bits: dict[str, int] = {}
    for need in needs:
        for lang in need["languages"] or []:
            language_bits.setdefault(lang, 1 << min(len(language_bits), 62))

    def lang_mask(values) -> int:
        mask = 0
        for lang in values:
            mask |= language_bits.get(lang, 0)
        return mask

    n = len(rows)
    listings = {
        "id": np.array([r[0] for r in rows], dtype=np.int64),
        "provider_id": [r[1] for r in rows],
        "provider": np.array([provider_index[r[1]] for r in rows], dtype=np.int64),
        "mode": np.array([MODES.get(r[4], MODE_BRANCH) for r in rows], dtype=np.int8),
        "lat": np.array([float(r[5]) for r in rows], dtype=np.float64),
        "lng": np.array([float(r[6]) for r in rows], dtype=np.float64),
        "price": np.array([r[7] for r in rows], dtype=np.int64),
        "quality": np.array([r[8] if r[8] is not None else np.nan for r in rows], dtype=np.float64),
        "graded": np.array([bool(r[9]) for r in rows], dtype=bool),
        "grade": [r[9] for r in rows],
        "cert": np.array([cert_mask[r[1]] for r in rows], dtype=np.int64),
        "gender": np.array([gender_mask[r[1]] for r in rows], dtype=np.int64),
        "lang": np.array(
            [lang_mask(set(r[10] or []) | staff_languages[r[1]]) for r in rows], dtype=np.int64
        ),
        "language_bits": language_bits,
        "index": index,
        "providers": providers,
    }
    # Groups: (domain, category) with None for "any category".
    groups: dict = defaultdict(list)
    home: dict = defaultdict(list)
    online: dict = defaultdict(list)
    grid: dict = defaultdict(list)
    for i, r in enumerate(rows):
        mode = listings["mode"][i]
        for key in ((r[2], r[3]), (r[2], None)):
            groups[key].append(i)
            if mode == MODE_ONLINE:
                online[key].append(i)
            elif mode == MODE_BRANCH:
                cell = (
                    math.floor(listings["lat"][i] / GRID_DEG),
                    math.floor(listings["lng"][i] / GRID_DEG),
                )
                grid[(*key, *cell)].append(i)
    for listing_id, division_id in (
        Listing.service_divisions.through.objects.filter(
            listing__is_public=True, listing__domain__in=domains, listing__delivery_mode="at_home"
        )
        .order_by("listing_id", "division_id")
        .values_list("listing_id", "division_id")
    ):
        i = index[listing_id]
        prefix = division_prefix(division_id)
        for key in ((rows[i][2], rows[i][3]), (rows[i][2], None)):
            home[(*key, prefix)].append(i)
    listings["home"] = {k: np.unique(np.array(v, dtype=np.int64)) for k, v in home.items()}
    listings["online"] = {k: np.array(v, dtype=np.int64) for k, v in online.items()}
    listings["grid"] = {k: np.array(v, dtype=np.int64) for k, v in grid.items()}

    # Free slots of these listings in the horizon, sorted by (listing position, start).
    offset = now.astimezone(timezone.get_current_timezone()).utcoffset().total_seconds()
    slot_rows = (
        Slot.objects.filter(
            listing__is_public=True,
            listing__domain__in=domains,
            remaining__gt=0,
            starts_at__gte=now,
            starts_at__lt=now + dt.timedelta(days=HORIZON_DAYS),
        )
        .order_by("listing_id", "starts_at", "id")
        .values_list("id", "listing_id", "starts_at", "ends_at", "remaining")
    )
    slot_rows = [r for r in slot_rows if r[1] in index]
    start = np.array([r[2].timestamp() for r in slot_rows], dtype=np.float64)
    end = np.array([r[3].timestamp() for r in slot_rows], dtype=np.float64)
    local = start + offset
    day = np.floor_divide(local, 86400).astype(np.int64)
    start_min = ((local - day * 86400) // 60).astype(np.int64)
    slot_listing = np.array([index[r[1]] for r in slot_rows], dtype=np.int64)
    slots = {
        "id": np.array([r[0] for r in slot_rows], dtype=np.int64),
        "listing": slot_listing,
        "start": start,
        "day": day,
        "weekday": (day + 3) % 7,  # 1970-01-01 was a Thursday
        "start_min": start_min,
        "end_min": start_min + ((end - start) // 60).astype(np.int64),
        "remaining": np.array([r[4] for r in slot_rows], dtype=np.int64),
        "ptr": np.searchsorted(slot_listing, np.arange(n + 1)),
        "utc_offset": offset,
    }

    residents = {need["resident_id"] for need in needs}
    history = defaultdict(set)
    if residents:
        for resident_id, provider_id in (
            Booking.objects.filter(status=Booking.Status.COMPLETED, resident__in=list(residents))
            .values_list("resident_id", "provider_id")
            .distinct()
        ):
            if provider_id in provider_index:
                history[resident_id].add(provider_index[provider_id])
    listings["history"] = {k: np.array(sorted(v), dtype=np.int64) for k, v in history.items()}
    problem = Problem(needs=needs, listings=listings, slots=slots)
    problem.declined = _declined([n["id"] for n in needs])
    return problem


def _public_provider_ids(domains):
    return (
        Listing.objects.filter(is_public=True, domain__in=domains).values("provider_id").distinct()
    )


def _declined(need_ids: list[int]) -> dict[int, tuple[set, set]]:
    turned_down = Candidate.objects.filter(need_id__in=need_ids).filter(
        Q(status=Candidate.Status.DECLINED)
        | Q(provider_decision=Candidate.ProviderDecision.DECLINED)
    )
    declined: dict[int, tuple[set, set]] = {}
    for need_id, listing_id, provider_id, by_provider in turned_down.values_list(
        "need_id", "listing_id", "provider_id", "provider_decision"
    ):
        listings, providers = declined.setdefault(need_id, (set(), set()))
        listings.add(listing_id)
        if by_provider == Candidate.ProviderDecision.DECLINED:
            providers.add(str(provider_id))
    return declined


def _snapshot(run: MatchRun, problem: Problem, now: dt.datetime, weights: dict) -> tuple[dict, str]:
    """What the run read, and the sha256 of it as canonical JSON: the same digest gives the
    same result. Stored inputs keep the needs; listings and slots by count and sub-digest."""
    L, S = problem.listings, problem.slots

    def digest_of(value) -> str:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    listing_part = digest_of(
        [
            L["id"].tolist(),
            L["price"].tolist(),
            [None if math.isnan(q) else q for q in L["quality"].tolist()],
            L["cert"].tolist(),
            L["gender"].tolist(),
            L["grade"],
            sorted([str(k), v.tolist()] for k, v in L["home"].items()),
        ]
    )
    slot_part = digest_of([S["id"].tolist(), S["remaining"].tolist()])
    inputs = {
        "scope": {"domain": run.domain, "division": run.division_id, "need": run.need_id},
        "day": timezone.localdate(now).isoformat(),
        "weights": weights,
        "top_k": settings.MATCHING_TOP_K,
        "max_candidates": settings.MATCHING_MAX_CANDIDATES_PER_NEED,
        "needs": [[n["id"], n["version"]] for n in problem.needs],
        "listings": {"count": len(L["id"]), "digest": listing_part},
        "slots": {"count": len(S["id"]), "digest": slot_part},
        "history": digest_of({k: v.tolist() for k, v in sorted(L["history"].items())}),
        "declined": sorted(
            [need_id, sorted(listings), sorted(providers)]
            for need_id, (listings, providers) in problem.declined.items()
        ),
    }
    return inputs, digest_of(inputs)


# --- Candidates ---------------------------------------------------------------------------


def _windows(need: dict) -> list[tuple[str, int, int, int]]:
    """("date", day number, start minute, end minute) or ("weekday", 0-6, ...)."""
    out = []
    for w in need["windows"] or []:
        try:
            sh, sm = (int(x) for x in w["start"].split(":"))
            eh, em = (int(x) for x in w["end"].split(":"))
        except (KeyError, ValueError, AttributeError):
            continue
        if "date" in w:
            try:
                day = (dt.date.fromisoformat(w["date"]) - dt.date(1970, 1, 1)).days
            except (TypeError, ValueError):
                continue
            out.append(("date", day, sh * 60 + sm, eh * 60 + em))
        elif "weekday" in w:
            out.append(("weekday", int(w["weekday"]), sh * 60 + sm, eh * 60 + em))
    return out


def _distance(lat: float, lng: float, lats: np.ndarray, lngs: np.ndarray) -> np.ndarray:
    p1, p2 = math.radians(lat), np.radians(lats)
    cosine = math.sin(p1) * np.sin(p2) + math.cos(p1) * np.cos(p2) * np.cos(
        np.radians(lngs) - math.radians(lng)
    )
    return EARTH_KM * np.arccos(np.clip(cosine, -1.0, 1.0))


def _covering(need: dict, L: dict, cache: dict) -> np.ndarray:
    key = (need["domain"], need["category_id"])
    lat, lng = float(need["latitude"]), float(need["longitude"])
    if need["place"] == Need.Place.BRANCH:
        radius = float(need["max_distance_km"])
        dlat = radius / 111.0
        dlng = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
        parts = [
            L["grid"][k]
            for a in range(
                math.floor((lat - dlat) / GRID_DEG), math.floor((lat + dlat) / GRID_DEG) + 1
            )
            for b in range(
                math.floor((lng - dlng) / GRID_DEG), math.floor((lng + dlng) / GRID_DEG) + 1
            )
            if (k := (*key, a, b)) in L["grid"]
        ]
        if not parts:
            return np.empty(0, dtype=np.int64)
        idx = np.sort(np.concatenate(parts))
        box = (np.abs(L["lat"][idx] - lat) <= dlat) & (np.abs(L["lng"][idx] - lng) <= dlng)
        idx = idx[box]
        return idx[_distance(lat, lng, L["lat"][idx], L["lng"][idx]) <= radius]
    code = need["division_id"]
    cache_key = (*key, code)
    if cache_key not in cache:
        prefixes = {code[:2], code[:4], code[:6], code}
        parts = [L["home"][(*key, p)] for p in prefixes if (*key, p) in L["home"]]
        if key in L["online"]:
            parts.append(L["online"][key])
        cache[cache_key] = (
            np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)
        )
    return cache[cache_key]


def _earliest_slots(need: dict, idx: np.ndarray, S: dict) -> tuple[np.ndarray, np.ndarray]:
    """Listings of `idx` with a free slot overlapping a window, and that earliest slot."""
    windows = _windows(need)
    if not len(idx) or not windows:
        return idx[:0], idx[:0]
    lo, hi = S["ptr"][idx], S["ptr"][idx + 1]
    counts = hi - lo
    total = int(counts.sum())
    if not total:
        return idx[:0], idx[:0]
    ends = np.cumsum(counts)
    gathered = np.arange(total) - np.repeat(ends - counts, counts) + np.repeat(lo, counts)
    day, wd = S["day"][gathered], S["weekday"][gathered]
    smin, emin = S["start_min"][gathered], S["end_min"][gathered]
    fits = np.zeros(total, dtype=bool)
    for kind, value, start, end in windows:
        same_day = day == value if kind == "date" else wd == value
        fits |= same_day & (smin < end) & (emin > start)
    gathered = gathered[fits]
    if not len(gathered):
        return idx[:0], idx[:0]
    listing_of = S["listing"][gathered]
    keep, first = np.unique(listing_of, return_index=True)  # slots are sorted by start
    return keep, gathered[first]


def _candidates(run: MatchRun, problem: Problem, now: dt.datetime, weights: dict) -> None:
    L, S = problem.listings, problem.slots
    w = np.array([weights[c] for c in COMPONENTS], dtype=np.float64)
    w_sum = w.sum() or 1.0
    limit = settings.MATCHING_MAX_CANDIDATES_PER_NEED
    now_ts = now.timestamp()
    cache: dict = {}
    slots_memo: dict = {}
    step = max(1, len(problem.needs) // 12)
    empty = np.empty(0, dtype=np.int64)
    for pos, need in enumerate(problem.needs):
        if pos and pos % step == 0:
            _progress(run, 10 + int(60 * pos / len(problem.needs)))
        idx = _covering(need, L, cache)
        turned_down = problem.declined.get(need["id"])
        if turned_down and len(idx):
            listings, providers = turned_down
            keep = ~np.isin(L["id"][idx], list(listings))
            if providers:
                keep &= ~np.isin(L["provider_id"][idx].astype(str), list(providers))
            idx = idx[keep]
        reason = ""
        if not len(idx):
            reason = NO_COVERAGE
        else:
            # Needs of one area with the same weekly pattern share their slots: the earliest
            # fitting slots are looked up once per (area, windows), not once per need.
            memo_key = None
            if need["place"] != Need.Place.BRANCH and not turned_down:
                memo_key = (
                    need["domain"],
                    need["category_id"],
                    need["division_id"],
                    tuple(sorted(_windows(need))),
                )
            found = slots_memo.get(memo_key) if memo_key else None
            if found is None:
                found = _earliest_slots(need, idx, S)
                if memo_key:
                    slots_memo[memo_key] = found
            idx, slot = found
            if not len(idx):
                reason = NO_TIME_OVERLAP
        if not reason:
            ok = L["price"][idx] <= need["budget_max_fen"]
            idx, slot = idx[ok], slot[ok]
            if not len(idx):
                reason = OVER_BUDGET
        if not reason:
            required = 0
            for kind in need["certificates"] or []:
                required |= CERT_BITS.get(kind, 0)
            ok = (L["cert"][idx] & required) == required
            if need["caregiver_gender"]:
                bit = GENDER_BITS.get(need["caregiver_gender"], 0)
                ok &= (L["gender"][idx] & bit) == bit
            idx, slot = idx[ok], slot[ok]
            if not len(idx):
                reason = MISSING_CERTIFICATE
        if reason:
            problem.reasons[pos] = reason
            problem.cand.append((empty, empty, np.empty(0), np.empty((0, len(COMPONENTS)))))
            continue
        comp = _components(need, idx, slot, L, S, now_ts)
        score = comp @ w / w_sum
        order = np.lexsort((L["id"][idx], -np.round(score, 9)))[:limit]
        problem.cand.append((idx[order], slot[order], score[order], comp[order]))


def _components(need, idx, slot, L, S, now_ts) -> np.ndarray:
    lat, lng = float(need["latitude"]), float(need["longitude"])
    km = _distance(lat, lng, L["lat"][idx], L["lng"][idx])
    reach = float(need["max_distance_km"]) if need["place"] == Need.Place.BRANCH else HOME_RADIUS_KM
    distance = np.clip(1 - km / max(reach, 0.001), 0, 1)
    distance = np.where(L["mode"][idx] == MODE_ONLINE, 0.5, distance)
    quality = np.where(np.isnan(L["quality"][idx]), 0.6, L["quality"][idx] / 5)
    grade = np.where(L["graded"][idx], 1.0, 0.5)
    lo, hi = need["budget_min_fen"], need["budget_max_fen"]
    if hi > lo:
        price = 1 - 0.5 * np.clip((L["price"][idx] - lo) / (hi - lo), 0, 1)
    else:
        price = np.ones(len(idx))
    hours = (S["start"][slot] - now_ts) / 3600
    availability = np.clip(1 - hours / (HORIZON_DAYS * 24), 0, 1)
    wanted = [L["language_bits"][x] for x in dict.fromkeys(need["languages"] or [])]
    if wanted:
        language = sum(((L["lang"][idx] & bit) != 0).astype(float) for bit in wanted) / len(wanted)
    else:
        language = np.ones(len(idx))
    past = L["history"].get(need["resident_id"])
    continuity = (
        np.isin(L["provider"][idx], past).astype(float) if past is not None else np.zeros(len(idx))
    )
    return np.column_stack(
        [distance, quality, grade, price, availability, language, continuity]
    ).astype(np.float64)


# --- Assignment ---------------------------------------------------------------------------


def solve_assignment(
    need_of_arc: np.ndarray,
    slot_of_arc: np.ndarray,
    cost_of_arc: np.ndarray,
    capacity: np.ndarray,
    n_needs: int,
) -> tuple[np.ndarray, int]:
    """Min-cost flow: which arcs (need → slot) carry a need, and the total cost (unassigned
    needs count UNASSIGNED_COST). `capacity[s]` is slot s's free places; slots are numbered
    0..len(capacity)-1 and arcs must be sorted for determinism by the caller."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    source, sink = 0, 1
    need_node = 2 + np.arange(n_needs, dtype=np.int64)
    slot_node = 2 + n_needs + np.arange(len(capacity), dtype=np.int64)
    m = len(need_of_arc)
    tails = np.concatenate(
        [np.full(n_needs, source), need_node[need_of_arc], slot_node, need_node]
    ).astype(np.int32)
    heads = np.concatenate(
        [need_node, slot_node[slot_of_arc], np.full(len(capacity), sink), np.full(n_needs, sink)]
    ).astype(np.int32)
    caps = np.concatenate([np.ones(n_needs), np.ones(m), capacity, np.ones(n_needs)]).astype(
        np.int64
    )
    costs = np.concatenate(
        [np.zeros(n_needs), cost_of_arc, np.zeros(len(capacity)), np.full(n_needs, UNASSIGNED_COST)]
    ).astype(np.int64)
    if n_needs == 0:
        return np.zeros(0, dtype=bool), 0
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    smcf.set_node_supply(source, n_needs)
    smcf.set_node_supply(sink, -n_needs)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not find an optimum (status {status})")
    flows = smcf.flows(arcs[n_needs : n_needs + m])
    return flows > 0, int(smcf.optimal_cost())


def _assign(problem: Problem) -> None:
    sizes = np.array([len(c[0]) for c in problem.cand], dtype=np.int64)
    if not sizes.sum():
        problem.flow_cost = UNASSIGNED_COST * len(problem.needs)
        return
    need_of_arc = np.repeat(np.arange(len(problem.needs)), sizes)
    slot_global = np.concatenate([c[1] for c in problem.cand])
    score = np.concatenate([c[2] for c in problem.cand])
    used, slot_of_arc = np.unique(slot_global, return_inverse=True)
    cost = np.round((1 - score) * 1000).astype(np.int64)
    chosen, problem.flow_cost = solve_assignment(
        need_of_arc, slot_of_arc, cost, problem.slots["remaining"][used], len(problem.needs)
    )
    offsets = np.cumsum(sizes) - sizes
    for arc in np.flatnonzero(chosen):
        pos = int(need_of_arc[arc])
        problem.assigned[pos] = int(arc - offsets[pos])


# --- Publication --------------------------------------------------------------------------


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    cosine = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(
        math.radians(lng2 - lng1)
    )
    return EARTH_KM * math.acos(max(-1.0, min(1.0, cosine)))


def _reasons(need, comp, li, si, L, S, memo: dict) -> list[str]:
    """The score in words. What depends only on the listing or the slot is worded once per run
    (`memo`), since a listing or slot is proposed to many needs."""
    reasons = []
    if L["mode"][li] == MODE_ONLINE:
        reasons.append("线上服务")
    else:
        km = _km(float(need["latitude"]), float(need["longitude"]), L["lat"][li], L["lng"][li])
        reasons.append(f"距离 {km:.1f} 公里")
    listing_words = memo.get(("l", li))
    if listing_words is None:
        listing_words = []
        if not math.isnan(L["quality"][li]):
            listing_words.append(f"居民评分 {L['quality'][li]:.1f}")
        if L["grade"][li]:
            listing_words.append(f"官方评定 {L['grade'][li]}")
        memo[("l", li)] = listing_words
    reasons.extend(listing_words)
    for kind in need["certificates"] or []:
        reasons.append(f"有 {CERT_LABELS.get(kind, kind)} 证书")
    price_words = memo.get(("p", li))
    if price_words is None:
        price = int(L["price"][li])
        yuan = f"{price // 100}" if price % 100 == 0 else f"{price / 100:.2f}"
        price_words = memo[("p", li)] = f"价格 ¥{yuan} 在预算内"
    reasons.append(price_words)
    slot_words = memo.get(("s", si))
    if slot_words is None:
        start = dt.datetime.fromtimestamp(S["start"][si], dt.UTC).astimezone(
            timezone.get_current_timezone()
        )
        slot_words = memo[("s", si)] = f"最早 {start.month}月{start.day}日 {start:%H:%M} 可约"
    reasons.append(slot_words)
    shared = [x for x in need["languages"] or [] if int(L["lang"][li]) & L["language_bits"][x]]
    if shared:
        reasons.append(f"会说 {'、'.join(shared)}")
    if comp[COMPONENTS.index("continuity")] >= 1:
        reasons.append("曾在该机构接受服务")
    return reasons


def _write(run, problem, now, weights, inputs, digest, timings) -> dict:
    """Publish in one transaction: conditional need updates (a need changed or withdrawn
    meanwhile keeps its state and gets no candidates), supersede, insert, succeed."""
    L, S = problem.listings, problem.slots
    top_k = settings.MATCHING_TOP_K
    updates = []
    for pos, need in enumerate(problem.needs):
        has = len(problem.cand[pos][0]) > 0
        if pos in problem.assigned:
            status, reason = Need.Status.MATCHED, ""
        else:
            status = Need.Status.OPEN
            reason = problem.reasons.get(pos, NO_CAPACITY if has else "")
        updates.append((need["id"], need["version"], status, reason))

    counts = {
        "needs": len(problem.needs),
        "candidates": 0,
        "assigned": len(problem.assigned),
        "unmatched": {},
        "flow_cost": problem.flow_cost,
    }
    with transaction.atomic():
        current = set()
        with connection.cursor() as cursor:
            for chunk in range(0, len(updates), 5000):
                part = updates[chunk : chunk + 5000]
                values = ",".join(["(%s,%s,%s,%s)"] * len(part))
                cursor.execute(
                    f"""
                    UPDATE {Need._meta.db_table} AS n
                       SET status = v.status, unmatched_reason = v.reason
                      FROM (VALUES {values}) AS v(id, version, status, reason)
                     WHERE n.id = v.id AND n.version = v.version
                       AND n.status IN %s
                 RETURNING n.id
                    """,  # noqa: S608 (table name from the model, values as parameters)
                    [x for row in part for x in row] + [tuple(Need.OPEN_STATES)],
                )
                current.update(row[0] for row in cursor.fetchall())
        Candidate.objects.filter(
            need_id__in=sorted(current), status=Candidate.Status.PROPOSED
        ).exclude(run=run).update(status=Candidate.Status.SUPERSEDED)

        rows = []
        proposed = []
        memo: dict = {}
        for pos, need in enumerate(problem.needs):
            if need["id"] not in current:
                continue
            idx, slot, score, comp = problem.cand[pos]
            if not len(idx):
                reason = problem.reasons.get(pos, "")
                counts["unmatched"][reason] = counts["unmatched"].get(reason, 0) + 1
                continue
            order = list(range(len(idx)))
            chosen = problem.assigned.get(pos)
            if chosen is None:
                counts["unmatched"][NO_CAPACITY] = counts["unmatched"].get(NO_CAPACITY, 0) + 1
            else:
                order.remove(chosen)
                order.insert(0, chosen)
                proposed.append(need)
            for rank, c in enumerate(order[:top_k]):
                li, si = int(idx[c]), int(slot[c])
                rows.append(
                    (
                        run.pk,
                        need["id"],
                        int(L["id"][li]),
                        str(L["provider_id"][li]),
                        int(S["id"][si]),
                        rank,
                        rank == 0 and chosen is not None,
                        round(float(score[c]), 6),
                        {
                            name: {"value": round(float(comp[c][j]), 4), "weight": weights[name]}
                            for j, name in enumerate(COMPONENTS)
                        },
                        _reasons(need, comp[c], li, si, L, S, memo),
                        now,
                    )
                )
        _copy_candidates(rows)
        counts["candidates"] = len(rows)
        counts["skipped_changed"] = len(problem.needs) - len(current)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.SUCCEEDED,
            inputs=inputs,
            inputs_digest=digest,
            counts=counts,
            timings=timings,
            progress=100,
            finished_at=timezone.now(),
        )
        if proposed:
            transaction.on_commit(lambda: _enqueue_notices(run.pk))
    return counts


COPY_COLUMNS = (
    "run_id",
    "need_id",
    "listing_id",
    "provider_id",
    "slot_id",
    "rank",
    "assigned",
    "score",
    "components",
    "reasons",
    "created_at",
    "status",
    "provider_decision",
    "decline_reason",
)


def _copy_candidates(rows: list[tuple]) -> None:
    """Insert candidates with COPY (tens of thousands per run; bulk_create is ten times slower),
    inside the caller's transaction. Columns not listed keep NULL (slot booking, respond_by)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        *head, components, reasons, created_at = row
        writer.writerow(
            [
                *head[:6],
                "t" if head[6] else "f",
                repr(head[7]),
                json.dumps(components, ensure_ascii=False, separators=(",", ":")),
                json.dumps(reasons, ensure_ascii=False, separators=(",", ":")),
                created_at.isoformat(),
                Candidate.Status.PROPOSED.value,
                Candidate.ProviderDecision.PENDING.value,
                "",
            ]
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        columns = ", ".join(COPY_COLUMNS)
        table = Candidate._meta.db_table
        # An empty unquoted CSV field is NULL: decline_reason is an empty string instead.
        options = "FORMAT csv, FORCE_NOT_NULL (decline_reason)"
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH ({options})", buffer)


def _enqueue_notices(run_id: int) -> None:
    from matching.tasks import notify_proposals

    notify_proposals.delay(run_id)


def run_notify(run_id: int) -> int:
    """Tell each resident whose need got an assignment in this run (once per run and need)."""
    from portal.notifications.services import notify

    created = 0
    for candidate in (
        Candidate.objects.filter(run_id=run_id, assigned=True, status=Candidate.Status.PROPOSED)
        .select_related("need__resident", "listing")
        .order_by("need_id")
    ):
        created += notify(
            recipients=[candidate.need.resident],
            kind="match_proposed",
            title="您的服务需求有了推荐",
            body=f"为您推荐：{candidate.listing.title}。{'；'.join(candidate.reasons[:3])}",
            dedupe_key=f"match-run-{run_id}-need-{candidate.need_id}",
        )
    return created
