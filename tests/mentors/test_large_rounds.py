"""Large peer rounds: candidate pairs plus a proven bound never break a rule, never claim more
than they prove, and the bound really bounds every possible round."""

from __future__ import annotations

import random
from collections import Counter

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.mentors.large_rounds import candidate_pairs, fractional_bound
from cogs.mentors.solver import MatchKind, match_peers
from tests.mentors.strategies import ROUND_ON, peer_rounds
from tests.mentors.test_solver import (
    ON,
    Case,
    assert_rules_hold,
    brute_force_matching,
    open_peer,
)


def pairs_points(plan_matches: tuple) -> int:  # type: ignore[type-arg]
    return sum(m.pairs[0].points for m in plan_matches)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(peer_rounds())
def test_candidate_rounds_keep_the_rules_and_their_gap_brackets_the_optimum(case: Case) -> None:
    peers, history = case
    plan = match_peers(peers, round_on=ROUND_ON, history=history, dense_pairs_at_most=0)
    assert_rules_hold(plan, peers, history)
    best = brute_force_matching(peers, history)
    found = pairs_points(plan.matches)
    assert found <= best <= found + plan.gap
    if plan.gap == 0:
        assert found == best


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda n: st.lists(st.integers(0, 40), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2)
    )
)
def test_the_fractional_bound_is_at_least_the_best_matching(upper: list[int]) -> None:
    n = next(k for k in range(1, 12) if k * (k - 1) // 2 == len(upper))
    points = np.zeros((n, n), dtype=np.int32)
    points[np.triu_indices(n, 1)] = upper
    points += points.T
    graph = nx.Graph()
    for i, j in zip(*np.nonzero(np.triu(points, 1)), strict=True):
        graph.add_edge(int(i), int(j), weight=int(points[i, j]))
    best = sum(graph.edges[a, b]["weight"] for a, b in nx.max_weight_matching(graph))
    bound, partner = fractional_bound(points)
    assert bound >= best
    assert sorted(partner.tolist()) == list(range(n))
    rows, cols = candidate_pairs(points, points > 0, partner)
    assert all(points[i, j] > 0 and i < j for i, j in zip(rows, cols, strict=True))


def test_on_a_bipartite_score_the_bound_is_tight_and_the_round_proven() -> None:
    """Two time zones far apart and topics only across them: no odd cycle, no gap."""
    left = [open_peer(i) for i in range(6)]
    right = [open_peer(i + 6, "Asia/Tokyo") for i in range(6)]
    avoid = {a.person_id: [b.person_id for b in left if b is not a] for a in left}
    avoid |= {a.person_id: [b.person_id for b in right if b is not a] for a in right}
    from cogs.mentors.participants import History

    plan = match_peers(
        left + right, round_on=ON, history=History.of(avoid=avoid), dense_pairs_at_most=0
    )
    assert plan.gap == 0
    assert len(plan.matches) == 6


@settings(derandomize=True, max_examples=20, deadline=None)
@given(st.integers(3, 15).filter(lambda n: n % 2 == 1), st.integers(0, 100))
def test_an_odd_large_round_still_makes_one_trio(n: int, seed: int) -> None:
    peers = [
        open_peer(i, random.Random(i).choice(["UTC", "Asia/Tokyo", "America/Denver"]))
        for i in range(n)
    ]
    plan = match_peers(peers, round_on=ON, seed=seed, dense_pairs_at_most=0)
    kinds = Counter(m.kind for m in plan.matches)
    assert kinds[MatchKind.TRIO] == 1
    assert plan.unmatched == ()


@settings(derandomize=True, max_examples=20, deadline=None)
@given(peer_rounds(), st.integers(0, 1000), st.randoms())
def test_a_large_round_is_the_same_whatever_the_order(
    case: Case, seed: int, shuffler: random.Random
) -> None:
    peers, history = case
    shuffled = list(peers)
    shuffler.shuffle(shuffled)
    one = match_peers(peers, round_on=ROUND_ON, history=history, seed=seed, dense_pairs_at_most=0)
    again = match_peers(
        shuffled, round_on=ROUND_ON, history=history, seed=seed, dense_pairs_at_most=0
    )
    assert one == again
