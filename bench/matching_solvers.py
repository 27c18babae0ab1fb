"""The candidate solvers for a round, timed on the same instance (``bench/matching.py --compare``).

Mentoring: scipy ``linear_sum_assignment`` over mentor slots (dense) against OR-Tools'
``SimpleMinCostFlow`` (sparse, capacities on the mentor arcs); both must reach the same total.
Peers: rustworkx's and networkx's ``max_weight_matching`` on a smaller round (networkx is pure
Python). Each prints wall and CPU seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow
from scipy.optimize import linear_sum_assignment

from cogs.mentors.matrix import score_matrix, tie_break_matrix
from cogs.mentors.participants import History, Participant, Role
from cogs.mentors.solver import max_weight_pairs


def _timed(label: str, run: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    print(
        f"  {label:<58} {time.perf_counter() - wall:6.2f} s wall "
        f"{time.process_time() - cpu:6.2f} s CPU"
    )
    return result


def _lsa(weights: NDArray[np.int64], capacities: list[int]) -> int:
    slots = np.repeat(np.arange(len(capacities)), capacities)
    dense = weights[slots].astype(np.float64)
    rows, cols = linear_sum_assignment(dense, maximize=True)
    return int(weights[slots[rows], cols].sum())


def _flow(weights: NDArray[np.int64], capacities: list[int]) -> int:
    n_rows, n_cols = weights.shape
    rows, cols = np.nonzero(weights)
    source, sink = n_rows + n_cols, n_rows + n_cols + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.full(n_rows, source), rows, n_rows + np.arange(n_cols)]),
        np.concatenate([np.arange(n_rows), n_rows + cols, np.full(n_cols, sink)]),
        np.concatenate([np.array(capacities), np.ones(len(rows) + n_cols, dtype=np.int64)]),
        np.concatenate(
            [np.zeros(n_rows, np.int64), -weights[rows, cols], np.zeros(n_cols, np.int64)]
        ),
    )
    # Not every place need be filled: a free arc from the source to the sink takes the rest.
    flow.add_arc_with_capacity_and_unit_cost(source, sink, sum(capacities), 0)
    flow.set_node_supply(source, sum(capacities))
    flow.set_node_supply(sink, -sum(capacities))
    status = flow.solve()
    assert status == flow.OPTIMAL, status
    return -int(flow.optimal_cost())


def _networkx(weights: NDArray[np.int64]) -> int:
    graph = nx.Graph()
    rows, cols = np.nonzero(np.triu(weights, 1))
    graph.add_weighted_edges_from(
        zip(rows.tolist(), cols.tolist(), weights[rows, cols].tolist(), strict=True)
    )
    return sum(int(weights[a, b]) for a, b in nx.max_weight_matching(graph))


def compare(people: list[Participant], history: History, round_on: date, seed: int) -> None:
    mentors = sorted((p for p in people if p.role is Role.MENTOR), key=lambda p: p.person_id)
    mentees = sorted((p for p in people if p.role is Role.MENTEE), key=lambda p: p.person_id)
    matrix = score_matrix(mentors, mentees, round_on=round_on, history=history, mentoring=True)
    weights = matrix.points.astype(np.int64) * (1 << 22) + tie_break_matrix(mentors, mentees, seed)
    weights[~matrix.allowed] = 0
    capacities = [m.capacity for m in mentors]
    print(
        f"\ncandidate solvers, mentoring {len(mentees):,} x {len(mentors):,} "
        f"({int(matrix.allowed.sum()):,} allowed pairs):"
    )
    a = _timed(
        "scipy linear_sum_assignment, mentor slots x mentees", lambda: _lsa(weights, capacities)
    )
    b = _timed("OR-Tools SimpleMinCostFlow, sparse arcs", lambda: _flow(weights, capacities))
    print(f"  same optimum: {a == b}")
    peers = sorted((p for p in people if p.role is Role.PEER), key=lambda p: p.person_id)
    for n in (150, 300):
        group = peers[:n]
        m = score_matrix(group, group, round_on=round_on, history=history, mentoring=False)
        w = m.points.astype(np.int64) * (1 << 20) + tie_break_matrix(group, group, seed)
        w[~m.allowed] = 0
        r, c = np.nonzero(np.triu(w, 1))
        print(f"candidate solvers, peers {n} ({int(np.triu(m.allowed, 1).sum()):,} allowed pairs):")
        x = _timed(
            "rustworkx max_weight_matching",
            lambda w=w, r=r, c=c: sum(
                int(w[i, j]) for i, j in max_weight_pairs(len(w), r, c, w[r, c])
            ),
        )
        y = _timed("networkx max_weight_matching", lambda w=w: _networkx(w))
        print(f"  same optimum: {x == y}")
