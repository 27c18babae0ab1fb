"""Upper bounds on the best round of pairs: the matching LP with cutting planes and columns.

Edmonds' matching polytope (Edmonds 1965; Schrijver, *Combinatorial Optimization*, ch. 25) is
described by the degree rows ``x(delta(v)) <= 1`` and, for every odd set ``S`` of people, the
blossom rows ``x(E(S)) <= (|S| - 1) / 2``. Its dual has ``y_v >= 0`` per person and
``z_S >= 0`` per odd set; whenever

    y_u + y_v + sum(z_S for S containing u and v) >= points[u, v]   for every allowed pair,

no set of disjoint allowed pairs scores more than ``sum(y) + sum(z_S (|S| - 1) / 2)``.

`MatchingLP` holds that LP over a growing set of pairs and odd sets in HiGHS (``highspy``: rows
and columns are added to the model in place and the next solve starts from the last basis, the
dual simplex after new rows, the primal simplex after new columns). `MatchingLP.price` turns
the last solve's dual into a `Duals` whose `Duals.bound` holds for *every* allowed pair, not
only the LP's: raising ``y_v`` by half the largest positive reduced cost ``m_v`` at ``v`` makes
any dual feasible, since a pair's reduced cost ``points - y_u - y_v - z`` is at most
``m_u/2 + m_v/2``. The reduced costs of all ``n x n`` pairs take a few NumPy passes over the
score matrix (about 25 ms at 2,000 people).

Cuts (`violated_sets`): the odd connected components of the pairs with a fractional ``x`` whose
blossom row is violated, alone and with the blossoms at their limit shrunk; at a half-integral
point these are its odd cycles of half pairs (the heuristic of Grötschel and Holland, "Solving
matching problems with linear programming", Math. Programming 33, 1985).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import highspy
import numpy as np
from highspy import _core
from numpy.typing import NDArray
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components

# LP values on these integer points are exact to about 1e-9; this tolerance separates a
# fraction or a violation from rounding noise, and is added to a bound before it is trusted.
TOLERANCE = 1e-6
_BLOCKED = -1e9


@dataclass(frozen=True)
class Duals:
    """One LP solve. ``x`` (per LP pair) and ``value`` are the LP's optimum; ``bound`` is a
    dual-feasible value over every allowed pair (points), and ``reduced`` the ``n x n`` reduced
    costs under that feasible dual: at most 0 for allowed pairs, about -1e9 for blocked ones.
    ``priced`` is true when no allowed pair had a positive reduced cost under the LP's own dual
    (then ``bound == value``)."""

    x: NDArray[np.float64]
    value: float
    bound: float
    reduced: NDArray[np.float64]
    priced: bool
    most: NDArray[np.float64]

    def fixed_pairs(self, lower: float) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        """The allowed pairs (i < j) that a round scoring at least ``lower`` points may use:
        a round's points are at most ``bound`` plus the sum of its pairs' reduced costs, all
        at most 0, so each of its pairs has a reduced cost of at least ``lower - bound``."""
        keep = self.reduced >= lower - self.bound - TOLERANCE
        rows, cols = np.nonzero(np.triu(keep, 1))
        return rows, cols

    def count_fixed(self, lower: float) -> int:
        """How many pairs `fixed_pairs` returns, without listing them."""
        return int(np.count_nonzero(self.reduced >= lower - self.bound - TOLERANCE)) // 2


class MatchingLP:
    """The matching LP of an ``n x n`` symmetric ``points`` matrix (integer points, used only
    where ``allowed``): ``n`` degree rows, then one row per odd set; one column per pair."""

    def __init__(self, points: NDArray[np.int32], allowed: NDArray[np.bool_]) -> None:
        self.n = n = len(points)
        self.masked = np.where(allowed, points.astype(np.float64), _BLOCKED)
        # The bare binding: highspy.Highs() prints a licence banner on stdout (the console
        # front end's screen) and wraps every solve in Python callbacks this LP does not use.
        self.highs = _core._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("presolve", "off")
        self.highs.setOptionValue("threads", 1)
        self.highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        empty = np.zeros(0, np.int32)
        self.highs.addRows(n, np.full(n, -highspy.kHighsInf), np.ones(n), 0, empty, empty, [])
        self.rows = np.zeros(0, np.intp)
        self.cols = np.zeros(0, np.intp)
        self.sets: list[NDArray[np.intp]] = []
        self._member = np.zeros((n, 0), np.bool_)

    def add_pairs(self, rows: NDArray[np.intp], cols: NDArray[np.intp]) -> None:
        """New columns for the pairs (rows[k], cols[k]), with their entries in the odd sets'
        rows; the next solve starts with the primal simplex from the current basis."""
        k = len(rows)
        if not k:
            return
        inside = self._member[rows] & self._member[cols]
        counts = 2 + inside.sum(axis=1)
        starts = np.zeros(k, np.int32)
        np.cumsum(counts[:-1], out=starts[1:])
        index = np.empty(int(counts.sum()), np.int32)
        index[starts] = rows
        index[starts + 1] = cols
        pair, which = np.nonzero(inside)
        nth = np.arange(len(pair)) - np.searchsorted(pair, pair)
        index[starts[pair] + 2 + nth] = self.n + which
        self.highs.setOptionValue("simplex_strategy", 4)
        self.highs.addCols(
            k,
            self.masked[rows, cols],
            np.zeros(k),
            np.full(k, highspy.kHighsInf),
            len(index),
            starts,
            index,
            np.ones(len(index)),
        )
        self.rows = np.concatenate([self.rows, rows])
        self.cols = np.concatenate([self.cols, cols])

    def add_sets(self, sets: list[NDArray[np.intp]]) -> None:
        """New blossom rows for the odd sets; the next solve starts with the dual simplex."""
        if not sets:
            return
        member = np.zeros((self.n, len(sets)), np.bool_)
        for k, members in enumerate(sets):
            member[members, k] = True
        which, col = np.nonzero((member[self.rows] & member[self.cols]).T)
        starts = np.searchsorted(which, np.arange(len(sets))).astype(np.int32)
        self.highs.setOptionValue("simplex_strategy", 1)
        self.highs.addRows(
            len(sets),
            np.full(len(sets), -highspy.kHighsInf),
            np.array([(len(s) - 1) / 2 for s in sets]),
            len(col),
            starts,
            col.astype(np.int32),
            np.ones(len(col)),
        )
        self.sets.extend(sets)
        self._member = np.concatenate([self._member, member], axis=1)

    def solve(self) -> NDArray[np.float64]:
        """Solve; returns ``x`` per LP pair. RuntimeError unless HiGHS reports optimal."""
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"HiGHS did not solve the matching LP: {status}")
        solution = self.highs.getSolution()
        # A maximisation's duals of <= rows are >= 0 in HiGHS (a tiny negative is noise).
        self._duals = np.maximum(np.asarray(solution.row_dual), 0.0)
        self._x = np.asarray(solution.col_value)
        self._activity = np.asarray(solution.row_value)[self.n :]
        return self._x

    def tight_sets(self) -> list[NDArray[np.intp]]:
        """The odd sets whose blossom row the last solve holds at its limit."""
        if not self.sets:
            return []
        limits = np.array([(len(s) - 1) / 2 for s in self.sets])
        return [self.sets[k] for k in np.flatnonzero(self._activity >= limits - TOLERANCE)]

    def price(self) -> Duals:
        """The last solve's dual, priced over every allowed pair (`Duals`)."""
        x, y, z = self._x, self._duals[: self.n], self._duals[self.n :]
        reduced = self.masked - y[:, None]
        reduced -= y[None, :]
        for members, value in zip(self.sets, z.tolist(), strict=True):
            if value > 0:
                reduced[np.ix_(members, members)] -= value
        most = np.maximum(reduced.max(axis=1), 0.0)
        half_sizes = np.array([(len(s) - 1) / 2 for s in self.sets])
        value = float((self.masked[self.rows, self.cols] * x).sum())
        bound = float(y.sum() + (z * half_sizes).sum() + most.sum() / 2)
        priced = not bool((most > TOLERANCE).any())
        if not priced:
            reduced -= most[:, None] / 2
            reduced -= most[None, :] / 2
        return Duals(x, value, bound, reduced, priced, most)


def priced_pairs(duals: Duals, per_person: int) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """For each person with a pair of positive reduced cost under the LP's own dual, their
    ``per_person`` pairs of highest reduced cost under the shifted one (those of positive own
    reduced cost), as (i < j) without repeats."""
    people = np.flatnonzero(duals.most > TOLERANCE)
    if not len(people):
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    n = len(duals.most)
    k = min(per_person, n - 1)
    block = duals.reduced[people] if 2 * len(people) < n else duals.reduced
    best = np.argpartition(block, n - k, axis=1)[:, n - k :]
    if block is duals.reduced:
        best = best[people]
    rows = np.repeat(people, k)
    cols = best.ravel()
    shift = duals.most / 2
    good = duals.reduced[rows, cols] + shift[rows] + shift[cols] > TOLERANCE
    rows, cols = rows[good], cols[good]
    cells = np.unique(np.minimum(rows, cols) * n + np.maximum(rows, cols))
    return cells // n, cells % n


def violated_sets(
    n: int,
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    x: NDArray[np.float64],
    tight: Sequence[NDArray[np.intp]] = (),
) -> list[NDArray[np.intp]]:
    """Odd sets of people whose blossom row ``x(E(S)) <= (|S|-1)/2`` the LP point ``x`` (over
    the pairs rows[k] < cols[k]) violates: the odd connected components of its fractional pairs
    (those at or above 0 and 0.5), alone and with the ``tight`` odd sets (blossom rows at their
    limit) shrunk to one node each (Grötschel and Holland 1985), each set once, sorted."""
    fractional = (x > TOLERANCE) & (x < 1 - TOLERANCE)
    used = x > TOLERANCE
    ur, uc, ux = rows[used], cols[used], x[used]
    if tight:
        link_r = np.concatenate([np.full(len(s) - 1, s[0]) for s in tight])
        link_c = np.concatenate([s[1:] for s in tight])
    found: dict[bytes, NDArray[np.intp]] = {}
    for threshold, shrink in ((0.0, False), (0.5, False), (0.0, True), (0.5, True)):
        if shrink and not tight:
            continue
        pick = fractional & (x >= threshold - TOLERANCE)
        if not pick.any():
            continue
        fr, fc = rows[pick], cols[pick]
        touched = np.zeros(n, np.bool_)
        touched[fr] = touched[fc] = True
        if shrink:
            fr, fc = np.concatenate([fr, link_r]), np.concatenate([fc, link_c])
        graph = coo_array((np.ones(len(fr)), (fr, fc)), shape=(n, n)).tocsr()
        _, label = connected_components(graph, directed=False)
        touched = np.isin(label, label[touched])
        components, sizes = np.unique(label[touched], return_counts=True)
        odd = components[sizes % 2 == 1]
        if not len(odd):
            continue
        same = label[ur] == label[uc]
        inside = np.zeros(n)
        np.add.at(inside, label[ur][same], ux[same])
        size_of = np.zeros(n, np.intp)
        size_of[components] = sizes
        for component in odd[inside[odd] > (size_of[odd] - 1) / 2 + TOLERANCE].tolist():
            members = np.flatnonzero(label == component)
            found.setdefault(members.tobytes(), members)
    return list(found.values())
