"""Loading a run's scope: one query per table, into column arrays (the Problem), and its digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from matching.models import Candidate, MatchRun, Need
from matching.services.engine.constants import (
    CERT_BITS,
    GENDER_BITS,
    GRID_DEG,
    HORIZON_DAYS,
    MODE_BRANCH,
    MODE_ONLINE,
    MODES,
)
from portal.accounts.models import division_prefix
from providers.models import Certificate, StaffMember
from services.models import Booking, Listing, Slot


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


# Here rather than in runs.py: both the runner and _candidates report progress, and
# candidates.py importing runs.py would be an import cycle.
def _progress(run: MatchRun, value: int) -> None:
    # A plain UPDATE outside the final transaction, so pollers see it.
    MatchRun.objects.filter(pk=run.pk).update(progress=value)


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
