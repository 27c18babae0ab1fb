"""Neutral types shared by adapters, the dispatcher and cogs.

An adapter describes who did what with an `Actor`; the dispatcher resolves it against storage
into an `Invocation` that handlers receive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

from bot.core.zones import zone, zone_name

if TYPE_CHECKING:
    from bot.core.timetext import TimeReading

Platform = Literal["console", "discord", "slack"]


class Level(IntEnum):
    """What a person may do. Higher levels include the lower ones."""

    MEMBER = 0
    ORGANIZER = 1
    MODERATOR = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True, slots=True)
class ChannelRef:
    external_id: str
    name: str = ""
    is_direct: bool = False


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted, as an adapter sees it, before any storage lookup."""

    platform: Platform
    community_id: str
    community_name: str
    user_id: str
    display_name: str
    channel: ChannelRef
    level: Level = Level.MEMBER
    timezone_hint: str | None = None  # the platform's idea of the person's zone, if any
    # False for the operator at their own console: the dispatcher's flood guard and
    # cooldowns do not apply (a piped script may send hundreds of commands a minute).
    rate_limited: bool = True
    locale: str | None = None  # the platform's language tag for the person ("en-US"), if any


@dataclass(frozen=True, slots=True)
class Community:
    id: int
    platform: Platform
    external_id: str
    name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    community_id: int
    external_id: str
    display_name: str
    level: Level
    timezone: str | None


@dataclass(slots=True)
class Invocation:
    """One command or button press, resolved: what handlers receive."""

    platform: Platform
    community: Community
    person: Person
    channel: ChannelRef
    now: datetime
    command: str = ""
    raw: Any = field(default=None, repr=False)
    message_ref: str | None = None  # the message a button was pressed on
    locale: str | None = None  # the person's language tag ("en-GB"): the order of 4/12
    # How each date option was read (zone named, ambiguous dates), by option name.
    readings: dict[str, TimeReading] = field(default_factory=dict)
    # Options whose value was typed without its name (`/event reminders maybe`), so errors
    # name what was typed rather than an option the person never wrote.
    unnamed: frozenset[str] = frozenset()
    # Options given with an empty value (typed as `title:""`, or a form field left blank),
    # which count as not given; a command that changes things can refuse them instead.
    left_blank: frozenset[str] = frozenset()

    @property
    def zone_name(self) -> str:
        """The zone this person reads times in: theirs, else the community's."""
        return zone_name(self.person, self.community)

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.person, self.community)
