"""Plain values for a matching round: who takes part, and what happened between people before.

Nothing here touches storage or a platform; the service that runs a round gathers these from
the database and hands them to `cogs.mentors.solver`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    """One role per person per community (issue 11: "keep it simple")."""

    MENTOR = "mentor"
    MENTEE = "mentee"
    PEER = "peer"


class LibraryType(StrEnum):
    PUBLIC = "public"
    ACADEMIC = "academic"
    SCHOOL = "school"
    SPECIAL = "special"


class CareerStage(StrEnum):
    """Career stages in order; `rank` gives the order used by the career-stage fit."""

    STUDENT = "student"
    EARLY = "early"
    MID = "mid"
    SENIOR = "senior"

    @property
    def rank(self) -> int:
        """0 for a student up to 3 for a senior."""
        return _STAGE_RANK[self]


_STAGE_RANK = {
    CareerStage.STUDENT: 0,
    CareerStage.EARLY: 1,
    CareerStage.MID: 2,
    CareerStage.SENIOR: 3,
}


@dataclass(frozen=True, slots=True)
class Participant:
    """One person's profile as a round sees it.

    - ``person_id``: the community's stable id for the person (any string; used for tie-breaks,
      so it must not change between a dry run and the real round).
    - ``topics``: normalised topic keys from `cogs.mentors.topics.TopicVocabulary.read`.
    - ``zone``: an IANA zone name ("America/Chicago"), the person's Potluck zone.
    - ``capacity``: how many mentees a mentor takes this round (>= 1); ignored for other roles.
    - ``languages``: lowercased language tags ("en", "es"); empty means "not given".
    - ``waited_rounds``: consecutive rounds this person was left out (0 if matched last time).
    - ``paused``: a paused person is never paired (`/mentor pause`).
    """

    person_id: str
    role: Role
    zone: str
    topics: frozenset[str] = frozenset()
    capacity: int = 1
    organization: str | None = None
    library_type: LibraryType | None = None
    career_stage: CareerStage | None = None
    languages: frozenset[str] = frozenset()
    waited_rounds: int = 0
    paused: bool = False

    def __post_init__(self) -> None:
        if not self.person_id:
            raise ValueError("a participant needs a person_id")
        if self.capacity < 1:
            raise ValueError(f"capacity must be at least 1, got {self.capacity}")
        if self.waited_rounds < 0:
            raise ValueError(f"waited_rounds cannot be negative, got {self.waited_rounds}")


def pair_key(a: str, b: str) -> frozenset[str]:
    """The order-free key of a pair of person ids."""
    if a == b:
        raise ValueError(f"a pair needs two different people, got {a!r} twice")
    return frozenset((a, b))


@dataclass(frozen=True, slots=True)
class PastPair:
    """Two people who were matched before and the date of the round that matched them."""

    a: str
    b: str
    met_on: date


@dataclass(frozen=True)
class History:
    """What a round must remember about earlier rounds and people's wishes.

    - ``past_pairs``: every earlier match (a trio counts as its three pairs).
    - ``not_a_good_fit``: pairs where someone pressed **Not a good fit**; never proposed again.
    - ``avoid``: person id -> the people on their private do-not-pair list (one-sided lists
      block the pair both ways).
    """

    past_pairs: tuple[PastPair, ...] = ()
    not_a_good_fit: frozenset[frozenset[str]] = frozenset()
    avoid: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _last_met: dict[frozenset[str], date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        last: dict[frozenset[str], date] = {}
        for past in self.past_pairs:
            key = pair_key(past.a, past.b)
            if key not in last or last[key] < past.met_on:
                last[key] = past.met_on
        object.__setattr__(self, "_last_met", last)

    @classmethod
    def of(
        cls,
        past_pairs: Iterable[tuple[str, str, date]] = (),
        not_a_good_fit: Iterable[tuple[str, str]] = (),
        avoid: Mapping[str, Iterable[str]] | None = None,
    ) -> History:
        """Build a history from plain tuples: ``(a, b, met_on)``, ``(a, b)`` and id -> ids."""
        return cls(
            past_pairs=tuple(PastPair(a, b, on) for a, b, on in past_pairs),
            not_a_good_fit=frozenset(pair_key(a, b) for a, b in not_a_good_fit),
            avoid={who: frozenset(ids) for who, ids in (avoid or {}).items()},
        )

    def last_met(self, a: str, b: str) -> date | None:
        """The date of the latest round that matched ``a`` with ``b``, or None."""
        return self._last_met.get(pair_key(a, b))

    def last_meetings(self) -> Mapping[frozenset[str], date]:
        """Each pair that met before -> the date of their latest round."""
        return self._last_met

    def avoided(self, a: str, b: str) -> bool:
        """True when either person has the other on their avoid list."""
        return b in self.avoid.get(a, frozenset()) or a in self.avoid.get(b, frozenset())

    def avoid_pairs(self) -> set[frozenset[str]]:
        """Every pair blocked by someone's avoid list."""
        return {
            pair_key(who, other) for who, ids in self.avoid.items() for other in ids if other != who
        }
