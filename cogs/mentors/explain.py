"""Words for a round: why two people were matched, and why someone was left out.

Everything here reads the reasons the scorer recorded, so what a person is told is exactly
what the solver counted. Person ids are turned into names by the ``name`` callable the caller
passes (the cog knows display names; this module does not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.core.inflection import count, joined
from cogs.mentors.participants import Role
from cogs.mentors.plans import Match, MatchKind, RoundPlan, Unmatched, UnmatchedWhy
from cogs.mentors.scoring import PairScore, Reason, ReasonKind, Rule

Namer = Callable[[str], str]

_RULE_WORDS = {
    Rule.PAUSED: "paused",
    Rule.NOT_A_GOOD_FIT: '"not a good fit" before',
    Rule.AVOID: "avoid list",
    Rule.COOL_DOWN: "met within the cool-down",
    Rule.LANGUAGE: "no shared language",
    Rule.NO_SHARED_TOPIC: "no shared topic",
}

# Why someone was left out when the round had nobody of the other side to consider at all.
_NOBODY_ELSE = {
    Role.PEER: "the only peer taking part, so there is nobody to meet",
    Role.MENTEE: "no mentor takes part, so there is nobody to meet",
    Role.MENTOR: "no mentee takes part, so there is nobody to meet",
}


def _a(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def _staged(stage: str, role: str) -> str:
    """ "a mid-career mentor", "an early-career mentee", "a student mentee"."""
    return f"a student {role}" if stage == "student" else f"{_a(stage)}-career {role}"


def listing(items: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c" (`inflection.joined`)."""
    return joined(items)


# Last words that already say what kind of place an organization is ("Pine County Library",
# "Birch Academy"): the phrase lists such names as they are. "University" is not here: "Oak
# University libraries" is how a university's library system is named.
KIND_WORDS = frozenset(
    {
        "library",
        "libraries",
        "branch",
        "academy",
        "school",
        "college",
        "institute",
        "museum",
        "archive",
        "archives",
        "center",
        "centre",
        "society",
        "system",
        "district",
        "consortium",
    }
)


def organizations_phrase(names: Sequence[str]) -> str:
    """The organizations of a pair for an intro: "Elm Street Public and Oak University
    libraries", but "Pine County Library and Birch Academy" when any name already ends in a
    word for its kind of place (KIND_WORDS), so nothing reads "Library libraries"."""
    if any(name.split()[-1].strip(".,").casefold() in KIND_WORDS for name in names if name.split()):
        return listing(names)
    return f"{listing(names)} libraries"


def duration(minutes: int) -> str:
    """ "3 h", "2 h 30 min", "45 min"."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"


def why_you_two(pair: PairScore, who: str = "") -> str:
    """The intro's "why you two", from the reasons that speak for the pair, e.g.
    "you both listed grant writing; your working hours overlap 3 h; Elm Street Public and Oak
    University libraries". Empty when nothing but the baseline applied.

    `who` names the pair when it is not simply the reader and one other, as in a trio: "you
    and fay" gives "you and fay both listed outreach; your working hours overlap 3 h", and
    "fay and gus" gives "fay and gus both listed outreach; their working hours overlap 3 h"."""
    subject = f"{who} both" if who else "you both"
    their = "their" if who and not who.startswith("you ") else "your"
    parts: list[str] = []
    for reason in pair.reasons:
        if reason.kind is ReasonKind.SHARED_TOPICS:
            parts.append(f"{subject} listed {listing(reason.topics)}")
        elif reason.kind is ReasonKind.WORKING_HOURS and reason.minutes:
            parts.append(f"{their} working hours overlap {duration(reason.minutes)}")
        elif reason.kind is ReasonKind.ORGANIZATIONS and reason.organizations:
            parts.append(organizations_phrase(reason.organizations))
        elif reason.kind is ReasonKind.CAREER_STAGE and reason.points > 0 and reason.stages:
            mentor, mentee = reason.stages
            parts.append(f"{_staged(mentor, 'mentor')} for {_staged(mentee, 'mentee')}")
    return "; ".join(parts)


def reason_line(reason: Reason, name: Namer = str) -> str:
    """One reason with its points for a dry run, e.g. "+30 shared topics: grant writing". A
    shared language is a requirement worth no points (`scoring.score_pair`), so its line says
    so instead of "+0"."""
    sign = f"{reason.points:+d}"
    match reason.kind:
        case ReasonKind.BASELINE:
            return f"{sign} the rules allow this pair"
        case ReasonKind.SHARED_TOPICS:
            return f"{sign} shared topics: {listing(reason.topics)}"
        case ReasonKind.WORKING_HOURS:
            return f"{sign} working hours overlap {duration(reason.minutes or 0)}"
        case ReasonKind.ORGANIZATIONS:
            return f"{sign} different organizations: {listing(reason.organizations or ())}"
        case ReasonKind.LANGUAGE:
            return f"shared language: {listing(reason.languages)} (required, not scored)"
        case ReasonKind.CAREER_STAGE:
            mentor, mentee = reason.stages or ("?", "?")
            return f"{sign} career stage: {mentor} mentor, {mentee} mentee"
        case ReasonKind.WAITED:
            waits = [f"{name(pid)} {count(n, 'round')}" for pid, n in reason.waited]
            return f"{sign} left out before: {listing(waits)}"
        case ReasonKind.REPEAT:
            when = reason.last_met.isoformat() if reason.last_met else "?"
            return f"{sign} met before ({when})"
        case ReasonKind.FLOOR:
            return f"{sign} an allowed pair is worth at least 1 point"
    raise AssertionError(reason.kind)  # pragma: no cover - every kind is handled above


def _shown(reason: Reason) -> bool:
    """A dry run lists the reasons that moved the points, and the language requirement;
    one worth 0 (a career stage equal on both sides, a waited bonus set to 0) is left out."""
    return reason.points != 0 or reason.kind is ReasonKind.LANGUAGE


def match_lines(match: Match, name: Namer = str) -> list[str]:
    """A dry-run block for one match: a heading with the points, then each pair's reasons."""
    joiner = " mentors " if match.kind is MatchKind.MENTORING else " + "
    lines = [f"{joiner.join(name(p) for p in match.people)}: {count(match.points, 'point')}"]
    for pair in match.pairs:
        if len(match.pairs) > 1:
            lines.append(f"  {name(pair.a)} + {name(pair.b)}: {pair.points}")
        lines.extend(f"    {reason_line(r, name)}" for r in pair.reasons if _shown(r))
    return lines


def unmatched_line(person: Unmatched, name: Namer = str) -> str:
    """Why someone is left out, e.g. "Cy (mentee): every mentor who fits is full (2 fit)"."""
    who = f"{name(person.person_id)} ({person.role.value})"
    match person.why:
        case UnmatchedWhy.PAUSED:
            return f"{who}: paused"
        case UnmatchedWhy.NO_COMPATIBLE_PARTNER:
            if not person.rules:  # nobody was even considered (the counts cover everyone)
                return f"{who}: {_NOBODY_ELSE[person.role]}"
            ruled = [f"{_RULE_WORDS[rule]}: {count}" for rule, count in person.rules]
            return f"{who}: nobody the rules allow ({', '.join(ruled)})"
        case UnmatchedWhy.CAPACITY_FULL:
            return f"{who}: every mentor who fits is full ({person.candidates} fit)"
        case UnmatchedWhy.LOST_TO_BETTER_TOTAL:
            fit = "who fits is" if person.candidates == 1 else "who fit are"
            return f"{who}: the {person.candidates} {fit} matched where the total is higher"
    raise AssertionError(person.why)  # pragma: no cover


def dry_run_lines(plan: RoundPlan, name: Namer = str) -> list[str]:
    """The whole proposed round as text: a summary, every match with reasons, the unmatched.
    A round not proven optimal (``plan.gap``) says how many points its pairs may be short."""
    lines = [
        f"{plan.kind.value} round for {plan.round_on.isoformat()} (seed {plan.seed}): "
        f"{count(len(plan.matches), 'match')}, {count(plan.total_points, 'point')} in total"
    ]
    if plan.gap:
        lines[0] += (
            f"; not proven optimal: the best possible pairs score at most "
            f"{count(plan.gap, 'point')} more"
        )
    for match in plan.matches:
        lines.extend(match_lines(match, name))
    if plan.unmatched:
        lines.append("Not matched:")
        lines.extend(f"  {unmatched_line(u, name)}" for u in plan.unmatched)
    return lines
