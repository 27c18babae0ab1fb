"""Mentor matching at scale: optimal rounds against random pairing and greedy best-first.

Builds a seeded, realistic community (topics drawn from the shipped list with a few popular
ones, time zones weighted like a North American chapter with members abroad, ~400 libraries,
some languages, career stages, people left out last round, paused people, two years of past
pairs, "not a good fit" pairs and avoid lists), then solves:

- mentoring: 5,000 mentees and 1,000 mentors of capacity 1-5 (target: optimum in < 2 s, < 500 MB);
- peers: 2,000 peers (target: proven optimal in < 2 s). Rounds this large are proven with the
  matching LP's dual (`cogs.mentors.large_rounds`); the line says "proven optimal" or how many
  points (and what share) the bound leaves open. ``--peers 400`` runs a round small enough for
  the exact dense blossom; ``--random-scores N`` proves rounds of N people with seeded random
  scores instead.

For each it prints wall and CPU time, peak memory (how far the process's resident set grew
during the timed solve, after resetting the kernel's high-water mark, so it counts the C++
solvers' memory too; and the tracemalloc peak of Python's own objects in a second run), the
total score,
and the same figures for random pairing (what Donut does: a shuffle that only skips forbidden
pairs) and greedy best-first (take the best remaining allowed pair), with the ratios.

    .venv/bin/python bench/matching.py                 # both rounds at full size
    .venv/bin/python bench/matching.py --peers 400     # a round the exact dense blossom solves
    .venv/bin/python bench/matching.py --compare       # also time the candidate solvers
    .venv/bin/python bench/matching.py --random-scores 2000   # seeded random scores, no people
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cogs.mentors.large_rounds import candidate_pairs, match_large_round
from cogs.mentors.matrix import ScoreMatrix, score_matrix
from cogs.mentors.participants import CareerStage, History, LibraryType, Participant, Role
from cogs.mentors.solver import RoundPlan, match_mentoring, match_peers, max_weight_pairs
from cogs.mentors.topics import TopicVocabulary

ROUND_ON = date(2026, 3, 16)
TARGET_SECONDS = 2.0
TARGET_MB = 500.0
ZONES = {
    "America/New_York": 28,
    "America/Chicago": 16,
    "America/Denver": 6,
    "America/Los_Angeles": 15,
    "America/Toronto": 6,
    "America/Halifax": 1,
    "America/Anchorage": 1,
    "Pacific/Honolulu": 1,
    "America/Mexico_City": 3,
    "America/Sao_Paulo": 2,
    "Europe/London": 7,
    "Europe/Dublin": 1,
    "Europe/Berlin": 3,
    "Europe/Paris": 2,
    "Africa/Johannesburg": 1,
    "Asia/Kolkata": 2,
    "Asia/Tokyo": 1,
    "Australia/Sydney": 3,
    "Pacific/Auckland": 1,
}


def community(
    mentors: int, mentees: int, peers: int, seed: int
) -> tuple[list[Participant], History]:
    """Seeded realistic people and two years of history."""
    rng = random.Random(seed)
    topics = sorted(TopicVocabulary.default().topics)
    topic_weights = [1 / (k + 1) ** 0.8 for k in range(len(topics))]
    rng.shuffle(topic_weights)
    zones, zone_weights = list(ZONES), list(ZONES.values())
    organizations = [f"Library {k}" for k in range(400)]
    org_weights = [1 / (k + 1) ** 0.7 for k in range(len(organizations))]
    stages = list(CareerStage)

    def person(pid: str, role: Role) -> Participant:
        n_topics = rng.randint(2, 5) if role is Role.MENTOR else rng.randint(1, 3)
        chosen = frozenset(rng.choices(topics, topic_weights, k=n_topics))
        lang_roll = rng.random()
        languages: frozenset[str] = frozenset()
        if lang_roll < 0.25:
            languages = frozenset({"en"})
        elif lang_roll < 0.33:
            languages = frozenset({"en", "es"})
        elif lang_roll < 0.36:
            languages = frozenset({"es"})
        elif lang_roll < 0.38:
            languages = frozenset({"fr", "en"})
        if role is Role.MENTOR:
            stage = rng.choices(stages, [0, 1, 4, 5])[0]
        elif role is Role.MENTEE:
            stage = rng.choices(stages, [3, 5, 2, 0])[0]
        else:
            stage = rng.choice(stages)
        return Participant(
            person_id=pid,
            role=role,
            zone=rng.choices(zones, zone_weights)[0],
            topics=chosen,
            capacity=rng.randint(1, 5) if role is Role.MENTOR else 1,
            organization=rng.choices(organizations, org_weights)[0]
            if rng.random() > 0.05
            else None,
            library_type=rng.choice(list(LibraryType)),
            career_stage=stage if rng.random() > 0.1 else None,
            languages=languages,
            waited_rounds=rng.choices([0, 1, 2, 3], [85, 10, 4, 1])[0],
            paused=rng.random() < 0.03,
        )

    people = [person(f"mentor{k:05}", Role.MENTOR) for k in range(mentors)]
    people += [person(f"mentee{k:05}", Role.MENTEE) for k in range(mentees)]
    people += [person(f"peer{k:05}", Role.PEER) for k in range(peers)]
    by_role: dict[Role, list[str]] = {}
    for p in people:
        by_role.setdefault(p.role, []).append(p.person_id)

    def some_pair() -> tuple[str, str]:
        if by_role.get(Role.MENTOR) and by_role.get(Role.MENTEE) and rng.random() < 0.7:
            return rng.choice(by_role[Role.MENTOR]), rng.choice(by_role[Role.MENTEE])
        ids = by_role.get(Role.PEER) or [p.person_id for p in people]
        a, b = rng.sample(ids, 2)
        return a, b

    past = [
        (*some_pair(), ROUND_ON - timedelta(days=rng.randint(20, 730))) for _ in range(len(people))
    ]
    unfit = [some_pair() for _ in range(len(people) // 30)]
    avoid: dict[str, set[str]] = {}
    for _ in range(len(people) // 30):
        a, b = some_pair()
        avoid.setdefault(a, set()).add(b)
    return people, History.of(past, unfit, avoid)


def random_pairing(matrix: ScoreMatrix, capacities: list[int], seed: int) -> tuple[int, int]:
    """Donut: shuffle, pair in order, skip forbidden pairs. Returns (total points, pairs)."""
    rng = np.random.default_rng(seed)
    if capacities:  # mentoring: shuffled mentor slots against shuffled mentees
        slots = np.repeat(np.arange(len(capacities)), capacities)
        rows = rng.permutation(slots)
        cols = rng.permutation(len(matrix.cols))
        k = min(len(rows), len(cols))
        rows, cols = rows[:k], cols[:k]
    else:  # peers: shuffle and pair neighbours
        order = rng.permutation(len(matrix.rows))
        rows, cols = order[0 : len(order) - 1 : 2], order[1::2]
    keep = matrix.allowed[rows, cols]
    return int(matrix.points[rows, cols][keep].sum()), int(keep.sum())


def greedy_best_first(matrix: ScoreMatrix, capacities: list[int]) -> tuple[int, int]:
    """Take allowed pairs from the highest score down while both sides have room."""
    points = np.triu(matrix.points, 1) if not capacities else matrix.points
    flat = np.flatnonzero(points)
    order = flat[np.argsort(-points.ravel()[flat], kind="stable")]
    n_cols = points.shape[1]
    room = list(capacities) if capacities else [1] * points.shape[0]
    col_room = [1] * n_cols
    total = pairs = 0
    for cell in order.tolist():
        i, j = divmod(cell, n_cols)
        if capacities:
            if room[i] and col_room[j]:
                room[i] -= 1
                col_room[j] = 0
                total += int(points[i, j])
                pairs += 1
        elif room[i] and room[j]:
            room[i] = room[j] = 0
            total += int(points[i, j])
            pairs += 1
    return total, pairs


def timed(run: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _rss_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def timed_with_peak(run: Callable[[], Any]) -> tuple[Any, float, float, float]:
    """`timed`, plus how far the resident set grew above its size before ``run`` (MB), Python
    and C++ alike: Linux resets the high-water mark VmHWM when "5" is written to
    /proc/self/clear_refs."""
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    before = _rss_mb("VmRSS")
    result, wall, cpu = timed(run)
    return result, wall, cpu, _rss_mb("VmHWM") - before


def traced_peak_mb(run: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def report(
    name: str,
    plan: RoundPlan,
    wall: float,
    cpu: float,
    peak: float | None,
    traced: float | None,
    base: dict[str, tuple[int, int, float]],
) -> None:
    if plan.gap:
        bound = sum(m.pairs[0].points for m in plan.matches) + plan.gap
        proof = (
            f"pairs within {plan.gap:,} points ({100 * plan.gap / bound:.2f} %) of the proven "
            f"upper bound {bound:,} on any round's pairs"
        )
    else:
        proof = "proven optimal"
    print(f"\n{name}: {proof} ({plan.solver})")
    verdict = "ok" if wall < TARGET_SECONDS else f"MISSED by {wall - TARGET_SECONDS:.2f} s"
    mem = "ok" if peak is None or peak < TARGET_MB else f"MISSED by {peak - TARGET_MB:.0f} MB"
    print(
        f"  time {wall:.2f} s wall, {cpu:.2f} s CPU   (target < {TARGET_SECONDS:.0f} s: {verdict})"
    )
    print(
        f"  peak memory {peak or 0:.0f} MB resident growth   (target < {TARGET_MB:.0f} MB: {mem}); "
        f"{traced or 0:.0f} MB of Python objects traced"
    )
    print(
        f"  total score {plan.total_points:,} in {len(plan.matches):,} matches; "
        f"{len(plan.unmatched):,} unmatched"
    )
    for label, (total, made, seconds) in base.items():
        ratio = plan.total_points / total if total else float("inf")
        print(
            f"  {label:<18} total {total:>10,} in {made:>5,} pairs, {seconds:.2f} s"
            f"  -> optimal is {ratio:.2f}x"
        )


def run_mentoring(people: list[Participant], history: History, seed: int) -> None:
    solve = lambda: match_mentoring(people, round_on=ROUND_ON, history=history, seed=seed)  # noqa: E731
    plan, wall, cpu, peak = timed_with_peak(solve)
    traced = traced_peak_mb(solve)
    mentors = sorted((p for p in people if p.role is Role.MENTOR), key=lambda p: p.person_id)
    mentees = sorted((p for p in people if p.role is Role.MENTEE), key=lambda p: p.person_id)
    matrix, build, _ = timed(
        lambda: score_matrix(mentors, mentees, round_on=ROUND_ON, history=history, mentoring=True)
    )
    capacities = [m.capacity for m in mentors]
    (rand_total, rand_pairs), rand_s, _ = timed(lambda: random_pairing(matrix, capacities, seed))
    (greedy_total, greedy_pairs), greedy_s, _ = timed(lambda: greedy_best_first(matrix, capacities))
    print(
        f"\nscore matrix alone: {build:.2f} s; "
        f"allowed pairs {int(matrix.allowed.sum()):,} of {matrix.allowed.size:,}"
    )
    report(
        f"mentoring: {len(mentees):,} mentees, {len(mentors):,} mentors, "
        f"{sum(capacities):,} places",
        plan,
        wall,
        cpu,
        peak,
        traced,
        {
            "random (Donut)": (rand_total, rand_pairs, rand_s),
            "greedy best-first": (greedy_total, greedy_pairs, greedy_s),
        },
    )


def run_peers(people: list[Participant], history: History, seed: int) -> RoundPlan:
    def solve() -> RoundPlan:
        return match_peers(people, round_on=ROUND_ON, history=history, seed=seed)

    plan, wall, cpu, peak = timed_with_peak(solve)
    traced = traced_peak_mb(solve)
    peers = sorted((p for p in people if p.role is Role.PEER), key=lambda p: p.person_id)
    matrix = score_matrix(peers, peers, round_on=ROUND_ON, history=history, mentoring=False)
    (rand_total, rand_pairs), rand_s, _ = timed(lambda: random_pairing(matrix, [], seed))
    (greedy_total, greedy_pairs), greedy_s, _ = timed(lambda: greedy_best_first(matrix, []))
    report(
        f"peers: {len(peers):,} peers, {int(np.triu(matrix.allowed, 1).sum()):,} allowed pairs",
        plan,
        wall,
        cpu,
        peak,
        traced,
        {
            "random (Donut)": (rand_total, rand_pairs, rand_s),
            "greedy best-first": (greedy_total, greedy_pairs, greedy_s),
        },
    )
    return plan


def random_scores(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeded random points 1-1000 for every pair, 10 % of pairs blocked (points 0)."""
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.integers(1, 1001, (n, n)), 1)
    allowed = np.triu(rng.random((n, n)) >= 0.1, 1)
    allowed |= allowed.T
    return np.where(allowed, upper + upper.T, 0).astype(np.int32), allowed


def run_random_scores(n: int, seed: int) -> None:
    """A large round on random scores: the LP proof against the blossom method on the
    candidate pairs alone (no proof), in the same run."""
    points, allowed = random_scores(n, seed)

    def match(rows: Any, cols: Any) -> list[tuple[int, int]]:
        return max_weight_pairs(n, rows, cols, points[rows, cols].astype(np.int64))

    large, wall, cpu = timed(lambda: match_large_round(points, allowed, match))
    _, _, base_cpu = timed(lambda: match(*candidate_pairs(points, allowed)))
    gap = large.bound - large.points
    print(
        f"\nrandom scores, {n:,} people, seed {seed}: "
        f"{'proven optimal' if not gap else f'gap {gap}'}, {large.points:,} points, "
        f"{large.lp_rounds} LP rounds\n  time {wall:.2f} s wall, {cpu:.2f} s CPU; "
        f"blossom on the candidate pairs alone {base_cpu:.2f} s CPU (ratio {cpu / base_cpu:.1f}x)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--mentees", type=int, default=5000)
    parser.add_argument("--peers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--compare", action="store_true", help="time the candidate solvers too")
    parser.add_argument("--random-scores", type=int, default=0, metavar="N", help="only that")
    args = parser.parse_args()
    print(
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
        "(other work on the machine slows wall times; CPU times are less affected)"
    )
    if args.random_scores:
        for seed in range(args.seed, args.seed + 3):
            run_random_scores(args.random_scores, seed)
        return 0
    people, history = community(args.mentors, args.mentees, args.peers, args.seed)
    if args.compare:
        from bench.matching_solvers import compare

        compare(people, history, ROUND_ON, args.seed)
    if args.mentors and args.mentees:
        run_mentoring([p for p in people if p.role is not Role.PEER], history, args.seed)
    if args.peers:
        run_peers([p for p in people if p.role is Role.PEER], history, args.seed)
    print(f"\nprocess peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
