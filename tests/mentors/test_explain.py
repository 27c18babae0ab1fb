"""What people and moderators are told: the intro's "why you two" and the dry run."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cogs.mentors.explain import dry_run_lines, duration, listing, why_you_two
from cogs.mentors.participants import CareerStage, History, Participant, Role
from cogs.mentors.scoring import PairScore, score_pair
from cogs.mentors.solver import match_mentoring, match_peers

ON = date(2026, 1, 12)
NAMES = {"ada": "Ada", "bo": "Bo", "cy": "Cy", "di": "Di", "eve": "Eve"}


def test_why_you_two_reads_like_the_intro() -> None:
    ada = Participant(
        "ada",
        Role.PEER,
        "America/New_York",
        frozenset({"grant writing"}),
        organization="Elm Street Public",
    )
    bo = Participant(
        "bo",
        Role.PEER,
        "Europe/London",
        frozenset({"grant writing"}),
        organization="Oak University",
    )
    score = score_pair(ada, bo, round_on=ON, history=History())
    assert isinstance(score, PairScore)
    assert why_you_two(score) == (
        "you both listed grant writing; your working hours overlap 3 h; "
        "Elm Street Public and Oak University libraries"
    )


def test_why_you_two_names_a_mentoring_fit_and_leaves_out_what_did_not_help() -> None:
    mentor = Participant(
        "ada",
        Role.MENTOR,
        "Asia/Tokyo",
        frozenset({"archives", "cataloging"}),
        career_stage=CareerStage.SENIOR,
        languages=frozenset({"en"}),
    )
    mentee = Participant(
        "bo", Role.MENTEE, "Europe/Berlin", frozenset({"cataloging", "archives"}),
        career_stage=CareerStage.EARLY, languages=frozenset({"en"}), waited_rounds=2,
    )  # fmt: skip
    score = score_pair(mentor, mentee, round_on=ON, history=History())
    assert isinstance(score, PairScore)
    assert why_you_two(score) == (
        "you both listed archives and cataloging; a senior-career mentor for an early-career mentee"
    )


def test_words() -> None:
    assert listing(["a", "b", "c"]) == "a, b and c"
    assert listing(["a"]) == "a"
    assert (duration(150), duration(45), duration(180)) == ("2 h 30 min", "45 min", "3 h")


def test_a_dry_run_shows_each_pair_with_points_and_reasons_and_who_is_left_out() -> None:
    archives, mentee = frozenset({"archives"}), Role.MENTEE
    people = [
        Participant("ada", Role.MENTOR, "UTC", archives, organization="Elm"),
        Participant("bo", mentee, "UTC", archives, organization="Oak", waited_rounds=1),
        Participant("cy", mentee, "UTC", archives, organization="Pine"),
        Participant("di", mentee, "UTC", frozenset({"zines"})),
        Participant("eve", mentee, "UTC", archives, paused=True),
    ]
    history = History.of([("ada", "cy", date(2025, 7, 1))])
    plan = match_mentoring(people, round_on=ON, history=history, seed=3)
    assert dry_run_lines(plan, NAMES.__getitem__) == [
        "mentoring round for 2026-01-12 (seed 3): 1 match, 117 points in total",
        "Ada mentors Bo: 117 points",
        "    +10 the rules allow this pair",
        "    +30 shared topics: archives",
        "    +32 working hours overlap 8 h",
        "    +20 different organizations: Elm and Oak",
        "    +25 left out before: Bo 1 round",
        "Not matched:",
        "  Cy (mentee): every mentor who fits is full (1 fit)",
        "  Di (mentee): nobody the rules allow (no shared topic: 1)",
        "  Eve (mentee): paused",
    ]


def test_a_dry_run_of_a_trio_shows_all_three_pairs() -> None:
    peers = [
        Participant(p, Role.PEER, "UTC", frozenset({"reference"})) for p in ("ada", "bo", "cy")
    ]
    reasons = [
        "    +10 the rules allow this pair",
        "    +30 shared topics: reference",
        "    +32 working hours overlap 8 h",
    ]
    assert dry_run_lines(match_peers(peers, round_on=ON), NAMES.__getitem__) == [
        "peers round for 2026-01-12 (seed 0): 1 match, 216 points in total",
        "Ada + Cy + Bo: 216 points",
        "  Ada + Cy: 72",
        *reasons,
        "  Ada + Bo: 72",
        *reasons,
        "  Cy + Bo: 72",
        *reasons,
    ]


def test_a_dry_run_says_how_far_a_round_not_proven_may_be_from_the_best() -> None:
    peers = [
        Participant(p, Role.PEER, "UTC", frozenset({"reference"})) for p in ("ada", "bo", "cy")
    ]
    proven = match_peers(peers, round_on=ON, dense_pairs_at_most=0)
    summary = "peers round for 2026-01-12 (seed 0): 1 match, 216 points in total"
    assert dry_run_lines(proven, NAMES.__getitem__)[0] == summary
    open_by_36 = replace(proven, gap=36)
    assert dry_run_lines(open_by_36, NAMES.__getitem__)[0] == (
        f"{summary}; not proven optimal: the best possible pairs score at most 36 points more"
    )


@pytest.mark.parametrize(
    ("names", "phrase"),
    [
        (("Elm Street Public", "Oak University"), "Elm Street Public and Oak University libraries"),
        (("Pine County Library", "Birch Academy"), "Pine County Library and Birch Academy"),
        (("Elm Street Public", "Cedar Libraries"), "Elm Street Public and Cedar Libraries"),
        (("Ash Museum", "Oak College."), "Ash Museum and Oak College."),
    ],
)
def test_an_organization_that_names_its_kind_gets_no_libraries_added(
    names: tuple[str, str], phrase: str
) -> None:
    ada = Participant(
        "ada", Role.PEER, "Europe/London", frozenset({"grant writing"}), organization=names[0]
    )
    bo = Participant(
        "bo", Role.PEER, "Europe/London", frozenset({"grant writing"}), organization=names[1]
    )
    score = score_pair(ada, bo, round_on=ON, history=History())
    assert isinstance(score, PairScore)
    assert why_you_two(score).endswith("; " + phrase), why_you_two(score)


def test_a_dry_run_lists_no_reason_worth_zero_and_says_a_language_is_required() -> None:
    both, en = frozenset({"archives"}), frozenset({"en"})
    mentor = Participant(
        "ada", Role.MENTOR, "UTC", both, career_stage=CareerStage.MID, languages=en
    )
    mentee = Participant("bo", Role.MENTEE, "UTC", both, career_stage=CareerStage.MID, languages=en)
    plan = match_mentoring([mentor, mentee], round_on=ON, history=History(), seed=1)
    lines = dry_run_lines(plan, NAMES.__getitem__)
    assert "    shared language: en (required, not scored)" in lines, lines
    assert not [line for line in lines if line.lstrip().startswith(("+0 ", "-0 "))], lines
    assert not [line for line in lines if "career stage" in line], lines
