"""Publication: reasons in words, the conditional need updates, COPY of candidates, notices."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from matching.models import Candidate, MatchRun, Need
from matching.services.engine.constants import (
    CERT_LABELS,
    COMPONENTS,
    EARTH_KM,
    MODE_ONLINE,
    NO_CAPACITY,
)
from portal.dispatch import enqueue


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
    from matching.services import engine as package  # the test hook, looked up at call time

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
                    """,  # noqa: S608 # nosec B608 - table name from the model, values as parameters
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
        # Written, not yet committed: a worker killed here must leave nothing visible.
        package._checkpoint(run, "publishing", problem=problem)
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

    enqueue(notify_proposals, run_id)


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
