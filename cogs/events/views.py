"""Plain view types of the events cog: what presentation and the rules read.

Nothing here touches the database: `EventView.of` copies a row's values (an ORM object or a
plain result row) so the view outlives its session, and `Tally.of` builds counts from the
per-status aggregates storage returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

ATTENDING = ("going", "maybe")  # answers that get reminders
NOTIFIED = ("going", "maybe", "waitlist")  # answers whose people hear of moves and cancels


@dataclass(frozen=True, slots=True)
class EventView:
    """An event as plain values, detached from the database session."""

    id: int
    code: str
    title: str
    kind: str
    description: str | None
    location: str | None
    script: str | None
    starts_at: datetime
    duration_minutes: int
    timezone: str
    rrule: str | None
    capacity: int | None
    deadline: datetime | None
    reminder_minutes: tuple[int, ...]
    reminders_in: str
    status: str
    cancel_reason: str | None
    channel_id: str
    platform: str
    community_id: int
    creator_id: int | None
    creator_name: str | None
    sequence: int
    created_at: datetime
    updated_at: datetime
    skipped: tuple[datetime, ...] = ()  # dates of the series cancelled one at a time, UTC

    @classmethod
    def of(cls, row: Any) -> EventView:
        return cls(
            id=row.id,
            code=row.code,
            title=row.title,
            kind=row.kind,
            description=row.description,
            location=row.location,
            script=row.script,
            starts_at=row.starts_at,
            duration_minutes=row.duration_minutes,
            timezone=row.timezone,
            rrule=row.rrule,
            capacity=row.capacity,
            deadline=row.deadline,
            reminder_minutes=tuple(row.reminder_minutes or ()),
            reminders_in=row.reminders_in,
            status=row.status,
            cancel_reason=row.cancel_reason,
            channel_id=row.channel_id,
            platform=row.platform,
            community_id=row.community_id,
            creator_id=row.creator_id,
            creator_name=row.creator_name,
            sequence=row.sequence,
            created_at=row.created_at,
            updated_at=row.updated_at,
            skipped=tuple(datetime.fromtimestamp(s, UTC) for s in row.skipped_dates or ()),
        )

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def deadline_for(self, occurrence: datetime) -> datetime | None:
        """The RSVP deadline of one occurrence: a series keeps the same lead time each time."""
        if self.deadline is None:
            return None
        return occurrence - (self.starts_at - self.deadline)

    def ends(self, occurrence: datetime) -> datetime:
        return occurrence + timedelta(minutes=self.duration_minutes)


class StatusCount(Protocol):
    """One status's aggregate for one date, as storage returns it."""

    @property
    def status(self) -> str: ...
    @property
    def parties(self) -> int: ...
    @property
    def guests(self) -> int: ...
    @property
    def max_seq(self) -> int: ...


@dataclass(slots=True)
class Tally:
    """Counts for one date of an event. Seats count guests: a party is 1 + its guests."""

    going_parties: int = 0
    going_seats: int = 0
    maybe: int = 0
    maybe_seats: int = 0  # maybes with their guests
    waitlist_parties: int = 0
    waitlist_seats: int = 0
    max_seq: int = 0  # the latest arrival number given out, for the next one

    @classmethod
    def of(cls, counts: Iterable[StatusCount]) -> Tally:
        """Counts from per-status aggregates (`parties` answers bringing `guests` guests)."""
        tally = cls()
        for c in counts:
            seats = c.parties + int(c.guests or 0)
            if c.status == "going":
                tally.going_parties, tally.going_seats = c.parties, seats
            elif c.status == "maybe":
                tally.maybe, tally.maybe_seats = c.parties, seats
            elif c.status == "waitlist":
                tally.waitlist_parties, tally.waitlist_seats = c.parties, seats
            tally.max_seq = max(tally.max_seq, int(c.max_seq or 0))
        return tally

    def move(self, old: str | None, old_guests: int, new: str | None, new_guests: int) -> None:
        """Account for one RSVP changing from (old, guests) to (new, guests)."""
        self._add(old, old_guests, -1)
        self._add(new, new_guests, +1)

    def _add(self, status: str | None, guests: int, sign: int) -> None:
        if status == "going":
            self.going_parties += sign
            self.going_seats += sign * (1 + guests)
        elif status == "maybe":
            self.maybe += sign
            self.maybe_seats += sign * (1 + guests)
        elif status == "waitlist":
            self.waitlist_parties += sign
            self.waitlist_seats += sign * (1 + guests)
