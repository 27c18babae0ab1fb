"""Large peer rounds: the best round over all allowed pairs, proven by a matching-LP dual.

The blossom method is O(n^3) on a dense graph: about 4 minutes of CPU for 2,000 peers, whose
~1.9 M allowed pairs make the graph nearly complete. A large round is proven in three steps
(`match_large_round`):

1. **The LP.** The matching LP (`matching_lp`: Edmonds' degree and blossom rows, solved by
   HiGHS) starts on a sparse candidate graph (`candidate_pairs`: each person's ``k`` best
   partners, and their ``k`` best after taking away both people's typical score, so people
   everybody likes do not crowd out everyone's list; ~20 k pairs at 2,000 peers). Each LP
   round either adds the violated blossom rows of odd sets (cuts) or, every ``PRICE_EVERY``
   cut rounds and until there are none, the allowed pairs of positive reduced cost (columns,
   each person's best ``COLUMNS_PER_PERSON``, priced over all ``n x n`` pairs). Every pricing
   gives a bound on every possible round, which falls as blossoms are added.
2. **A round.** Every ``LOOK_EVERY`` pricings the blossom method (rustworkx, through
   ``match``) rematches the people near the LP point's fractional pairs (`_local_round`):
   a real round, scoring ``lower``.
3. **Fixing.** A round scoring at least ``lower`` can only use pairs of reduced cost at least
   ``lower - bound`` (`matching_lp.Duals.fixed_pairs`). Once those are at most
   ``pairs_at_most`` (2,000 peers: ~15 k of the 1.9 M), the blossom method on them finds the
   best round over *all* allowed pairs: proven optimal (gap 0), and the same round, seeded
   tie-breaks included, as the dense method on all pairs.

The cuts are cheap heuristics (`matching_lp.violated_sets`); on some rounds they stall, the LP
moving between half-integral points of equal value. Then (no improvement of a point over
``STALLED`` pricings, no cut found, or ``rounds_at_most`` LP rounds) the round is the best of
the local rounds and the blossom method on the LP's pairs; it is still proven if its fixed
pairs are at most ``STALLED_PAIRS_AT_MOST * pairs_at_most``, else ``bound`` (the lowest dual
bound) is reported. Measured with ``bench/matching.py``: 2,000 realistic peers in 1.0-2.6 s of
CPU, proven on 4 seeds of 6, within 20 points (0.02 %) on the other 2; random scores proven in
0.3-0.5 s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cogs.mentors.matching_lp import TOLERANCE, Duals, MatchingLP, priced_pairs, violated_sets

CANDIDATES_PER_PERSON = 8
# Peer rounds with more allowed pairs than this (about 450 people) take this way; below it the
# exact dense blossom needs under ~0.5 s of CPU (0.4 s at 75,000 pairs), and it grows as n^3.
DENSE_PEER_PAIRS = 100_000
# Pairs of positive reduced cost added per person and LP round.
COLUMNS_PER_PERSON = 8
# Cut rounds between two pricings.
PRICE_EVERY = 5
# Pricings between two rounds made from the LP point (`_local_round`), and how far around
# the people without a whole pair it rematches.
LOOK_EVERY = 2
NEAR_TIGHT = 4.0
LOCAL_HOPS = 2
# The cuts have stalled when the bound fell by less than a point over this many pricings;
# then, or when no cut is found, the fixed pairs may be this many times ``pairs_at_most``.
STALLED = 2
STALLED_PAIRS_AT_MOST = 2
# LP rounds before the proof is given up. A count, not a time, so that the same people and seed
# give the same round whatever the machine's load; 2,000 peers need 15-50 (bench/matching.py).
ROUNDS_AT_MOST = 120
# The most pairs the blossom method is given for the proof: rustworkx needs about 0.3 s of CPU
# at 15 k pairs among 2,000 people, 0.7 s at 30 k.
FIXED_PAIRS_AT_MOST = 20_000

Matcher = Callable[[NDArray[np.intp], NDArray[np.intp]], list[tuple[int, int]]]


@dataclass(frozen=True)
class LargeRound:
    """What `match_large_round` found: the ``pairs`` (i < j) scoring ``points``, and ``bound``,
    at least the points of every round of allowed pairs (``bound == points``: proven optimal).
    ``lp_rounds``, ``cuts`` and ``pairs_searched`` (pairs given to the last blossom call)
    describe the work."""

    pairs: list[tuple[int, int]]
    points: int
    bound: int
    lp_rounds: int
    cuts: int
    pairs_searched: int


def candidate_pairs(
    points: NDArray[np.int32],
    allowed: NDArray[np.bool_],
    k: int = CANDIDATES_PER_PERSON,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The allowed pairs (i < j) of the candidate graph described in the module docstring."""
    n = len(points)
    k = min(k, n - 1)
    if k < 1:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    raw = points.astype(np.float32)
    raw[~allowed] = -np.inf
    wide = min(2 * k, n - 1)
    top = np.argpartition(raw, n - wide, axis=1)[:, n - wide :]
    values = np.take_along_axis(raw, top, axis=1)
    typical = np.where(np.isfinite(values), values, 0).mean(axis=1) / 2
    best = np.take_along_axis(top, np.argsort(-values, axis=1)[:, :k], axis=1)
    raw -= typical[:, None]
    raw -= typical[None, :]
    fair = np.argpartition(raw, n - k, axis=1)[:, n - k :]
    rows = np.repeat(np.arange(n), 2 * k)
    cols = np.concatenate([best, fair], axis=1).ravel()
    keep = allowed[rows, cols]
    a = np.minimum(rows[keep], cols[keep])
    b = np.maximum(rows[keep], cols[keep])
    cells = np.unique(a * n + b)
    return cells // n, cells % n


def _local_round(
    rows: NDArray[np.intp], cols: NDArray[np.intp], duals: Duals, match: Matcher
) -> list[tuple[int, int]]:
    """A round made from an LP point: its whole pairs stay, except near the people without
    one, where the blossom method rematches (people within ``LOCAL_HOPS`` steps of them along
    pairs within ``NEAR_TIGHT`` points of zero reduced cost, with their whole pairs' partners)."""
    n = len(duals.most)
    whole = duals.x > 1 - TOLERANCE
    mate = np.full(n, -1)
    mate[rows[whole]] = cols[whole]
    mate[cols[whole]] = rows[whole]
    near = duals.reduced >= -NEAR_TIGHT
    local = mate < 0
    for _ in range(LOCAL_HOPS):
        local |= near[local].any(axis=0)
        local[mate[local & (mate >= 0)]] = True
    near &= local[:, None]
    near &= local[None, :]
    kept = whole & ~local[rows]
    return [
        *zip(rows[kept].tolist(), cols[kept].tolist(), strict=True),
        *match(*np.nonzero(np.triu(near, 1))),
    ]


def match_large_round(
    points: NDArray[np.int32],
    allowed: NDArray[np.bool_],
    match: Matcher,
    *,
    rounds_at_most: int = ROUNDS_AT_MOST,
    pairs_at_most: int = FIXED_PAIRS_AT_MOST,
    candidates_per_person: int = CANDIDATES_PER_PERSON,
) -> LargeRound:
    """The best round of a symmetric ``points`` matrix (n x n integer points, 0 on the diagonal,
    used only where ``allowed``) and a proven bound on every round, as in the module docstring.

    ``match(rows, cols)`` must return a maximum-weight matching over those pairs (i < j) whose
    weight orders rounds by points first (`solver` adds the seeded tie-break). At least one LP
    round is solved. RuntimeError if HiGHS fails.
    """
    n = len(points)

    def total(pairs: list[tuple[int, int]]) -> int:
        return sum(int(points[i, j]) for i, j in pairs)

    lp = MatchingLP(points, allowed)
    lp.add_pairs(*candidate_pairs(points, allowed, candidates_per_person))
    best: Duals | None = None
    kept: list[tuple[int, int]] = []  # the best round found so far, scoring `lower`
    lower = -1
    bounds: list[float] = []  # the best bound after each pricing with no pairs to add
    rounds = cut_rounds = 0
    while rounds < max(1, rounds_at_most):
        x = lp.solve()
        rounds += 1
        sets = violated_sets(n, lp.rows, lp.cols, x, lp.tight_sets()) if bounds else []
        if sets and cut_rounds % PRICE_EVERY:
            cut_rounds += 1
            lp.add_sets(sets)
            continue
        duals = lp.price()
        if best is None or duals.bound < best.bound:
            best = duals
        if not duals.priced:
            lp.add_pairs(*priced_pairs(duals, COLUMNS_PER_PERSON))
            continue
        bounds.append(best.bound)
        if cut_rounds and len(bounds) % LOOK_EVERY == 0:
            pairs = _local_round(lp.rows, lp.cols, duals, match)
            if total(pairs) > lower:
                kept, lower = pairs, total(pairs)
        if lower >= 0 and best.count_fixed(lower) <= pairs_at_most:
            break
        stalled = len(bounds) > STALLED and bounds[-1 - STALLED] - best.bound < 1
        sets = sets or violated_sets(n, lp.rows, lp.cols, x, lp.tight_sets())
        if stalled or not sets:
            break
        cut_rounds += 1
        lp.add_sets(sets)
    assert best is not None
    big = STALLED_PAIRS_AT_MOST * pairs_at_most
    if lower < 0 or best.count_fixed(lower) > big:
        # A round over the LP's pairs, which may score more than the local rounds.
        pairs = match(lp.rows, lp.cols)
        if total(pairs) > lower:
            kept, lower = pairs, total(pairs)
    if best.count_fixed(lower) <= big:
        rows, cols = best.fixed_pairs(lower)
        pairs = match(rows, cols)
        found = total(pairs)
        if found >= lower:
            # Every round scoring `lower` or more is among these pairs: the best round.
            return LargeRound(pairs, found, found, rounds, len(lp.sets), len(rows))
    bound = int(best.bound + TOLERANCE)
    return LargeRound(kept, lower, max(bound, lower), rounds, len(lp.sets), len(lp.rows))
