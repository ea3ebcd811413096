"""Candidates per need: hard constraints in order, then the score components."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from django.conf import settings

from matching.models import MatchRun, Need
from matching.services.engine.constants import (
    CERT_BITS,
    COMPONENTS,
    EARTH_KM,
    GENDER_BITS,
    GRID_DEG,
    HOME_RADIUS_KM,
    HORIZON_DAYS,
    MISSING_CERTIFICATE,
    MODE_ONLINE,
    NO_COVERAGE,
    NO_TIME_OVERLAP,
    OVER_BUDGET,
)
from matching.services.engine.load import Problem, _progress


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
