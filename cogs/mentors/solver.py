"""The optimal round: the largest total score the hard rules allow, reproducible by its seed.

**Mentoring** is a capacity-constrained bipartite assignment (each mentee gets at most one
mentor, each mentor at most ``capacity`` mentees), solved as a min-cost flow with OR-Tools'
``SimpleMinCostFlow`` (exact integer arithmetic; `best_assignment`). Chosen by measurement over
scipy's ``linear_sum_assignment`` on expanded mentor slots, which reaches the same optimum: on
the 5,000 x 1,000 benchmark round the flow needs about 1.5 s of CPU, the dense slot assignment
about 2.5 s (``bench/matching.py --compare``).

**Peers** is a general matching: rustworkx's ``max_weight_matching`` (Edmonds' blossom method,
exact on integer weights) picks the pairs with the highest total score. With an odd number of
people somebody has no partner; that person joins the pair where the trio scores highest, the
sum of their scores with both members (only pairs where both are allowed). So "optimal" for
peers means: the pairs are a proven maximum-score matching, and the trio is the best place for
the one left over, given those pairs. At most one trio is formed; if several people are left
over (hard rules), the best (person, pair) trio is formed and the others stay unmatched.
The blossom method takes O(n^3) time on the complete graph: about 0.4 s of CPU for 400 peers,
about 4 minutes for 2,000. Rounds above `DENSE_PEER_PAIRS` allowed pairs are proven optimal by
the matching LP's dual (`large_rounds`), which leaves the blossom method ~15 thousand pairs
that hold every optimal round: the same round as on all pairs, in about 1-1.6 s of CPU at
2,000 peers (``bench/matching.py``). When the LP's cuts stall first, the plan's ``gap`` says
how far from the optimum the round can at most be (about 0.02 % on the seeds that stall).

**Ties.** Each pair's weight is ``points * scale + tie_break`` where ``tie_break`` is 0..1023
from `matrix.tie_break` (seeded, order-free) and ``scale`` exceeds the largest possible sum of
tie-breaks, so the tie-break only ever chooses between rounds of equal total points. Weights are
integers below 2**53, exact in float64; the same seed and the same people give the same round.
People are sorted by id first, so the order they are listed in does not matter either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import date

import numpy as np
import rustworkx as rx
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from cogs.mentors.large_rounds import DENSE_PEER_PAIRS, ROUNDS_AT_MOST, match_large_round
from cogs.mentors.matrix import (
    TIE_BREAK_BITS,
    ScoreMatrix,
    score_matrix,
    tie_break_keys,
    tie_breaks,
)
from cogs.mentors.participants import History, Participant, Role
from cogs.mentors.plans import Match, MatchKind, RoundKind, RoundPlan, Unmatched, UnmatchedWhy
from cogs.mentors.scoring import (
    Blocked,
    PairScore,
    Rule,
    ScoringRules,
    blocking_rule,
    score_pair,
)

_EXACT_FLOAT = 2**53


def _scale(pairs_at_most: int) -> int:
    """A power of two above the largest possible sum of tie-breaks in one round."""
    return 1 << (max(1, pairs_at_most) * ((1 << TIE_BREAK_BITS) - 1)).bit_length()


def _edge_weights(
    matrix: ScoreMatrix,
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    seed: int,
    pairs_at_most: int,
) -> NDArray[np.int64]:
    """``points * scale + tie_break`` for the allowed cells (rows[k], cols[k])."""
    scale = _scale(pairs_at_most)
    top = int(matrix.points.max(initial=0)) + 1
    if top * scale * max(1, pairs_at_most) >= _EXACT_FLOAT:
        raise ValueError(f"a round of {pairs_at_most} pairs scoring up to {top} is too large")
    weights = matrix.points[rows, cols].astype(np.int64) * scale
    row_keys = tie_break_keys(matrix.rows, seed)
    col_keys = tie_break_keys(matrix.cols, seed)
    weights += tie_breaks(row_keys[rows], col_keys[cols])
    return weights


def best_assignment(
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    weights: NDArray[np.int64],
    capacities: Sequence[int],
    n_cols: int,
) -> list[tuple[int, int]]:
    """A maximum-weight capacitated assignment: each column at most once, row ``i`` at most
    ``capacities[i]`` times, over the arcs (rows[k], cols[k]) of positive integer weight.

    Solved as a min-cost flow with OR-Tools (source -> row, capacity c_i; row -> column,
    capacity 1, cost -weight; column -> sink, capacity 1; plus a free source -> sink arc so
    places may stay empty). Integer arithmetic; RuntimeError unless OR-Tools reports OPTIMAL.
    Returns the chosen (row, column) pairs, sorted.
    """
    n_rows = len(capacities)
    places = int(sum(capacities))
    if not len(rows) or not places:
        return []
    source, sink = n_rows + n_cols, n_rows + n_cols + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        rows.astype(np.int32),
        (cols + n_rows).astype(np.int32),
        np.ones(len(rows), np.int64),
        -weights,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.full(n_rows, source, np.int32),
        np.arange(n_rows, dtype=np.int32),
        np.asarray(capacities, dtype=np.int64),
        np.zeros(n_rows, np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n_rows, n_rows + n_cols, dtype=np.int32),
        np.full(n_cols, sink, np.int32),
        np.ones(n_cols, np.int64),
        np.zeros(n_cols, np.int64),
    )
    flow.add_arc_with_capacity_and_unit_cost(source, sink, places, 0)
    flow.set_node_supply(source, places)
    flow.set_node_supply(sink, -places)
    status = flow.solve()
    if status != min_cost_flow.SimpleMinCostFlow.OPTIMAL:
        raise RuntimeError(f"the min-cost flow was not solved to optimality: {status}")
    used = flow.flows(pair_arcs) > 0
    return sorted(zip(rows[used].tolist(), cols[used].tolist(), strict=True))


def _rule_counts(
    person: Participant,
    others: Iterable[Participant],
    pair: Callable[[Participant, Participant], tuple[Participant, Participant]],
    *,
    round_on: date,
    history: History,
    rules: ScoringRules,
) -> tuple[tuple[Rule, int], ...]:
    counts: Counter[Rule] = Counter()
    for other in others:
        if other.person_id == person.person_id:
            continue
        a, b = pair(person, other)
        blocked = blocking_rule(a, b, round_on=round_on, history=history, rules=rules)
        if blocked is not None:
            counts[blocked.rule] += 1
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0].value)))


def _scored(
    a: Participant,
    b: Participant,
    *,
    round_on: date,
    history: History,
    rules: ScoringRules,
    topic_weight: Callable[[str], int],
    expected: int,
) -> PairScore:
    score = score_pair(
        a, b, round_on=round_on, history=history, rules=rules, topic_weight=topic_weight
    )
    if isinstance(score, Blocked) or score.points != expected:
        raise AssertionError(f"bulk and pair scores disagree for {a.person_id}, {b.person_id}")
    return score


def match_mentoring(
    people: Sequence[Participant],
    *,
    round_on: date,
    history: History = History(),
    rules: ScoringRules = ScoringRules(),
    topic_weight: Callable[[str], int] = lambda topic: 1,
    seed: int = 0,
) -> RoundPlan:
    """The maximum-score mentoring round among ``people`` (peers in the list are ignored).

    ``round_on`` is the round's date (cool-downs, repeat penalties and working hours are taken
    on it); ``seed`` picks among rounds of equal score. Returns every mentee and mentor either
    in a `Match` or in ``unmatched`` with a reason.
    """
    mentors = sorted((p for p in people if p.role is Role.MENTOR), key=lambda p: p.person_id)
    mentees = sorted((p for p in people if p.role is Role.MENTEE), key=lambda p: p.person_id)
    _check_unique([*mentors, *mentees])
    matrix = score_matrix(
        mentors,
        mentees,
        round_on=round_on,
        history=history,
        rules=rules,
        topic_weight=topic_weight,
        mentoring=True,
    )
    capacities = [m.capacity for m in mentors]
    rows, cols = np.nonzero(matrix.allowed)
    weights = _edge_weights(matrix, rows, cols, seed, min(sum(capacities), len(mentees)))
    chosen = best_assignment(rows, cols, weights, capacities, len(mentees))
    matches = tuple(
        Match(
            MatchKind.MENTORING,
            (mentors[i].person_id, mentees[j].person_id),
            (
                pair := _scored(
                    mentors[i],
                    mentees[j],
                    round_on=round_on,
                    history=history,
                    rules=rules,
                    topic_weight=topic_weight,
                    expected=int(matrix.points[i, j]),
                ),
            ),
            pair.points,
        )
        for i, j in chosen
    )
    taken = Counter(i for i, _ in chosen)
    mentored = {j for _, j in chosen}
    full = np.array([taken[i] >= m.capacity for i, m in enumerate(mentors)], dtype=np.bool_)
    mentors_who_fit = matrix.allowed.sum(axis=0)
    mentees_who_fit = matrix.allowed.sum(axis=1)
    unmatched: list[Unmatched] = []
    for j, mentee in enumerate(mentees):
        if j in mentored:
            continue
        fits = int(mentors_who_fit[j])
        if mentee.paused:
            unmatched.append(Unmatched(mentee.person_id, mentee.role, UnmatchedWhy.PAUSED))
        elif fits == 0:
            counts = _rule_counts(
                mentee,
                mentors,
                lambda me, o: (o, me),
                round_on=round_on,
                history=history,
                rules=rules,
            )
            unmatched.append(
                Unmatched(
                    mentee.person_id, mentee.role, UnmatchedWhy.NO_COMPATIBLE_PARTNER, 0, counts
                )
            )
        else:
            # Optimal: an unmatched mentee's every compatible mentor is full (else adding the
            # pair would raise the total).
            assert bool(full[matrix.allowed[:, j]].all())
            unmatched.append(
                Unmatched(mentee.person_id, mentee.role, UnmatchedWhy.CAPACITY_FULL, fits)
            )
    for i, mentor in enumerate(mentors):
        if taken[i]:
            continue
        fits = int(mentees_who_fit[i])
        if mentor.paused:
            unmatched.append(Unmatched(mentor.person_id, mentor.role, UnmatchedWhy.PAUSED))
        elif fits == 0:
            counts = _rule_counts(
                mentor,
                mentees,
                lambda me, o: (me, o),
                round_on=round_on,
                history=history,
                rules=rules,
            )
            unmatched.append(
                Unmatched(
                    mentor.person_id, mentor.role, UnmatchedWhy.NO_COMPATIBLE_PARTNER, 0, counts
                )
            )
        else:
            unmatched.append(
                Unmatched(mentor.person_id, mentor.role, UnmatchedWhy.LOST_TO_BETTER_TOTAL, fits)
            )
    return RoundPlan(
        RoundKind.MENTORING,
        round_on,
        seed,
        matches,
        tuple(unmatched),
        sum(m.points for m in matches),
        "OR-Tools SimpleMinCostFlow",
    )


def _check_unique(people: Sequence[Participant]) -> None:
    seen = Counter(p.person_id for p in people)
    twice = sorted(pid for pid, n in seen.items() if n > 1)
    if twice:
        raise ValueError(f"each person may take part once per round; listed twice: {twice}")


def max_weight_pairs(
    n: int, rows: NDArray[np.intp], cols: NDArray[np.intp], weights: NDArray[np.int64]
) -> list[tuple[int, int]]:
    """A maximum-weight matching of ``n`` people over the edges (rows[k], cols[k]) with positive
    integer ``weights[k]``, as sorted (i, j) pairs with i < j. rustworkx's blossom method (exact
    on integers; O(n^3) time)."""
    graph: rx.PyGraph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(n))
    graph.add_edges_from(list(zip(rows.tolist(), cols.tolist(), weights.tolist(), strict=True)))
    matching = rx.max_weight_matching(graph, max_cardinality=False, weight_fn=int)
    return sorted((min(a, b), max(a, b)) for a, b in matching)


def match_peers(
    people: Sequence[Participant],
    *,
    round_on: date,
    history: History = History(),
    rules: ScoringRules = ScoringRules(),
    topic_weight: Callable[[str], int] = lambda topic: 1,
    seed: int = 0,
    dense_pairs_at_most: int = DENSE_PEER_PAIRS,
    lp_rounds_at_most: int = ROUNDS_AT_MOST,
) -> RoundPlan:
    """The maximum-score peer round among ``people`` (mentors and mentees are ignored): pairs,
    plus one trio for the person left over (see the module docstring for what is optimal).
    Rounds with more than ``dense_pairs_at_most`` allowed pairs are proven with the matching LP
    in at most ``lp_rounds_at_most`` rounds, else report a ``gap`` (`large_rounds`)."""
    peers = sorted((p for p in people if p.role is Role.PEER), key=lambda p: p.person_id)
    _check_unique(peers)
    matrix = score_matrix(
        peers,
        peers,
        round_on=round_on,
        history=history,
        rules=rules,
        topic_weight=topic_weight,
        mentoring=False,
    )
    n = len(peers)

    def best_pairs(rows: NDArray[np.intp], cols: NDArray[np.intp]) -> list[tuple[int, int]]:
        return max_weight_pairs(n, rows, cols, _edge_weights(matrix, rows, cols, seed, n // 2 + 1))

    gap, solver = 0, "rustworkx.max_weight_matching"
    if np.count_nonzero(matrix.allowed) // 2 <= dense_pairs_at_most:
        pairs = best_pairs(*np.nonzero(np.triu(matrix.allowed, 1)))
    else:
        large = match_large_round(
            matrix.points, matrix.allowed, best_pairs, rounds_at_most=lp_rounds_at_most
        )
        pairs, gap = large.pairs, large.bound - large.points
        solver += f" on {large.pairs_searched:,} pairs, bound by a HiGHS matching-LP dual"
    paired = {i for pair in pairs for i in pair}
    left = [i for i in range(n) if i not in paired and matrix.allowed[i].any()]
    trio: tuple[int, int, int] | None = None
    if left and pairs:
        a = np.array([i for i, _ in pairs])
        b = np.array([j for _, j in pairs])
        best = (-1, 0, 0)
        for x in left:
            fits = matrix.allowed[x, a] & matrix.allowed[x, b]
            if not fits.any():
                continue
            ka, kb = a[fits], b[fits]
            xs = np.full(len(ka), x)
            trio_weights = _edge_weights(matrix, xs, ka, seed, n // 2 + 1)
            trio_weights += _edge_weights(matrix, xs, kb, seed, n // 2 + 1)
            gains = np.full(len(a), -1, dtype=np.int64)
            gains[fits] = trio_weights
            k = int(gains.argmax())
            if int(gains[k]) > best[0]:
                best = (int(gains[k]), x, k)
        if best[0] >= 0:
            _, x, k = best
            trio = (int(a[k]), int(b[k]), x)

    def scored(i: int, j: int) -> PairScore:
        return _scored(
            peers[i],
            peers[j],
            round_on=round_on,
            history=history,
            rules=rules,
            topic_weight=topic_weight,
            expected=int(matrix.points[i, j]),
        )

    matches: list[Match] = []
    for i, j in pairs:
        if trio is not None and (i, j) == trio[:2]:
            x = trio[2]
            group = (scored(i, j), scored(i, x), scored(j, x))
            ids = (peers[i].person_id, peers[j].person_id, peers[x].person_id)
            matches.append(Match(MatchKind.TRIO, ids, group, sum(p.points for p in group)))
        else:
            one = scored(i, j)
            matches.append(
                Match(MatchKind.PAIR, (peers[i].person_id, peers[j].person_id), (one,), one.points)
            )
    grouped = paired | ({trio[2]} if trio else set())
    unmatched: list[Unmatched] = []
    for i, peer in enumerate(peers):
        if i in grouped:
            continue
        fits = int(matrix.allowed[i].sum())
        if peer.paused:
            unmatched.append(Unmatched(peer.person_id, peer.role, UnmatchedWhy.PAUSED))
        elif fits == 0:
            counts = _rule_counts(
                peer, peers, lambda me, o: (me, o), round_on=round_on, history=history, rules=rules
            )
            unmatched.append(
                Unmatched(peer.person_id, peer.role, UnmatchedWhy.NO_COMPATIBLE_PARTNER, 0, counts)
            )
        else:
            unmatched.append(
                Unmatched(peer.person_id, peer.role, UnmatchedWhy.LOST_TO_BETTER_TOTAL, fits)
            )
    return RoundPlan(
        RoundKind.PEERS,
        round_on,
        seed,
        tuple(matches),
        tuple(unmatched),
        sum(m.points for m in matches),
        solver,
        gap,
    )
