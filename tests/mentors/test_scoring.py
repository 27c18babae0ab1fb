"""The score of a pair: every hard rule and every reason, and the bulk matrix agreeing with it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings

from cogs.mentors.matrix import score_matrix, tie_break, tie_break_matrix
from cogs.mentors.participants import CareerStage, History, Participant, Role
from cogs.mentors.scoring import (
    Blocked,
    PairScore,
    ReasonKind,
    Rule,
    ScoringRules,
    repeat_penalty,
    score_pair,
)
from tests.mentors.strategies import ROUND_ON, mentoring_rounds, peer_rounds

ON = date(2026, 12, 7)
MENTOR = Participant(
    "mentor",
    Role.MENTOR,
    "America/Chicago",
    frozenset({"grant writing", "cataloging"}),
    organization="Elm Street Public",
)
MENTEE = Participant(
    "mentee",
    Role.MENTEE,
    "America/Chicago",
    frozenset({"grant writing"}),
    organization="Oak University",
)


def scored(
    a: Participant = MENTOR, b: Participant = MENTEE, history: History = History(), **rules: int
) -> PairScore:
    score = score_pair(a, b, round_on=ON, history=history, rules=ScoringRules(**rules))  # type: ignore[arg-type]
    assert isinstance(score, PairScore), score
    return score


def points(score: PairScore) -> dict[ReasonKind, int]:
    return {r.kind: r.points for r in score.reasons}


def test_a_good_pair_scores_each_reason_and_adds_up() -> None:
    score = scored()
    assert points(score) == {
        ReasonKind.BASELINE: 10,
        ReasonKind.SHARED_TOPICS: 30,
        ReasonKind.WORKING_HOURS: 32,
        ReasonKind.ORGANIZATIONS: 20,
    }
    assert score.points == 92 == sum(points(score).values())
    assert score.reason(ReasonKind.SHARED_TOPICS).topics == ("grant writing",)  # type: ignore[union-attr]
    assert score.reason(ReasonKind.WORKING_HOURS).minutes == 480  # type: ignore[union-attr]


S, K, fs = CareerStage, ReasonKind, frozenset
BOTH = frozenset({"grant writing", "cataloging"})


@pytest.mark.parametrize(
    ("mentor", "mentee", "kind", "expected"),
    [
        # Each shared topic counts.
        ({"topics": BOTH}, {"topics": BOTH}, K.SHARED_TOPICS, 60),
        # Working hours: Chicago and London overlap 2 h in December -> 8 points.
        ({}, {"zone": "Europe/London"}, K.WORKING_HOURS, 8),
        ({}, {"zone": "Asia/Tokyo"}, K.WORKING_HOURS, None),
        # Same organization, or one not given: no cross-library points.
        ({}, {"organization": "Elm Street Public"}, K.ORGANIZATIONS, None),
        ({}, {"organization": None}, K.ORGANIZATIONS, None),
        # Career stage: the mentor further along is a fit, behind is a misfit.
        ({"career_stage": S.SENIOR}, {"career_stage": S.EARLY}, K.CAREER_STAGE, 20),
        ({"career_stage": S.MID}, {"career_stage": S.MID}, K.CAREER_STAGE, 0),
        ({"career_stage": S.EARLY}, {"career_stage": S.SENIOR}, K.CAREER_STAGE, -20),
        ({"career_stage": S.SENIOR}, {}, K.CAREER_STAGE, None),
        # Left out before: 25 a round each, up to 3 rounds.
        ({"waited_rounds": 1}, {"waited_rounds": 2}, K.WAITED, 75),
        ({}, {"waited_rounds": 7}, K.WAITED, 75),
        # A shared language is a requirement, worth 0.
        ({"languages": fs({"en", "es"})}, {"languages": fs({"es"})}, K.LANGUAGE, 0),
        ({"languages": fs({"en"})}, {}, K.LANGUAGE, None),
    ],
)
def test_each_reason(
    mentor: dict[str, object], mentee: dict[str, object], kind: ReasonKind, expected: int | None
) -> None:
    score = scored(replace(MENTOR, **mentor), replace(MENTEE, **mentee))  # type: ignore[arg-type]
    assert points(score).get(kind) == expected
    assert score.points == sum(r.points for r in score.reasons)


def test_career_stage_counts_for_mentoring_only() -> None:
    a = Participant("a", Role.PEER, "UTC", career_stage=CareerStage.SENIOR)
    b = Participant("b", Role.PEER, "UTC", career_stage=CareerStage.STUDENT)
    assert ReasonKind.CAREER_STAGE not in points(scored(a, b))


def test_topic_weights_multiply_the_shared_topic_points() -> None:
    score = score_pair(
        MENTOR,
        MENTEE,
        round_on=ON,
        history=History(),
        topic_weight=lambda t: 3 if t == "grant writing" else 1,
    )
    assert isinstance(score, PairScore)
    assert points(score)[ReasonKind.SHARED_TOPICS] == 90


@pytest.mark.parametrize(
    ("mentor", "mentee", "history", "rule"),
    [
        ({"paused": True}, {}, History(), Rule.PAUSED),
        ({}, {"paused": True}, History(), Rule.PAUSED),
        ({}, {}, History.of(not_a_good_fit=[("mentee", "mentor")]), Rule.NOT_A_GOOD_FIT),
        ({}, {}, History.of(avoid={"mentee": ["mentor"]}), Rule.AVOID),
        ({}, {}, History.of(avoid={"mentor": ["mentee"]}), Rule.AVOID),
        # Matched 6 months minus a day before the round: still cooling down.
        ({}, {}, History.of([("mentor", "mentee", date(2026, 6, 8))]), Rule.COOL_DOWN),
        ({"languages": fs({"en"})}, {"languages": fs({"es"})}, History(), Rule.LANGUAGE),
        ({}, {"topics": fs({"archives"})}, History(), Rule.NO_SHARED_TOPIC),
    ],
)
def test_each_hard_rule_blocks_the_pair(
    mentor: dict[str, object], mentee: dict[str, object], history: History, rule: Rule
) -> None:
    score = score_pair(
        replace(MENTOR, **mentor),  # type: ignore[arg-type]
        replace(MENTEE, **mentee),  # type: ignore[arg-type]
        round_on=ON,
        history=history,
    )
    assert isinstance(score, Blocked)
    assert score.rule is rule


def test_the_cool_down_ends_after_six_calendar_months_and_is_configurable() -> None:
    history = History.of([("mentor", "mentee", date(2026, 6, 7))])
    score = scored(history=history)
    assert points(score)[ReasonKind.REPEAT] == -60
    assert score.reason(ReasonKind.REPEAT).last_met == date(2026, 6, 7)  # type: ignore[union-attr]
    blocked = score_pair(
        MENTOR, MENTEE, round_on=ON, history=history, rules=ScoringRules(cool_down_months=12)
    )
    assert isinstance(blocked, Blocked) and blocked.rule is Rule.COOL_DOWN


def test_peers_do_not_need_a_shared_topic_but_mentoring_can_be_told_not_to() -> None:
    a = Participant("a", Role.PEER, "UTC", frozenset({"archives"}))
    b = Participant("b", Role.PEER, "UTC", frozenset({"reference"}))
    assert scored(a, b).points == 10 + 32
    loose = ScoringRules(mentoring_needs_shared_topic=False)
    mentee = replace(MENTEE, topics=frozenset({"archives"}))
    assert isinstance(
        score_pair(MENTOR, mentee, round_on=ON, history=History(), rules=loose), PairScore
    )


@pytest.mark.parametrize(
    ("days_after_cool_down", "penalty"), [(0, 60), (90, 42), (180, 30), (360, 15), (3600, 0)]
)
def test_the_repeat_penalty_halves_every_180_days(days_after_cool_down: int, penalty: int) -> None:
    from datetime import timedelta

    met = date(2025, 1, 1)
    end_of_cool_down = date(2025, 7, 1)
    on = end_of_cool_down + timedelta(days=days_after_cool_down)
    assert repeat_penalty(met, on, ScoringRules()) == penalty


def test_a_poor_allowed_pair_still_scores_one_point_with_a_floor_reason() -> None:
    mentor = replace(MENTOR, zone="Asia/Tokyo", organization=None, career_stage=CareerStage.STUDENT)
    mentee = replace(MENTEE, career_stage=CareerStage.SENIOR)
    history = History.of([("mentor", "mentee", date(2026, 6, 7))])
    score = scored(mentor, mentee, history, topic_points=5)
    assert points(score) == {
        ReasonKind.BASELINE: 10,
        ReasonKind.SHARED_TOPICS: 5,
        ReasonKind.CAREER_STAGE: -20,
        ReasonKind.REPEAT: -60,
        ReasonKind.FLOOR: 66,
    }
    assert score.points == 1


def test_the_tie_break_is_order_free_and_seeded() -> None:
    assert tie_break("a", "b", 7) == tie_break("b", "a", 7)
    assert 0 <= tie_break("a", "b", 7) < 1024
    assert len({tie_break("a", "b", seed) for seed in range(20)}) > 10
    with pytest.raises(ValueError):
        tie_break("a", "a", 7)


def _agree(
    rows: list[Participant], cols: list[Participant], history: History, mentoring: bool
) -> None:
    matrix = score_matrix(rows, cols, round_on=ROUND_ON, history=history, mentoring=mentoring)
    ties = tie_break_matrix(rows, cols, seed=5)
    for i, a in enumerate(rows):
        for j, b in enumerate(cols):
            if a.person_id == b.person_id:
                assert not matrix.allowed[i, j]
                continue
            score = score_pair(a, b, round_on=ROUND_ON, history=history)
            if isinstance(score, Blocked):
                assert not matrix.allowed[i, j] and matrix.points[i, j] == 0, score
            else:
                assert matrix.allowed[i, j] and matrix.points[i, j] == score.points
            assert ties[i, j] == tie_break(a.person_id, b.person_id, 5)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(mentoring_rounds())
def test_the_bulk_matrix_equals_the_pair_score_for_mentoring(
    case: tuple[list[Participant], History],
) -> None:
    people, history = case
    mentors = [p for p in people if p.role is Role.MENTOR]
    mentees = [p for p in people if p.role is Role.MENTEE]
    _agree(mentors, mentees, history, mentoring=True)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(peer_rounds())
def test_the_bulk_matrix_equals_the_pair_score_for_peers(
    case: tuple[list[Participant], History],
) -> None:
    peers, history = case
    _agree(peers, peers, history, mentoring=False)
