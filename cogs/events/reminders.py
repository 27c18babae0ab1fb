"""Reminders as outbox rows: written in the same transaction as the RSVP that causes them.

Each row is due `minutes` before its occurrence and expires at the start, so one that fell due
while the bot was down is still sent at startup if the event has not begun, and dropped
otherwise. Its key (`keys.reminder`) names the event, the occurrence, the offset and the
person, so it is never written twice; a moved event has new occurrence starts and therefore
new keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Destination
from bot.core.zones import ZoneSource, zone_name
from bot.outbox import Outbox, Outgoing
from cogs.events import keys
from cogs.events.cards import channel_reminder, reminder_message
from cogs.events.recurrence import is_occurrence
from cogs.events.views import ATTENDING, EventView
from storage.repositories import events as repo

REMINDERS_SETTING = "event_reminders"  # person setting; False turns reminders off
REMINDER_KIND = "reminder"  # the outbox rows' kind


def wants_reminders(person_settings: dict[str, Any] | None) -> bool:
    return bool((person_settings or {}).get(REMINDERS_SETTING, True))


def offsets_ahead(offsets: Iterable[int], occurrence: datetime, now: datetime) -> tuple[int, ...]:
    """The reminder offsets (minutes before `occurrence`) whose time is still after `now`,
    largest first: the reminders that will really be sent. One already due is never sent."""
    return tuple(
        sorted((m for m in offsets if occurrence - timedelta(minutes=m) > now), reverse=True)
    )


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: int
    external_id: str
    zone: str
    reminders_on: bool


class ReminderSchedule:
    def __init__(self, outbox: Outbox, clock: Clock) -> None:
        self.outbox = outbox
        self.clock = clock

    async def add(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        people: Iterable[Recipient],
    ) -> None:
        """Direct-message reminders for people who said yes or maybe."""
        if view.reminders_in != "dm" or view.cancelled:
            return
        now = self.clock.now()
        rows = [
            Outgoing(
                platform=view.platform,
                destination=Destination.person(person.external_id),
                community_id=view.community_id,
                kind=REMINDER_KIND,
                due_at=due,
                expires_at=occurrence,
                dedupe_key=keys.reminder(view.id, occurrence, minutes, person.person_id),
                collapse_key=keys.reminders_to(view.id, occurrence, person.person_id),
                fallback_channel_id=view.channel_id,
                timezone=person.zone,
            )
            for person in people
            if person.reminders_on
            # too late for an offset already due; a later one may still apply
            for minutes in offsets_ahead(view.reminder_minutes, occurrence, now)
            for due in (occurrence - timedelta(minutes=minutes),)
        ]
        if rows:
            await self.outbox.enqueue_many(session, reminder_message(view, occurrence), rows)

    async def remove(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        person_ids: Iterable[int],
    ) -> None:
        await self.outbox.withdraw_later(
            session,
            *(
                keys.reminder(view.id, occurrence, m, pid)
                for pid in person_ids
                for m in view.reminder_minutes
            ),
            reason="answer changed",
        )

    async def refresh_channel(
        self, session: AsyncSession, view: EventView, occurrence: datetime
    ) -> None:
        """Channel mode: one post per offset naming everyone attending; rewritten (coalesced)
        while it is still pending."""
        if view.reminders_in != "channel":
            return
        attending = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=ATTENDING)
        ids = [p.external_id for _, p in attending if wants_reminders(p.settings)]
        now = self.clock.now()
        for minutes in view.reminder_minutes:
            key = keys.reminder(view.id, occurrence, minutes, "channel")
            due = occurrence - timedelta(minutes=minutes)
            if not ids or view.cancelled:
                await self.outbox.withdraw(session, key, reason="nobody attending")
                continue
            if due <= now:
                continue
            await self.outbox.enqueue(
                session,
                platform=view.platform,
                destination=Destination.channel(view.channel_id),
                message=channel_reminder(view, occurrence, ids),
                community_id=view.community_id,
                kind=REMINDER_KIND,
                due_at=due,
                expires_at=occurrence,
                dedupe_key=key,
                coalesce_key=key,
                collapse_key=keys.reminders_to(view.id, occurrence, "channel"),
            )

    async def withdraw_event(self, session: AsyncSession, event_id: int) -> None:
        """Drop every pending reminder (direct or in the channel) of every date."""
        await self.outbox.withdraw_under(
            session, keys.reminders_of(event_id), reason="event changed"
        )

    async def withdraw_occurrence(
        self, session: AsyncSession, event_id: int, occurrence: datetime
    ) -> None:
        """Drop every pending reminder (direct or in the channel) for one date of a series."""
        await self.outbox.withdraw_under(
            session, keys.reminders_on(event_id, occurrence), reason="date cancelled"
        )

    async def withdraw_person(self, session: AsyncSession, community_id: int, person: str) -> int:
        """Drop every pending direct reminder to a person (their platform id), of any event;
        returns how many."""
        return await self.outbox.withdraw_addressed(
            session,
            community_id=community_id,
            person_id=person,
            kind=REMINDER_KIND,
            reason="reminders turned off",
        )

    async def rebuild(
        self, session: AsyncSession, view: EventView, community_zone: ZoneSource
    ) -> None:
        """After an edit: withdraw every pending reminder of the event and write them again
        from the current answers (already-sent ones keep their keys and are not repeated).
        Answers kept for a moment that is no longer one of the event's dates get none. Each
        person keeps the zone their reminders were queued in (their platform's, which the
        database does not keep) unless they set their own since."""
        queued = await self.outbox.pending_zones(session, keys.reminders_of(view.id))
        await self.withdraw_event(session, view.id)
        if view.cancelled:
            return
        now = self.clock.now()
        rows = await repo.rsvps(session, view.id, statuses=ATTENDING, since=now)
        by_occurrence: dict[datetime, list[Recipient]] = {}
        for rsvp, person in rows:
            if not is_occurrence(
                view.rrule, view.starts_at, view.timezone, rsvp.occurrence, skip=view.skipped
            ):
                continue
            by_occurrence.setdefault(rsvp.occurrence, []).append(
                recipient(person, community_zone, queued.get(person.external_id))
            )
        for occurrence, people in by_occurrence.items():
            if view.reminders_in == "channel":
                await self.refresh_channel(session, view, occurrence)
            else:
                await self.add(session, view, occurrence, people)


def recipient(person: Any, community_zone: ZoneSource, queued: str | None = None) -> Recipient:
    """A Recipient from a people row: their own zone, else the zone their reminders were
    queued in (`queued`, from their platform), else the community's."""
    return Recipient(
        person_id=person.id,
        external_id=person.external_id,
        zone=zone_name(person, queued, community_zone),
        reminders_on=wants_reminders(person.settings),
    )
