"""Optimal rounds: the solver's total equals a brute-force optimum, and the rules always hold."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date
from functools import cache
from itertools import product

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.mentors.participants import History, Participant, Role
from cogs.mentors.scoring import Blocked, PairScore, score_pair
from cogs.mentors.solver import (
    MatchKind,
    RoundPlan,
    UnmatchedWhy,
    match_mentoring,
    match_peers,
)
from tests.mentors.strategies import ROUND_ON, mentoring_rounds, peer_rounds

Case = tuple[list[Participant], History]
ON = date(2026, 12, 7)


def pair_points(a: Participant, b: Participant, history: History) -> int | None:
    score = score_pair(a, b, round_on=ROUND_ON, history=history)
    return None if isinstance(score, Blocked) else score.points


def brute_force_mentoring(people: list[Participant], history: History) -> int:
    """Every way of giving each mentee one mentor or none, within capacities."""
    mentors = [p for p in people if p.role is Role.MENTOR]
    mentees = [p for p in people if p.role is Role.MENTEE]
    table = {
        (i, j): pair_points(m, e, history)
        for i, m in enumerate(mentors)
        for j, e in enumerate(mentees)
    }
    best = 0
    for choice in product([None, *range(len(mentors))], repeat=len(mentees)):
        load = Counter(c for c in choice if c is not None)
        if any(load[i] > m.capacity for i, m in enumerate(mentors)):
            continue
        total = 0
        for j, c in enumerate(choice):
            if c is None:
                continue
            points = table[c, j]
            if points is None:
                break
            total += points
        else:
            best = max(best, total)
    return best


def brute_force_matching(peers: list[Participant], history: History) -> int:
    """The best total over every set of disjoint allowed pairs."""
    n = len(peers)
    table = {
        (i, j): pair_points(peers[i], peers[j], history)
        for i in range(n)
        for j in range(n)
        if i != j
    }

    @cache
    def best(rest: tuple[int, ...]) -> int:
        if len(rest) < 2:
            return 0
        first, others = rest[0], rest[1:]
        top = best(others)  # first stays unpaired
        for k, other in enumerate(others):
            points = table[first, other]
            if points is not None:
                top = max(top, points + best(others[:k] + others[k + 1 :]))
        return top

    return best(tuple(range(len(peers))))


def assert_rules_hold(plan: RoundPlan, people: list[Participant], history: History) -> None:
    by_id = {p.person_id: p for p in people}
    seen = Counter(p for m in plan.matches for p in m.people)
    assert all(n == 1 for pid, n in seen.items() if by_id[pid].role is not Role.MENTOR)
    for match in plan.matches:
        for pair in match.pairs:
            rescored = score_pair(
                by_id[pair.a], by_id[pair.b], round_on=plan.round_on, history=history
            )
            assert isinstance(rescored, PairScore), rescored  # no hard rule broken
            assert rescored == pair
        assert match.points == sum(p.points for p in match.pairs)
    for pid, n in seen.items():
        assert n <= by_id[pid].capacity
        assert not by_id[pid].paused
    everyone = {
        p.person_id for p in people if p.role is (Role.PEER if plan.kind == "peers" else p.role)
    }
    accounted = set(seen) | {u.person_id for u in plan.unmatched}
    assert accounted == everyone
    assert plan.total_points == sum(m.points for m in plan.matches)


@settings(derandomize=True, max_examples=80, deadline=None)
@given(mentoring_rounds(), st.integers(0, 3))
def test_mentoring_total_is_the_brute_force_optimum(case: Case, seed: int) -> None:
    people, history = case
    plan = match_mentoring(people, round_on=ROUND_ON, history=history, seed=seed)
    assert plan.total_points == brute_force_mentoring(people, history)
    assert_rules_hold(plan, people, history)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(mentoring_rounds())
def test_mentoring_total_equals_networkx_on_expanded_mentor_slots(case: Case) -> None:
    people, history = case
    graph = nx.Graph()
    for mentor in (p for p in people if p.role is Role.MENTOR):
        for slot in range(mentor.capacity):
            for mentee in (p for p in people if p.role is Role.MENTEE):
                points = pair_points(mentor, mentee, history)
                if points is not None:
                    graph.add_edge((mentor.person_id, slot), mentee.person_id, weight=points)
    matching = nx.max_weight_matching(graph)
    expected = sum(graph.edges[a, b]["weight"] for a, b in matching)
    assert match_mentoring(people, round_on=ROUND_ON, history=history).total_points == expected


@settings(derandomize=True, max_examples=100, deadline=None)
@given(peer_rounds())
def test_peer_pairs_are_the_brute_force_optimum_and_the_trio_the_best_place(case: Case) -> None:
    peers, history = case
    plan = match_peers(peers, round_on=ROUND_ON, history=history)
    assert_rules_hold(plan, peers, history)
    assert sum(m.pairs[0].points for m in plan.matches) == brute_force_matching(peers, history)
    trios = [m for m in plan.matches if m.kind is MatchKind.TRIO]
    assert len(trios) <= 1
    by_id = {p.person_id: p for p in peers}
    pairs = [m.people[:2] for m in plan.matches]
    left = [u.person_id for u in plan.unmatched if u.candidates] + [t.people[2] for t in trios]
    gains = [
        pa + pb
        for x, (a, b) in product(left, pairs)
        if (pa := pair_points(by_id[x], by_id[a], history)) is not None
        and (pb := pair_points(by_id[x], by_id[b], history)) is not None
    ]
    if gains:
        assert trios and trios[0].pairs[1].points + trios[0].pairs[2].points == max(gains)
    else:
        assert not trios


def open_peer(i: int, zone: str = "UTC") -> Participant:
    return Participant(f"peer{i:02}", Role.PEER, zone, frozenset({"reference"}))


@settings(derandomize=True, max_examples=30, deadline=None)
@given(st.integers(2, 15), st.integers(0, 100))
def test_when_everyone_may_meet_an_odd_count_makes_exactly_one_trio(n: int, seed: int) -> None:
    peers = [
        open_peer(i, random.Random(i).choice(["UTC", "Asia/Tokyo", "America/Denver"]))
        for i in range(n)
    ]
    plan = match_peers(peers, round_on=ON, seed=seed)
    kinds = Counter(m.kind for m in plan.matches)
    assert kinds[MatchKind.TRIO] == n % 2
    assert kinds[MatchKind.PAIR] == n // 2 - n % 2
    assert plan.unmatched == ()


@settings(derandomize=True, max_examples=20, deadline=None)
@given(mentoring_rounds() | peer_rounds(), st.integers(0, 1000), st.randoms())
def test_the_same_seed_gives_the_same_round_whatever_the_order(
    case: Case, seed: int, shuffler: random.Random
) -> None:
    people, history = case
    shuffled = list(people)
    shuffler.shuffle(shuffled)
    for solve in (match_mentoring, match_peers):
        one = solve(people, round_on=ROUND_ON, history=history, seed=seed)
        again = solve(shuffled, round_on=ROUND_ON, history=history, seed=seed)
        assert one == again
        other_seed = solve(people, round_on=ROUND_ON, history=history, seed=seed + 1)
        assert other_seed.total_points == one.total_points


def test_the_seed_chooses_between_equally_good_rounds() -> None:
    """Four identical peers: three equally good pairings, and different seeds pick differently."""
    peers = [open_peer(i) for i in range(4)]
    rounds = {
        frozenset(m.people for m in match_peers(peers, round_on=ON, seed=s).matches)
        for s in range(30)
    }
    assert len(rounds) == 3


def test_capacity_is_respected_and_the_mentee_left_over_is_told_mentors_are_full() -> None:
    mentor = Participant("ada", Role.MENTOR, "UTC", frozenset({"archives"}), capacity=2)
    mentees = [
        Participant(f"m{i}", Role.MENTEE, "UTC", frozenset({"archives"}), waited_rounds=i)
        for i in range(3)
    ]
    plan = match_mentoring([mentor, *mentees], round_on=ON)
    # The two who waited longest get the places.
    assert sorted(m.people for m in plan.matches) == [("ada", "m1"), ("ada", "m2")]
    (left,) = plan.unmatched
    assert (left.person_id, left.why, left.candidates) == ("m0", UnmatchedWhy.CAPACITY_FULL, 1)


def test_the_solver_maximises_the_total_not_each_persons_best() -> None:
    """Greedy would give Bo the mentor that fits best and leave Cy without one."""
    ada = Participant("ada", Role.MENTOR, "UTC", frozenset({"archives", "reference"}))
    eve = Participant("eve", Role.MENTOR, "UTC", frozenset({"archives"}))
    bo = Participant("bo", Role.MENTEE, "UTC", frozenset({"archives", "reference"}))
    cy = Participant("cy", Role.MENTEE, "UTC", frozenset({"reference"}))
    plan = match_mentoring([ada, eve, bo, cy], round_on=ON)
    assert sorted(m.people for m in plan.matches) == [("ada", "cy"), ("eve", "bo")]
    assert plan.unmatched == ()


def test_unmatched_people_are_told_why() -> None:
    mentor = Participant("ada", Role.MENTOR, "UTC", frozenset({"archives"}))
    spare = Participant(
        "eve", Role.MENTOR, "UTC", frozenset({"archives"}), languages=frozenset({"fr"})
    )
    paused = Participant("bo", Role.MENTEE, "UTC", frozenset({"archives"}), paused=True)
    lonely = Participant("cy", Role.MENTEE, "UTC", frozenset({"zines"}))
    avoided = Participant(
        "di", Role.MENTEE, "UTC", frozenset({"archives"}), languages=frozenset({"en"})
    )
    history = History.of(avoid={"di": ["ada"]})
    plan = match_mentoring([mentor, spare, paused, lonely, avoided], round_on=ON, history=history)
    assert plan.matches == ()
    why = {u.person_id: (u.why, dict(u.rules)) for u in plan.unmatched}
    assert why == {
        "bo": (UnmatchedWhy.PAUSED, {}),
        "cy": (UnmatchedWhy.NO_COMPATIBLE_PARTNER, {"no_shared_topic": 2}),
        "di": (UnmatchedWhy.NO_COMPATIBLE_PARTNER, {"avoid": 1, "language": 1}),
        "ada": (
            UnmatchedWhy.NO_COMPATIBLE_PARTNER,
            {"avoid": 1, "no_shared_topic": 1, "paused": 1},
        ),
        "eve": (
            UnmatchedWhy.NO_COMPATIBLE_PARTNER,
            {"language": 1, "no_shared_topic": 1, "paused": 1},
        ),
    }


def test_a_peer_whose_partners_went_elsewhere_lost_to_a_better_total() -> None:
    a, b = open_peer(1), open_peer(2)
    c = replace(open_peer(3), zone="Asia/Tokyo")
    history = History.of(avoid={"peer03": ["peer01"]}, not_a_good_fit=[("peer03", "peer02")])
    plan = match_peers([a, b, c], round_on=ON, history=history)
    assert [m.people for m in plan.matches] == [("peer01", "peer02")]
    assert plan.unmatched[0].why is UnmatchedWhy.NO_COMPATIBLE_PARTNER
    d = replace(open_peer(4), zone="Asia/Tokyo")
    history = History.of(avoid={"peer04": ["peer01", "peer02", "peer03"]})
    plan = match_peers([a, b, c, d], round_on=ON, history=history)
    assert {u.person_id: u.why for u in plan.unmatched} == {
        "peer04": UnmatchedWhy.NO_COMPATIBLE_PARTNER
    }
    e = replace(open_peer(5), zone="Asia/Tokyo")
    history = History.of(avoid={"peer05": ["peer01", "peer02"]})
    plan = match_peers([a, b, c, d, e], round_on=ON, history=history)
    assert {m.kind for m in plan.matches} == {MatchKind.PAIR, MatchKind.TRIO}
    assert plan.unmatched == ()


def test_people_listed_twice_are_refused() -> None:
    import pytest

    with pytest.raises(ValueError, match="listed twice"):
        match_peers([open_peer(1), open_peer(1)], round_on=ON)
