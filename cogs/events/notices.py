"""Who is told what: the events cog's outbox rows for cards and notices.

Each method writes rows in the caller's transaction, so a notice exists exactly when the
change it tells of does. Direct messages fall back to the event's channel when they cannot
be delivered, and carry the reader's zone (theirs, else the community's) for plain-text
renderings of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.delivery import Destination
from bot.core.messages import Message
from bot.core.types import Community
from bot.core.zones import zone_name
from bot.outbox import Outbox
from bot.outbox_keys import OutboxKey
from cogs.events import dates, keys
from cogs.events.cards import (
    cancelled_message,
    date_cancelled_message,
    demoted_message,
    dropped_message,
    event_card,
    followup_message,
    moved_message,
    party_too_big_message,
    promoted_message,
)
from cogs.events.views import NOTIFIED, EventView, Tally
from storage.models import PersonRow, RsvpRow
from storage.repositories import events as repo

CARD_KIND = "announcement"
CARD_EDIT_KIND = "card-edit"


def by_person(rows: Sequence[tuple[RsvpRow, PersonRow]]) -> list[tuple[PersonRow, list[RsvpRow]]]:
    """Answers grouped by person (first-seen order), each person's in date order."""
    grouped: dict[int, tuple[PersonRow, list[RsvpRow]]] = {}
    for rsvp, person in rows:
        grouped.setdefault(person.id, (person, []))[1].append(rsvp)
    return [
        (person, sorted(answers, key=lambda r: r.occurrence))
        for person, answers in grouped.values()
    ]


class Notices:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    async def to_person(
        self,
        session: AsyncSession,
        view: EventView,
        person: PersonRow,
        community: Community,
        *,
        kind: str,
        message: Message,
        key: OutboxKey | None = None,
    ) -> None:
        """One direct message about the event; with a `key`, never written twice."""
        await self.outbox.enqueue(
            session,
            platform=view.platform,
            destination=Destination.person(person.external_id),
            message=message,
            community_id=view.community_id,
            kind=kind,
            dedupe_key=key,
            fallback_channel_id=view.channel_id,
            timezone=zone_name(person, community),
        )

    async def _notice(
        self,
        session: AsyncSession,
        view: EventView,
        person: PersonRow,
        community: Community,
        tag: keys.NoticeTag,
        message: Message,
    ) -> None:
        """One notice per person per change of the event (its sequence), never twice."""
        await self.to_person(
            session,
            view,
            person,
            community,
            kind=f"event-{tag}",
            message=message,
            key=keys.notice(view.id, tag, view.sequence, person.id),
        )

    # -- the card ------------------------------------------------------------------------------

    async def post_card(self, session: AsyncSession, view: EventView, card: Message) -> None:
        """The card of a new event, in its channel."""
        await self.outbox.enqueue(
            session,
            platform=view.platform,
            destination=Destination.channel(view.channel_id),
            message=card,
            community_id=view.community_id,
            kind=CARD_KIND,
            dedupe_key=keys.card(view.id),
        )

    async def edit_card(
        self,
        session: AsyncSession,
        view: EventView,
        now: datetime,
        tally: Tally | None = None,
        upcoming: list[datetime] | None = None,
    ) -> Message:
        """Refresh the public card; pending edits coalesce, so a burst of RSVPs is one edit.
        `tally` and `upcoming` (the next dates) are passed when the caller has them already.
        Returns the card."""
        if upcoming is None:
            upcoming = dates.next_dates(view, now)
        occurrence = None if view.cancelled or not upcoming else upcoming[0]
        happening = dates.current_date(view, now)
        counted = occurrence or happening
        if counted is not None and tally is None:
            tally = Tally.of(await repo.counts(session, view.id, counted))
        card = event_card(
            view,
            occurrence,
            tally or Tally(),
            upcoming if view.rrule else [],
            skipped=dates.skipped_ahead(view, now),
            happening=happening,
        )
        await self.outbox.enqueue(
            session,
            platform=view.platform,
            destination=Destination.channel(view.channel_id),
            message=card,
            community_id=view.community_id,
            kind=CARD_EDIT_KIND,
            edit_of=keys.card(view.id),
            coalesce_key=keys.card_edit(view.id),
        )
        return card

    # -- changes to the event ------------------------------------------------------------------

    async def cancelled(
        self, session: AsyncSession, view: EventView, community: Community, now: datetime
    ) -> int:
        """Everyone who answered yes, maybe or was waiting for an upcoming date hears that the
        event is cancelled (with their dates). Returns how many people were told."""
        rows = await repo.rsvps(session, view.id, statuses=NOTIFIED, since=now)
        told = by_person(rows)
        for who, answers in told:
            message = cancelled_message(view, [r.occurrence for r in answers])
            await self._notice(session, view, who, community, "cancelled", message)
        return len(told)

    async def date_cancelled(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        reason: str | None,
        community: Community,
    ) -> int:
        """Those who answered yes, maybe or were waiting for one date hear it is cancelled.
        Returns how many were told."""
        told = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=NOTIFIED)
        message = date_cancelled_message(view, occurrence, reason)
        for _, who in told:
            await self._notice(session, view, who, community, "date-cancelled", message)
        return len(told)

    async def moved(
        self,
        session: AsyncSession,
        view: EventView,
        moves: dict[datetime, datetime],
        community: Community,
        now: datetime,
    ) -> None:
        """Everyone with an answer on a date that moved hears their own new dates."""
        was = {new: old for old, new in moves.items()}
        rows = [
            (r, p)
            for r, p in await repo.rsvps(session, view.id, statuses=NOTIFIED, since=now)
            if r.occurrence in was
        ]
        for person, answers in by_person(rows):
            pairs = [(was[r.occurrence], r.occurrence) for r in answers]
            await self._notice(
                session, view, person, community, "moved", moved_message(view, pairs)
            )

    async def dropped(
        self,
        session: AsyncSession,
        view: EventView,
        dropped: list[datetime],
        community: Community,
        now: datetime,
    ) -> None:
        """Those who answered yes, maybe or were waiting for dates that no longer exist hear
        which of theirs went."""
        gone = set(dropped)
        rows = [
            (r, p)
            for r, p in await repo.rsvps(session, view.id, statuses=NOTIFIED, since=now)
            if r.occurrence in gone
        ]
        for person, answers in by_person(rows):
            message = dropped_message(view, [r.occurrence for r in answers])
            await self._notice(session, view, person, community, "dropped", message)

    # -- seats ---------------------------------------------------------------------------------

    async def promoted(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        person: PersonRow,
        guests: int,
        community: Community,
    ) -> None:
        await self.to_person(
            session,
            view,
            person,
            community,
            kind="event-promoted",
            message=promoted_message(view, occurrence, guests),
        )

    async def demoted(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        person: PersonRow,
        position: int,
        community: Community,
    ) -> None:
        await self.to_person(
            session,
            view,
            person,
            community,
            kind="event-demoted",
            message=demoted_message(view, occurrence, position),
        )

    async def party_too_big(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        person: PersonRow,
        party: int,
        community: Community,
    ) -> None:
        """Once per capacity: their waiting party can no longer fit."""
        assert view.capacity is not None
        await self.to_person(
            session,
            view,
            person,
            community,
            kind="event-party-too-big",
            message=party_too_big_message(view, occurrence, party),
            key=keys.party_too_big(view.id, occurrence, person.id, view.capacity),
        )

    # -- after the event -----------------------------------------------------------------------

    async def followup(
        self,
        session: AsyncSession,
        view: EventView,
        people: Sequence[PersonRow],
        link: str,
        link_digest: str,
        note: str | None,
        community: Community,
    ) -> None:
        """The recording or slides, once per link per person."""
        message = followup_message(view, link, note)
        for who in people:
            await self.to_person(
                session,
                view,
                who,
                community,
                kind="event-followup",
                message=message,
                key=keys.followup(view.id, link_digest, who.id),
            )
