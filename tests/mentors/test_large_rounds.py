"""Large peer rounds: the LP-proven round is the best over all allowed pairs, the same round the
dense blossom method picks, and a round stopped early reports a gap that really bounds it."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import rustworkx as rx
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from cogs.mentors.large_rounds import candidate_pairs, match_large_round
from cogs.mentors.participants import History
from cogs.mentors.solver import MatchKind, match_peers, max_weight_pairs
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


def random_round(
    n: int, seed: int, top: int = 50, blocked: float = 0.2
) -> tuple[NDArray[np.int32], NDArray[np.bool_]]:
    """A symmetric matrix of random integer points 1..top, with a share of pairs blocked."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.integers(1, top + 1, (n, n)), 1)
    allowed = np.triu(rng.random((n, n)) >= blocked, 1)
    allowed |= allowed.T
    points = np.where(allowed, upper + upper.T, 0).astype(np.int32)
    return points, allowed


def clusters(groups: int, size: int, inside: int = 30, across: int = 1) -> NDArray[np.int32]:
    """Odd groups of people who all score ``inside`` together and ``across`` with the rest:
    half pairs around each group's odd cycles score more than any real round."""
    n = groups * size
    group = np.arange(n) // size
    points = np.where(group[:, None] == group[None, :], inside, across).astype(np.int32)
    np.fill_diagonal(points, 0)
    return points


def matcher(points: NDArray[np.int32]):  # type: ignore[no-untyped-def]
    n = len(points)
    return lambda rows, cols: max_weight_pairs(
        n, rows, cols, points[rows, cols].astype(np.int64) * 4096 + (rows * 31 + cols) % 97
    )


def best_over_all_pairs(points: NDArray[np.int32], allowed: NDArray[np.bool_]) -> int:
    graph: rx.PyGraph = rx.PyGraph()
    graph.add_nodes_from(range(len(points)))
    rows, cols = np.nonzero(np.triu(allowed, 1))
    graph.add_edges_from(
        list(zip(rows.tolist(), cols.tolist(), points[rows, cols].tolist(), strict=True))
    )
    return sum(int(points[a, b]) for a, b in rx.max_weight_matching(graph, weight_fn=int))


def test_the_proven_round_is_the_blossom_optimum_over_all_allowed_pairs() -> None:
    """Sparse candidates (2 per person) miss optimal pairs: pricing must bring them in."""
    for seed in range(40):
        n = 30 + seed % 31
        points, allowed = random_round(n, seed, top=random.Random(seed).choice([5, 50, 1000]))
        large = match_large_round(points, allowed, matcher(points), candidates_per_person=2)
        best = best_over_all_pairs(points, allowed)
        assert (large.points, large.bound) == (best, best), seed
        assert sum(int(points[i, j]) for i, j in large.pairs) == best
        assert all(allowed[i, j] for i, j in large.pairs)
        assert len({p for pair in large.pairs for p in pair}) == 2 * len(large.pairs)


def test_blossom_cuts_close_the_gap_of_odd_clusters() -> None:
    """Seven groups of five: the fractional bound is 7 * 75 = 525 points, a round at most
    7 * 60 + 3 * 1 = 423. Only blossom rows bring the LP's bound down to the round."""
    points = clusters(7, 5)
    allowed = points > 0
    best = best_over_all_pairs(points, allowed)
    large = match_large_round(points, allowed, matcher(points), pairs_at_most=1)
    assert (large.points, large.bound) == (best, best)
    assert large.cuts > 0


def test_a_forced_early_stop_reports_a_gap_that_bounds_every_round() -> None:
    for groups, size in [(7, 5), (9, 3), (5, 7)]:
        points = clusters(groups, size)
        allowed = points > 0
        best = best_over_all_pairs(points, allowed)
        large = match_large_round(
            points, allowed, matcher(points), rounds_at_most=1, pairs_at_most=0
        )
        assert large.points <= best <= large.bound
        assert large.bound > large.points
        assert large.lp_rounds == 1


@settings(derandomize=True, max_examples=100, deadline=None)
@given(peer_rounds())
def test_large_rounds_keep_the_rules_and_are_the_dense_round(case: Case) -> None:
    peers, history = case
    plan = match_peers(peers, round_on=ROUND_ON, history=history, dense_pairs_at_most=0)
    assert_rules_hold(plan, peers, history)
    assert plan.gap == 0
    assert pairs_points(plan.matches) == brute_force_matching(peers, history)
    dense = match_peers(peers, round_on=ROUND_ON, history=history)
    assert (plan.matches, plan.unmatched) == (dense.matches, dense.unmatched)


def test_a_large_round_is_the_dense_round_whatever_the_seed() -> None:
    """Ties everywhere (everyone may meet everyone, alike): the seed alone picks the round, and
    picks the same one on both ways."""
    peers = [open_peer(i) for i in range(40)]
    for seed in range(5):
        large = match_peers(peers, round_on=ON, seed=seed, dense_pairs_at_most=0)
        dense = match_peers(peers, round_on=ON, seed=seed)
        assert large.gap == 0
        assert large.matches == dense.matches
    rounds = {match_peers(peers, round_on=ON, seed=s).matches for s in range(5)}
    assert len(rounds) > 1


@settings(derandomize=True, max_examples=60, deadline=None)
@given(st.integers(2, 40), st.integers(1, 9), st.integers(0, 10_000))
def test_candidate_pairs_are_allowed_and_listed_once(n: int, k: int, seed: int) -> None:
    points, allowed = random_round(n, seed)
    rows, cols = candidate_pairs(points, allowed, k)
    assert all(allowed[i, j] and i < j for i, j in zip(rows, cols, strict=True))
    assert len(set(zip(rows.tolist(), cols.tolist(), strict=True))) == len(rows)


def test_on_a_bipartite_score_the_round_is_proven() -> None:
    """Two time zones far apart and topics only across them: no odd cycle, no gap."""
    left = [open_peer(i) for i in range(6)]
    right = [open_peer(i + 6, "Asia/Tokyo") for i in range(6)]
    avoid = {a.person_id: [b.person_id for b in left if b is not a] for a in left}
    avoid |= {a.person_id: [b.person_id for b in right if b is not a] for a in right}
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
