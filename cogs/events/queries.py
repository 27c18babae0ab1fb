"""Reading events: show, list, autocomplete, attendees, calendar files and feeds, export.

Read-only: each call is one read session and writes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.messages import Message
from bot.core.types import Community, Person
from cogs.events import dates, recurrence
from cogs.events.calendar import calendar_bytes
from cogs.events.cards import event_card
from cogs.events.lookup import day_text, find_event, require_organizer
from cogs.events.settings import EventsSettings
from cogs.events.views import EventView, Tally
from storage.db import Database
from storage.models import EventRow
from storage.repositories import events as repo

Listing = Literal["upcoming", "past", "all"]
LIST_MAX = 25
RECENT = timedelta(days=14)  # one-off events this recent are looked at for "upcoming"


@dataclass(slots=True)
class Listed:
    view: EventView
    occurrence: datetime | None  # the next date, or the last one held for past events
    tally: Tally
    past: bool = False
    happening: bool = False  # `occurrence` is under way now


@dataclass(slots=True)
class Attendee:
    name: str
    external_id: str
    status: str
    guests: int
    position: int | None  # on the waitlist, from 1
    checked_in_at: datetime | None
    answered_at: datetime


class EventQueries:
    def __init__(self, db: Database, clock: Clock, settings: EventsSettings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings

    async def show(self, community: Community, ref: str) -> Message:
        """The event's card for its next date."""
        now = self.clock.now()
        async with self.db.sessions() as session:
            view = EventView.of(await find_event(session, community.id, ref, now))
            upcoming = dates.next_dates(view, now)
            occurrence = None if view.cancelled or not upcoming else upcoming[0]
            happening = dates.current_date(view, now)
            counted = occurrence or happening
            tally = (
                Tally.of(await repo.counts(session, view.id, counted))
                if counted is not None
                else Tally()
            )
        return event_card(
            view,
            occurrence,
            tally,
            upcoming if view.rrule else [],
            skipped=dates.skipped_ahead(view, now),
            happening=happening,
        )

    async def list_events(self, community: Community, when: Listing) -> list[Listed]:
        """Up to 25 events: upcoming soonest first, past most recent first; "all" shows the
        upcoming ones, then the most recent past ones."""
        now = self.clock.now()
        async with self.db.sessions() as session:
            rows: list[EventRow] = []
            if when in ("upcoming", "all"):
                rows += await repo.community_events(
                    session, community.id, ending_after=now - RECENT
                )
            if when in ("past", "all"):
                rows += await repo.community_events(
                    session, community.id, starting_before=now, newest_first=True
                )
            listed = _listing(rows, when, now)
            counts = await repo.counts_of(
                session, [(item.view.id, item.occurrence) for item in listed if item.occurrence]
            )
        for item in listed:
            if item.occurrence is not None:
                item.tally = Tally.of(counts.get((item.view.id, item.occurrence), []))
        return listed

    async def suggest(self, community: Community, partial: str) -> list[tuple[str, str]]:
        """Upcoming events for autocomplete: (label of at most 100 characters, short id); the
        label is "Book club, Fri 4 Dec 18:00 (ke4d)", its next date telling apart events of
        one title, the title shortened to fit."""
        text = partial.strip().lower()
        now = self.clock.now()
        out: list[tuple[str, str]] = []
        for item in await self.list_events(community, "upcoming"):
            view = item.view
            if text and text not in view.title.lower() and not view.code.startswith(text):
                continue
            day = day_text(item.occurrence or view.starts_at, view.timezone, now)
            tail = f", {day} ({view.code})"
            out.append((view.title[: 100 - len(tail)] + tail, view.code))
        return out

    async def attendees(
        self, community: Community, person: Person, ref: str, on: datetime | None, zone: ZoneInfo
    ) -> tuple[EventView, datetime, list[Attendee]]:
        """Everyone who answered one date (see `dates.reporting_date`), in arrival order;
        organizers only."""
        now = self.clock.now()
        async with self.db.sessions() as session:
            view = EventView.of(await find_event(session, community.id, ref, now))
            require_organizer(view, person, "see the attendees of")
            occurrence = dates.reporting_date(view, now, on, zone)
            rows = await repo.rsvps(session, view.id, occurrence=occurrence)
        people: list[Attendee] = []
        position = 0
        for rsvp, who in rows:
            place = None
            if rsvp.status == "waitlist":
                position += 1
                place = position
            people.append(
                Attendee(
                    name=who.display_name or who.external_id,
                    external_id=who.external_id,
                    status=rsvp.status,
                    guests=rsvp.guests,
                    position=place,
                    checked_in_at=rsvp.checked_in_at,
                    answered_at=rsvp.answered_at,
                )
            )
        return view, occurrence, people

    async def ics(self, community: Community, ref: str) -> tuple[EventView, bytes]:
        """One event as an iCalendar file (RFC 5545)."""
        now = self.clock.now()
        async with self.db.sessions() as session:
            view = EventView.of(await find_event(session, community.id, ref, now))
        return view, calendar_bytes([view], name=view.title, now=now)

    async def feed(self, community_id: int) -> bytes:
        """The community's calendar feed: events ending after `feed_days_back` days ago."""
        now = self.clock.now()
        since = now - timedelta(days=self.settings.feed_days_back)
        async with self.db.sessions() as session:
            rows = await repo.community_events(
                session, community_id, ending_after=since, limit=2000
            )
        views = [EventView.of(r) for r in rows]
        return calendar_bytes(views, name="Potluck events", now=now)

    async def community_for_secret(self, secret: str) -> int | None:
        async with self.db.sessions() as session:
            return await repo.community_for_secret(session, secret)

    async def export_person(self, community_id: int, person_id: int) -> dict[str, Any]:
        """The person's answers and the events they created in this community, JSON-ready."""
        async with self.db.sessions() as session:
            answers = await repo.person_rsvps(session, person_id)
            created = await repo.events_created_by(session, person_id)
        return {
            "rsvps": [
                {
                    "event": e.title,
                    "event_id": e.code,
                    "date_utc": r.occurrence.isoformat(),
                    "answer": r.status,
                    "guests": r.guests,
                    "checked_in_utc": r.checked_in_at.isoformat() if r.checked_in_at else None,
                    "answered_utc": r.answered_at.isoformat(),
                }
                for r, e in answers
                if e.community_id == community_id
            ],
            "events_created": [
                {
                    "event": e.title,
                    "event_id": e.code,
                    "starts_utc": e.starts_at.isoformat(),
                    "status": e.status,
                }
                for e in created
                if e.community_id == community_id
            ],
        }


def _listing(rows: list[EventRow], when: Listing, now: datetime) -> list[Listed]:
    """Sort events into upcoming (soonest first) and past (latest first), at most 25."""
    ahead: list[Listed] = []
    behind: list[Listed] = []
    seen: set[int] = set()
    for row in rows:
        if row.id in seen:
            continue
        seen.add(row.id)
        view = EventView.of(row)
        current = dates.current_date(view, now)
        if current is not None:
            # Under way: listed with what is coming up, and with what has started.
            (behind if when == "past" else ahead).append(
                Listed(view, current, Tally(), happening=True)
            )
            continue
        nxt = dates.next_date(view, now)
        if when == "upcoming" and (view.cancelled or nxt is None):
            continue
        if when == "past" or (nxt is None and not view.cancelled):
            last = recurrence.last_started(
                view.rrule, view.starts_at, view.timezone, now=now, skip=view.skipped
            )
            ended = view.ends(view.starts_at) <= now if view.rrule is None else nxt is None
            if when == "past" and (last is None or (view.rrule is None and not ended)):
                continue
            behind.append(Listed(view, last, Tally(), past=True))
        elif view.cancelled:
            item = Listed(view, None, Tally())
            (ahead if view.starts_at > now else behind).append(item)
        else:
            ahead.append(Listed(view, nxt, Tally()))
    ahead.sort(key=lambda i: i.occurrence or i.view.starts_at)
    behind.sort(key=lambda i: i.occurrence or i.view.starts_at, reverse=True)
    return (ahead + behind)[:LIST_MAX]


def attendees_csv(people: list[Attendee]) -> bytes:
    """The attendee list as UTF-8 CSV; times in UTC (ISO 8601, to the minute)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "name",
            "user_id",
            "answer",
            "guests",
            "waitlist_position",
            "checked_in_utc",
            "answered_utc",
        ]
    )
    for a in people:
        writer.writerow(
            [
                _csv_safe(a.name),
                _csv_safe(a.external_id),
                a.status,
                a.guests,
                a.position or "",
                a.checked_in_at.isoformat(timespec="minutes") if a.checked_in_at else "",
                a.answered_at.isoformat(timespec="minutes"),
            ]
        )
    return buffer.getvalue().encode("utf-8")


def _csv_safe(text: str) -> str:
    """Keep spreadsheet apps from running a name as a formula (OWASP CSV injection: a
    leading tab or carriage return counts too)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
