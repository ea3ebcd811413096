"""Assignment of every need at once by min-cost flow over the candidates' slots."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from matching.services.engine.constants import UNASSIGNED_COST
from matching.services.engine.load import Problem


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
