"""The match engine at city scale: listings of BENCH_MATCH_PROVIDERS providers with two weeks
of slots, BENCH_MATCH_NEEDS open needs, one run over all of 成都市 (run_execute).

Prints the wall time of each phase (load, candidates, assignment, write), the peak memory of
the process (ru_maxrss) and of the run's Python allocations (tracemalloc), the counts, then
checks the min-cost-flow assignment against an exact LP (GLOP; the assignment LP is totally
unimodular, so its optimum is integral) on a sample of needs and prints the relative gap.
Target: the run within 30 s at full size. Nothing is asserted about time.

    BENCH_MATCH_NEEDS=50000       open needs
    BENCH_MATCH_PROVIDERS=20000   providers (one branch and one listing each)
    BENCH_MATCH_SAMPLE=500        needs in the exactness check
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import time
import tracemalloc
from decimal import Decimal

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone
from ortools.linear_solver import pywraplp

from matching.models import Candidate, MatchRun, Need
from matching.services import engine
from portal.accounts.models import Division, User
from providers.demo import demo_credit_code
from providers.models import Branch, Certificate, Provider, StaffMember
from services.models import Listing, Slot

NEEDS = int(os.environ.get("BENCH_MATCH_NEEDS", "50000"))
PROVIDERS = int(os.environ.get("BENCH_MATCH_PROVIDERS", "20000"))
SAMPLE = int(os.environ.get("BENCH_MATCH_SAMPLE", "500"))
CATEGORIES = ["elder_meals", "elder_bathing", "elder_cleaning", "elder_emergency"]
BATCH = 5000


def _coords(district: Division, rnd: random.Random) -> tuple[Decimal, Decimal]:
    lat = float(district.latitude) + rnd.uniform(-0.04, 0.04)
    lng = float(district.longitude) + rnd.uniform(-0.04, 0.04)
    return Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")


def _populate(rnd: random.Random) -> None:
    districts = list(Division.objects.filter(code__startswith="5101", level="county"))
    now = timezone.now()
    providers = [
        Provider(
            name=f"基准机构{i}",
            division_id=(d := rnd.choice(districts)).code,
            credit_code=demo_credit_code(d.code, 700_000 + i),
            domains=["eldercare"],
            approved_domains=["eldercare"],
            status=Provider.Status.APPROVED,
            official_grade=rnd.choice(["", "", "三级", "四级"]),
        )
        for i in range(PROVIDERS)
    ]
    Provider.objects.bulk_create(providers, batch_size=BATCH)
    by_code = {d.code: d for d in districts}
    branches = []
    for p in providers:
        lat, lng = _coords(by_code[p.division_id], rnd)
        branches.append(
            Branch(
                provider=p,
                name="网点",
                address="基准地址",
                division_id=p.division_id,
                latitude=lat,
                longitude=lng,
            )
        )
    Branch.objects.bulk_create(branches, batch_size=BATCH)
    modes = ["at_home"] * 12 + ["at_branch"] * 7 + ["online"]
    listings = [
        Listing(
            provider=b.provider,
            branch=b,
            category_id=rnd.choice(CATEGORIES),
            title="基准服务",
            price_fen=rnd.randrange(2000, 15000, 100),
            price_unit="visit",
            delivery_mode=rnd.choice(modes),
            status="published",
            is_public=True,
            domain="eldercare",
            district=b.division_id[:6],
            quality_score=rnd.choice([None, round(rnd.uniform(3, 5), 2)]),
            languages=rnd.choice([[], ["普通话"], ["普通话", "四川话"]]),
        )
        for b in branches
    ]
    Listing.objects.bulk_create(listings, batch_size=BATCH)
    through = Listing.service_divisions.through
    codes = list(by_code)
    through.objects.bulk_create(
        [
            through(listing_id=x.pk, division_id=code)
            for x in listings
            if x.delivery_mode == "at_home"
            for code in {x.district, rnd.choice(codes)}
        ],
        batch_size=BATCH,
    )
    staff = [
        StaffMember(
            provider=p,
            name="护理员",
            gender=rnd.choice(["female", "male"]),
            role="caregiver",
            id_number_hash=f"bench{i}",
            id_number_masked="5****1",
            languages=rnd.choice([["普通话"], ["四川话"]]),
        )
        for i, p in enumerate(providers)
    ]
    StaffMember.objects.bulk_create(staff, batch_size=BATCH)
    Certificate.objects.bulk_create(
        [
            Certificate(staff=s, kind="eldercare_worker", number=f"B{i}", issuer="人社厅")
            for i, s in enumerate(staff)
            if i % 2 == 0
        ],
        batch_size=BATCH,
    )
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    slots = []
    for x in listings:
        for day in rnd.sample(range(1, 14), 5):
            for hour in rnd.sample([9, 11, 14, 16], 2):
                cap = rnd.choice([1, 1, 2, 3])
                begins = start + dt.timedelta(days=day, hours=hour)
                slots.append(
                    Slot(
                        listing=x,
                        starts_at=begins,
                        ends_at=begins + dt.timedelta(hours=1),
                        capacity=cap,
                        remaining=cap,
                        generated=False,
                    )
                )
        if len(slots) >= 50_000:
            Slot.objects.bulk_create(slots, batch_size=BATCH)
            slots = []
    Slot.objects.bulk_create(slots, batch_size=BATCH)

    users = [
        User(phone=f"+86139{i:08d}", name=f"居民{i}", password="!") for i in range(NEEDS // 5 + 1)
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    needs = []
    for i in range(NEEDS):
        d = rnd.choice(districts)
        lat, lng = _coords(d, rnd)
        days = rnd.sample(range(7), 2)
        needs.append(
            Need(
                resident=users[i // 5],
                domain="eldercare",
                category_id=rnd.choice(CATEGORIES) if rnd.random() < 0.7 else None,
                place="branch" if rnd.random() < 0.3 else "home",
                division_id=d.code,
                latitude=lat,
                longitude=lng,
                max_distance_km=5,
                windows=[{"weekday": w, "start": "08:00", "end": "18:00"} for w in days],
                budget_min_fen=0,
                budget_max_fen=rnd.randrange(3000, 20000, 500),
                certificates=["eldercare_worker"] if rnd.random() < 0.1 else [],
                caregiver_gender=rnd.choice(["female", "male"]) if rnd.random() < 0.1 else "",
                languages=["四川话"] if rnd.random() < 0.3 else [],
            )
        )
        if len(needs) >= BATCH:
            Need.objects.bulk_create(needs, batch_size=BATCH)
            needs = []
    Need.objects.bulk_create(needs, batch_size=BATCH)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _exact_lp(need_of_arc, slot_of_arc, cost, capacity, n_needs) -> int:
    solver = pywraplp.Solver.CreateSolver("GLOP")
    x = [solver.NumVar(0, 1, "") for _ in range(len(cost))]
    u = [solver.NumVar(0, 1, "") for _ in range(n_needs)]
    per_need = [[] for _ in range(n_needs)]
    per_slot = [[] for _ in range(len(capacity))]
    for a in range(len(cost)):
        per_need[need_of_arc[a]].append(x[a])
        per_slot[slot_of_arc[a]].append(x[a])
    for j in range(n_needs):
        solver.Add(solver.Sum(per_need[j]) + u[j] == 1)
    for s, arcs in enumerate(per_slot):
        solver.Add(solver.Sum(arcs) <= int(capacity[s]))
    solver.Minimize(
        solver.Sum(int(c) * v for c, v in zip(cost, x, strict=True))
        + solver.Sum(engine.UNASSIGNED_COST * v for v in u)
    )
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return round(solver.Objective().Value())


def _sample_check(problem: engine.Problem) -> None:
    with_arcs = [i for i, c in enumerate(problem.cand) if len(c[0])][:SAMPLE]
    need_of_arc = np.concatenate(
        [np.full(len(problem.cand[i][0]), k) for k, i in enumerate(with_arcs)]
    )
    slot_global = np.concatenate([problem.cand[i][1] for i in with_arcs])
    score = np.concatenate([problem.cand[i][2] for i in with_arcs])
    used, slot_of_arc = np.unique(slot_global, return_inverse=True)
    cost = np.round((1 - score) * 1000).astype(np.int64)
    capacity = problem.slots["remaining"][used]
    _, flow_cost = engine.solve_assignment(need_of_arc, slot_of_arc, cost, capacity, len(with_arcs))
    started = time.perf_counter()
    exact = _exact_lp(need_of_arc, slot_of_arc, cost, capacity, len(with_arcs))
    lp_seconds = time.perf_counter() - started
    # Greedy (best score first, first come first served) for scale.
    left = capacity.copy()
    greedy = 0
    for k in range(len(with_arcs)):
        arcs = np.flatnonzero(need_of_arc == k)
        taken = next((a for a in arcs if left[slot_of_arc[a]] > 0), None)
        if taken is None:
            greedy += engine.UNASSIGNED_COST
        else:
            left[slot_of_arc[taken]] -= 1
            greedy += int(cost[taken])
    gap = (flow_cost - exact) / exact if exact else 0.0
    print(
        f"  exactness on {len(with_arcs)} needs ({len(cost)} arcs): min-cost flow {flow_cost}, "
        f"exact LP {exact} ({lp_seconds:.2f} s), gap {gap:.4%}; greedy {greedy} "
        f"(+{(greedy - exact) / exact if exact else 0:.2%})"
    )
    assert flow_cost == exact


@pytest.mark.django_db
def test_bench_match_run(monkeypatch):
    rnd = random.Random(20261201)
    started = time.perf_counter()
    _populate(rnd)
    print(
        f"\nmatching: {PROVIDERS} providers/listings, {Slot.objects.count()} slots, "
        f"{NEEDS} needs (setup {time.perf_counter() - started:.1f} s)"
    )
    captured = {}

    def capture(run, phase, **state):
        if phase == "assigned":
            captured["problem"] = state["problem"]

    monkeypatch.setattr(engine, "_checkpoint", capture)
    run = MatchRun.objects.create(domain="eldercare", division_id="510100")
    traced = os.environ.get("BENCH_MATCH_TRACEMALLOC") == "1"  # slows the run several times
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    run = engine.run_execute(run.pk)
    wall = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"  run {run.status}: {wall:.1f} s wall (target 30 s: ratio {wall / 30:.2f})")
    for phase, seconds in run.timings.items():
        print(f"    {phase:<11} {seconds:7.2f} s")
    traced_text = f", {traced_peak / 2**20:.0f} MB traced in the run" if traced else ""
    print(f"  peak memory: {rss_mb:.0f} MB RSS (whole process){traced_text}")
    counts = run.counts
    print(
        f"  needs {counts['needs']}, candidates {counts['candidates']}, assigned "
        f"{counts['assigned']}, unmatched {counts['unmatched']}, flow cost {counts['flow_cost']}"
    )
    assert run.status == MatchRun.Status.SUCCEEDED
    assert Candidate.objects.filter(run=run, assigned=True).count() == counts["assigned"]
    _sample_check(captured["problem"])

    started = time.perf_counter()
    again = engine.run_execute(MatchRun.objects.create(domain="eldercare", division_id="510100").pk)
    print(f"  rerun with the same inputs: {time.perf_counter() - started:.1f} s, {again.counts}")
    assert again.counts == {"reused": run.pk}
