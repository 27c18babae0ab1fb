"""The scores of every possible pair of a round at once, as integer numpy matrices.

`score_pair` is the definition; this module computes the very same numbers for thousands of
people in one pass (matrix products for topics, one table lookup per pair of zones), and the
tests check both agree on every pair of random rounds. Blocked pairs are 0 in ``points`` and
False in ``allowed``; an allowed pair always has at least 1 point.

The tie-break is here too: a seeded pseudo-random number in 0..1023 per pair, independent of the
order people are listed in, used by the solver only to choose between rounds of equal score.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from cogs.mentors.hours import overlap_minutes
from cogs.mentors.participants import History, Participant, pair_key
from cogs.mentors.scoring import ScoringRules, cool_down_ends, repeat_penalty

TIE_BREAK_BITS = 10
_MASK64 = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class ScoreMatrix:
    """``points[i, j]`` is the score of ``rows[i]`` with ``cols[j]`` (int32, 0 when blocked);
    ``allowed[i, j]`` says whether the hard rules allow the pair. For mentoring the rows are
    mentors and the columns mentees; for peers both are the same people (symmetric, diagonal
    blocked)."""

    rows: tuple[Participant, ...]
    cols: tuple[Participant, ...]
    points: NDArray[np.int32]
    allowed: NDArray[np.bool_]


def _indicator(
    people: Sequence[Participant], index: dict[str, int], attribute: str
) -> NDArray[np.float64]:
    out = np.zeros((len(people), len(index)), dtype=np.float64)
    for i, person in enumerate(people):
        for item in getattr(person, attribute):
            out[i, index[item]] = 1.0
    return out


def score_matrix(
    rows: Sequence[Participant],
    cols: Sequence[Participant],
    *,
    round_on: date,
    history: History,
    rules: ScoringRules = ScoringRules(),
    topic_weight: Callable[[str], int] = lambda topic: 1,
    mentoring: bool,
) -> ScoreMatrix:
    """Score every (row, col) pair exactly as `score_pair` would (same rules, same points).

    ``mentoring`` is True for rows of mentors and columns of mentees (career-stage fit and the
    shared-topic requirement apply), False for peers (``rows`` and ``cols`` must then be the same
    people in the same order). Memory: a few int32 matrices of len(rows) x len(cols).
    """
    n_rows, n_cols = len(rows), len(cols)
    if not mentoring and [p.person_id for p in rows] != [p.person_id for p in cols]:
        raise ValueError("a peer matrix needs the same people as rows and columns")
    topics = sorted({t for p in (*rows, *cols) for t in p.topics})
    topic_index = {t: k for k, t in enumerate(topics)}
    row_topics = _indicator(rows, topic_index, "topics")
    col_topics = _indicator(cols, topic_index, "topics")
    weights = np.array([topic_weight(t) for t in topics], dtype=np.float64)
    shared_count = row_topics @ col_topics.T
    points = (row_topics * weights) @ col_topics.T
    points *= rules.topic_points
    total = points.astype(np.int32)
    del points
    total += rules.baseline_points

    zones = sorted({p.zone for p in (*rows, *cols)})
    zone_index = {z: k for k, z in enumerate(zones)}
    hour_points = np.array(
        [
            [
                overlap_minutes(a, b, round_on, rules.working_day)
                * rules.points_per_overlap_hour
                // 60
                for b in zones
            ]
            for a in zones
        ],
        dtype=np.int32,
    ).reshape(len(zones), len(zones))
    row_zone = np.array([zone_index[p.zone] for p in rows], dtype=np.intp)
    col_zone = np.array([zone_index[p.zone] for p in cols], dtype=np.intp)
    total += hour_points[row_zone[:, None], col_zone[None, :]]

    orgs = {
        o: k
        for k, o in enumerate(sorted({p.organization for p in (*rows, *cols) if p.organization}))
    }
    row_org = np.array([orgs.get(p.organization or "", -1) for p in rows], dtype=np.int32)
    col_org = np.array([orgs.get(p.organization or "", -1) for p in cols], dtype=np.int32)
    different = (row_org[:, None] != col_org[None, :]) & (row_org[:, None] >= 0)
    different &= col_org[None, :] >= 0
    total += different * np.int32(rules.different_organizations_points)
    del different

    if mentoring:
        row_stage = np.array([p.career_stage.rank if p.career_stage else -9 for p in rows])
        col_stage = np.array([p.career_stage.rank if p.career_stage else -9 for p in cols])
        step = np.sign(row_stage[:, None] - col_stage[None, :]).astype(np.int32)
        step[(row_stage[:, None] < 0) | (col_stage[None, :] < 0)] = 0
        total += step * np.int32(rules.career_stage_points)
        del step

    def waited(people: Sequence[Participant]) -> NDArray[np.int32]:
        rounds = [min(p.waited_rounds, rules.waited_rounds_cap) for p in people]
        return np.array(rounds, dtype=np.int32) * rules.waited_points

    total += waited(rows)[:, None]
    total += waited(cols)[None, :]

    allowed = np.ones((n_rows, n_cols), dtype=np.bool_)
    languages = sorted({lang for p in (*rows, *cols) for lang in p.languages})
    if languages:
        lang_index = {lang: k for k, lang in enumerate(languages)}
        row_lang = _indicator(rows, lang_index, "languages")
        col_lang = _indicator(cols, lang_index, "languages")
        both_gave = (row_lang.sum(axis=1) > 0)[:, None] & (col_lang.sum(axis=1) > 0)[None, :]
        allowed &= ~(both_gave & ((row_lang @ col_lang.T) == 0))
    if mentoring and rules.mentoring_needs_shared_topic:
        allowed &= shared_count > 0
    del shared_count
    allowed[[p.paused for p in rows], :] = False
    allowed[:, [p.paused for p in cols]] = False
    if not mentoring:
        np.fill_diagonal(allowed, False)

    row_at = {p.person_id: i for i, p in enumerate(rows)}
    col_at = {p.person_id: j for j, p in enumerate(cols)}

    def cells(key: frozenset[str]) -> list[tuple[int, int]]:
        a, b = sorted(key)
        found = []
        for x, y in ((a, b), (b, a)):
            if x in row_at and y in col_at:
                found.append((row_at[x], col_at[y]))
        return found

    for key, last in history.last_meetings().items():
        in_cool_down = round_on < cool_down_ends(last, rules)
        penalty = 0 if in_cool_down else repeat_penalty(last, round_on, rules)
        for i, j in cells(key):
            if in_cool_down:
                allowed[i, j] = False
            else:
                total[i, j] -= penalty
    for key in (*history.not_a_good_fit, *history.avoid_pairs()):
        for i, j in cells(key):
            allowed[i, j] = False

    np.maximum(total, 1, out=total)
    total[~allowed] = 0
    return ScoreMatrix(tuple(rows), tuple(cols), total, allowed)


def tie_break_key(person_id: str, seed: int) -> int:
    """A person's 64-bit tie-break key for a seed (blake2b of the seed and the id)."""
    digest = hashlib.blake2b(f"{seed}\x00{person_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _mix(x: int) -> int:
    # splitmix64's finaliser: every input bit moves every output bit.
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def tie_break(a: str, b: str, seed: int) -> int:
    """The pair's tie-break number, 0..1023; the same for (a, b) and (b, a)."""
    pair_key(a, b)
    return _mix(tie_break_key(a, seed) ^ tie_break_key(b, seed)) >> (64 - TIE_BREAK_BITS)


def tie_break_keys(people: Sequence[Participant], seed: int) -> NDArray[np.uint64]:
    """Each person's `tie_break_key`, as a uint64 array in the order given."""
    return np.array([tie_break_key(p.person_id, seed) for p in people], dtype=np.uint64)


def tie_breaks(keys_a: NDArray[np.uint64], keys_b: NDArray[np.uint64]) -> NDArray[np.int64]:
    """`tie_break` for pairs given by their keys (equal shapes, or shapes that broadcast)."""
    x = np.bitwise_xor(keys_a, keys_b)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    x >>= np.uint64(64 - TIE_BREAK_BITS)
    return x.astype(np.int64)


def tie_break_matrix(
    rows: Sequence[Participant], cols: Sequence[Participant], seed: int
) -> NDArray[np.int64]:
    """``tie_break(rows[i], cols[j], seed)`` for every cell, as int64 (0..1023)."""
    return tie_breaks(tie_break_keys(rows, seed)[:, None], tie_break_keys(cols, seed)[None, :])
