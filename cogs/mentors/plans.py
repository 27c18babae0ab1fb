"""What a round of matching produces: its matches, the people it leaves out and why.

Kept apart from the solver (cogs/mentors/solver.py), whose numeric libraries (NumPy, SciPy,
OR-Tools, rustworkx) take about half a second of CPU to import: the cog's commands, texts and
schedules need these types from start-up on, the solver only when a round is matched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from cogs.mentors.participants import Role
from cogs.mentors.scoring import PairScore, Rule


class RoundKind(StrEnum):
    MENTORING = "mentoring"
    PEERS = "peers"


class MatchKind(StrEnum):
    MENTORING = "mentoring"
    PAIR = "pair"
    TRIO = "trio"


class UnmatchedWhy(StrEnum):
    """Why someone got nobody this round (shown in a dry run, and to moderators)."""

    PAUSED = "paused"
    NO_COMPATIBLE_PARTNER = "no_compatible_partner"
    CAPACITY_FULL = "capacity_full"
    LOST_TO_BETTER_TOTAL = "lost_to_better_total"


@dataclass(frozen=True, slots=True)
class Match:
    """One group of the round.

    ``people``: (mentor, mentee) for mentoring, two peers for a pair, and for a trio the pair
    first and the person who joined it last. ``pairs``: the `PairScore` of every two people in
    the group (one, or three for a trio). ``points``: their sum.
    """

    kind: MatchKind
    people: tuple[str, ...]
    pairs: tuple[PairScore, ...]
    points: int


@dataclass(frozen=True, slots=True)
class Unmatched:
    """Someone the round leaves out, and why.

    ``candidates``: how many people the hard rules would allow them to meet. ``rules``: for
    NO_COMPATIBLE_PARTNER, how many candidates each hard rule ruled out, most first.
    """

    person_id: str
    role: Role
    why: UnmatchedWhy
    candidates: int = 0
    rules: tuple[tuple[Rule, int], ...] = ()


@dataclass(frozen=True, slots=True)
class RoundPlan:
    """A proposed round: what a dry run shows and a real round sends.

    ``total_points`` is the sum over matches (the quantity that is maximised); ``solver`` names
    the library that proved it optimal. ``gap``: at most this many more points could a better
    choice of pairs reach (0: proven optimal; above 0 only for large peer rounds, see
    `large_rounds`).
    """

    kind: RoundKind
    round_on: date
    seed: int
    matches: tuple[Match, ...]
    unmatched: tuple[Unmatched, ...]
    total_points: int
    solver: str
    gap: int = 0

    def partners(self) -> dict[str, tuple[str, ...]]:
        """Person id -> the other people in their group."""
        out: dict[str, tuple[str, ...]] = {}
        for match in self.matches:
            for person in match.people:
                out[person] = tuple(p for p in match.people if p != person)
        return out
