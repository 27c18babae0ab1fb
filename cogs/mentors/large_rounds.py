"""Large peer rounds: an exact matching on the pairs that matter, and a proven bound on the rest.

The blossom method is O(n^3) on a dense graph: about 4 minutes of CPU for 2,000 peers, whose
~1.9 M allowed pairs make the graph nearly complete. A large round is therefore matched exactly
(rustworkx's blossom, integer weights) on a sparse candidate graph, the union of

- each person's ``k`` best-scoring partners;
- each person's ``k`` best partners after taking away both people's typical score (half the
  mean of their ``2k`` best pairs), so people everybody likes do not crowd out everyone's list;
- every pair of an optimal fractional matching (below),

and compared with an upper bound on every possible round: the maximum-weight *fractional*
matching, which is half the maximum assignment of the symmetric score matrix (the bipartite
double cover; scipy's ``linear_sum_assignment``, exact on these integers). Every matching is a
fractional matching, so no round of pairs can score more than the bound; when the matching
found reaches it the round is proven optimal, otherwise the difference is reported as the gap
(on the 2,000-peer benchmark about 0.6 % of the total, ``bench/matching.py``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

CANDIDATES_PER_PERSON = 8
# Peer rounds with more allowed pairs than this (about 450 people) take this way; below it the
# exact dense blossom needs under ~0.5 s of CPU (0.4 s at 75,000 pairs), and it grows as n^3.
DENSE_PEER_PAIRS = 100_000


def fractional_bound(points: NDArray[np.int32]) -> tuple[int, NDArray[np.intp]]:
    """The maximum-weight fractional matching of a symmetric ``points`` matrix (0 on the
    diagonal and for blocked pairs), rounded down: an upper bound on the points of any set of
    disjoint pairs. Also returns the optimal double-cover assignment (``partner[i]``), whose
    pairs are good candidates."""
    rows, cols = linear_sum_assignment(points, maximize=True)
    partner = np.empty(len(points), dtype=np.intp)
    partner[rows] = cols
    return int(points[rows, cols].astype(np.int64).sum()) // 2, partner


def candidate_pairs(
    points: NDArray[np.int32],
    allowed: NDArray[np.bool_],
    partner: NDArray[np.intp],
    k: int = CANDIDATES_PER_PERSON,
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """The allowed pairs (i < j) of the candidate graph described in the module docstring."""
    n = len(points)
    k = min(k, n - 1)
    if k < 1:
        return np.empty(0, np.intp), np.empty(0, np.intp)
    raw = points.astype(np.float32)
    raw[~allowed] = -np.inf
    top = -np.partition(-raw, min(2 * k, n - 1), axis=1)[:, : 2 * k]
    typical = np.where(np.isfinite(top), top, 0).mean(axis=1) / 2
    adjusted = raw - typical[:, None]
    adjusted -= typical[None, :]
    picks = [
        np.argpartition(-raw, k, axis=1)[:, :k].ravel(),
        np.argpartition(-adjusted, k, axis=1)[:, :k].ravel(),
        partner,
    ]
    rows = np.concatenate([np.repeat(np.arange(n), k), np.repeat(np.arange(n), k), np.arange(n)])
    cols = np.concatenate(picks)
    keep = allowed[rows, cols]
    a = np.minimum(rows[keep], cols[keep])
    b = np.maximum(rows[keep], cols[keep])
    cells = np.unique(a * n + b)
    return cells // n, cells % n
