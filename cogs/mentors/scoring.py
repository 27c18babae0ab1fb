"""The score of a possible pair: hard rules first, then points with a named reason each.

This is the one documented definition of a good match (README "Mentoring"); `matrix` computes
the same numbers for a whole round at once and is tested to agree with `score_pair` exactly.

Hard rules (the pair is never proposed), checked in this order:
 1. someone is paused;
 2. someone pressed **Not a good fit** for this pair in an earlier round;
 3. someone has the other on their avoid list;
 4. they were matched within the cool-down (default 6 calendar months before the round);
 5. both gave languages and share none;
 6. (mentoring only, on by default) they share no topic.

Points (integers, defaults in `ScoringRules`):
 - baseline: every allowed pair starts with 10, so any allowed pair beats leaving people out;
 - shared topics: 30 for each topic both listed (times the topic's weight in the vocabulary);
 - working hours: 4 for each hour both are inside their 09:00-17:00 local day on the round's
   date (`hours.overlap_minutes`; whole minutes, rounded down to points);
 - different organizations: 20 when both gave an organization and they differ (the point of
   meeting across libraries);
 - career stage (mentoring only): +20 when the mentor is further along than the mentee,
   -20 when the mentor is less far along, 0 at the same stage or when either did not say;
 - waited: 25 for each round a person was left out, up to 3 rounds, for each of the two;
 - repeat: a pair that met before, after the cool-down, loses 60 points at the end of the
   cool-down, halving every 180 days after it;
 - floor: a pair's total is never below 1 (the floor reason makes up the difference), so an
   allowed pair is always better than no pair.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from cogs.mentors.hours import WorkingDay, overlap_minutes
from cogs.mentors.participants import History, Participant, Role


class Rule(StrEnum):
    """A hard rule that keeps two people apart."""

    PAUSED = "paused"
    NOT_A_GOOD_FIT = "not_a_good_fit"
    AVOID = "avoid"
    COOL_DOWN = "cool_down"
    LANGUAGE = "language"
    NO_SHARED_TOPIC = "no_shared_topic"


class ReasonKind(StrEnum):
    """A named part of a pair's score."""

    BASELINE = "baseline"
    SHARED_TOPICS = "shared_topics"
    WORKING_HOURS = "working_hours"
    ORGANIZATIONS = "organizations"
    LANGUAGE = "language"
    CAREER_STAGE = "career_stage"
    WAITED = "waited"
    REPEAT = "repeat"
    FLOOR = "floor"


@dataclass(frozen=True, slots=True)
class ScoringRules:
    """Every number of the score, with its default. Points are integers; days are calendar days.

    ``cool_down_months``: calendar months after a match during which the pair is never proposed
    again (issue 11: "configurable, default 6 months").
    """

    baseline_points: int = 10
    topic_points: int = 30
    points_per_overlap_hour: int = 4
    different_organizations_points: int = 20
    career_stage_points: int = 20
    waited_points: int = 25
    waited_rounds_cap: int = 3
    repeat_penalty_points: int = 60
    repeat_half_life_days: int = 180
    cool_down_months: int = 6
    working_day: WorkingDay = field(default_factory=WorkingDay)
    mentoring_needs_shared_topic: bool = True

    def __post_init__(self) -> None:
        if self.baseline_points < 1:
            raise ValueError("baseline_points must be at least 1")
        if self.repeat_half_life_days < 1 or self.cool_down_months < 0:
            raise ValueError("repeat_half_life_days must be >= 1 and cool_down_months >= 0")


@dataclass(frozen=True, slots=True)
class Reason:
    """One named part of a score and the facts behind it (only the fields of its kind are set).

    - SHARED_TOPICS: ``topics`` (sorted names);
    - WORKING_HOURS: ``minutes`` of overlap;
    - ORGANIZATIONS: ``organizations`` (the two names, in the pair's order);
    - LANGUAGE: ``languages`` shared (0 points: a requirement, not a bonus);
    - CAREER_STAGE: ``stages`` (mentor's, mentee's);
    - WAITED: ``waited`` ((person_id, rounds counted), ...);
    - REPEAT: ``last_met``.
    """

    kind: ReasonKind
    points: int
    topics: tuple[str, ...] = ()
    minutes: int | None = None
    organizations: tuple[str, str] | None = None
    languages: tuple[str, ...] = ()
    stages: tuple[str, str] | None = None
    waited: tuple[tuple[str, int], ...] = ()
    last_met: date | None = None


@dataclass(frozen=True, slots=True)
class PairScore:
    """An allowed pair: ``points`` is the sum of the reasons' points (always >= 1)."""

    a: str
    b: str
    points: int
    reasons: tuple[Reason, ...]

    def reason(self, kind: ReasonKind) -> Reason | None:
        """The reason of that kind, or None when it did not apply."""
        return next((r for r in self.reasons if r.kind is kind), None)


@dataclass(frozen=True, slots=True)
class Blocked:
    """A pair a hard rule forbids; ``detail`` names the person or date involved."""

    a: str
    b: str
    rule: Rule
    detail: str = ""


def cool_down_ends(met_on: date, rules: ScoringRules) -> date:
    """The first round date on which a pair matched on ``met_on`` may be matched again
    (calendar months: matched on 31 August, free again on 28 February with 6 months)."""
    return _months_later(met_on, rules.cool_down_months)


@lru_cache(maxsize=4096)
def _months_later(day: date, months: int) -> date:
    return day + relativedelta(months=months)


def repeat_penalty(last_met: date, round_on: date, rules: ScoringRules) -> int:
    """Points taken from a pair that met on ``last_met``, for a round on ``round_on`` after the
    cool-down: ``repeat_penalty_points`` halved every ``repeat_half_life_days`` (rounded down)."""
    days = (round_on - cool_down_ends(last_met, rules)).days
    if days < 0:
        raise ValueError("the pair is still in its cool-down")
    return int(rules.repeat_penalty_points * 0.5 ** (days / rules.repeat_half_life_days))


def is_mentoring(a: Participant, b: Participant) -> bool:
    """True for a (mentor, mentee) pair, False for two peers; ValueError for anything else."""
    if a.role is Role.MENTOR and b.role is Role.MENTEE:
        return True
    if a.role is Role.PEER and b.role is Role.PEER:
        return False
    raise ValueError(
        f"pairs are (mentor, mentee) or (peer, peer), got ({a.role.value}, {b.role.value})"
    )


def blocking_rule(
    a: Participant, b: Participant, *, round_on: date, history: History, rules: ScoringRules
) -> Blocked | None:
    """The first hard rule that keeps ``a`` and ``b`` apart (see the module docstring)."""
    mentoring = is_mentoring(a, b)
    for person in (a, b):
        if person.paused:
            return Blocked(a.person_id, b.person_id, Rule.PAUSED, person.person_id)
    if frozenset((a.person_id, b.person_id)) in history.not_a_good_fit:
        return Blocked(a.person_id, b.person_id, Rule.NOT_A_GOOD_FIT)
    if history.avoided(a.person_id, b.person_id):
        return Blocked(a.person_id, b.person_id, Rule.AVOID)
    last = history.last_met(a.person_id, b.person_id)
    if last is not None and round_on < cool_down_ends(last, rules):
        return Blocked(a.person_id, b.person_id, Rule.COOL_DOWN, last.isoformat())
    if a.languages and b.languages and not a.languages & b.languages:
        return Blocked(a.person_id, b.person_id, Rule.LANGUAGE)
    if mentoring and rules.mentoring_needs_shared_topic and not a.topics & b.topics:
        return Blocked(a.person_id, b.person_id, Rule.NO_SHARED_TOPIC)
    return None


def score_pair(
    a: Participant,
    b: Participant,
    *,
    round_on: date,
    history: History,
    rules: ScoringRules = ScoringRules(),
    topic_weight: Callable[[str], int] = lambda topic: 1,
) -> PairScore | Blocked:
    """Score ``a`` with ``b`` for a round on the date ``round_on`` (the local date everywhere).

    ``a`` is the mentor and ``b`` the mentee for mentoring; two peers otherwise (ValueError for
    other role pairs). ``topic_weight`` is usually ``TopicVocabulary.weight``. Returns `Blocked`
    when a hard rule forbids the pair, else `PairScore` whose reasons add up to its points.
    """
    blocked = blocking_rule(a, b, round_on=round_on, history=history, rules=rules)
    if blocked is not None:
        return blocked
    reasons = [Reason(ReasonKind.BASELINE, rules.baseline_points)]
    shared = tuple(sorted(a.topics & b.topics))
    if shared:
        points = rules.topic_points * sum(topic_weight(t) for t in shared)
        reasons.append(Reason(ReasonKind.SHARED_TOPICS, points, topics=shared))
    minutes = overlap_minutes(a.zone, b.zone, round_on, rules.working_day)
    if minutes:
        points = minutes * rules.points_per_overlap_hour // 60
        reasons.append(Reason(ReasonKind.WORKING_HOURS, points, minutes=minutes))
    if a.organization and b.organization and a.organization != b.organization:
        reasons.append(
            Reason(
                ReasonKind.ORGANIZATIONS,
                rules.different_organizations_points,
                organizations=(a.organization, b.organization),
            )
        )
    if a.languages and b.languages:
        common = tuple(sorted(a.languages & b.languages))
        reasons.append(Reason(ReasonKind.LANGUAGE, 0, languages=common))
    if is_mentoring(a, b) and a.career_stage is not None and b.career_stage is not None:
        step = a.career_stage.rank - b.career_stage.rank
        points = rules.career_stage_points * ((step > 0) - (step < 0))
        stages = (a.career_stage.value, b.career_stage.value)
        reasons.append(Reason(ReasonKind.CAREER_STAGE, points, stages=stages))
    waited = tuple(
        (p.person_id, min(p.waited_rounds, rules.waited_rounds_cap))
        for p in (a, b)
        if p.waited_rounds > 0
    )
    if waited:
        points = rules.waited_points * sum(rounds for _, rounds in waited)
        reasons.append(Reason(ReasonKind.WAITED, points, waited=waited))
    last = history.last_met(a.person_id, b.person_id)
    if last is not None:
        penalty = repeat_penalty(last, round_on, rules)
        reasons.append(Reason(ReasonKind.REPEAT, -penalty, last_met=last))
    total = sum(r.points for r in reasons)
    if total < 1:
        reasons.append(Reason(ReasonKind.FLOOR, 1 - total))
        total = 1
    return PairScore(a.person_id, b.person_id, total, tuple(reasons))
