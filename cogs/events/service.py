"""Organizing events: create, edit, cancel, follow up, forget a person; one transaction each.

Every action is one transaction: the change, its card edit, its reminders and its notices are
written together or not at all. The rules it applies live in their own modules: input checks
in `drafts.py`, dates in `dates.py`, seats in `seating.py` (applied by `waitlist.py`), who is
told what in `notices.py`. Answers live in `rsvps.py`, reads in `queries.py`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.errors import BadOption, UserError
from bot.core.messages import Message
from bot.core.types import Community, Person
from bot.core.zones import zone
from bot.outbox import Outbox
from cogs.events import dates, recurrence
from cogs.events.cards import event_card
from cogs.events.drafts import Draft, apply_draft, parse_reminder_offsets, refuse_empty_edit
from cogs.events.lookup import find_event, new_code, require_organizer
from cogs.events.notices import Notices
from cogs.events.reminders import ReminderSchedule
from cogs.events.settings import EventsSettings
from cogs.events.views import ATTENDING, EventView, Tally
from cogs.events.waitlist import Waitlist
from storage.db import Database
from storage.models import EventRow
from storage.repositories import events as repo
from storage.repositories.identity import IdentityStore

COMMUNITY_SETTINGS = "events"
REASON_MAX = 500


class EventService:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        settings: EventsSettings,
        identity: IdentityStore,
        notices: Notices,
        reminders: ReminderSchedule,
        waitlist: Waitlist,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.identity = identity
        self.notices = notices
        self.reminders = reminders
        self.waitlist = waitlist

    # -- community defaults --------------------------------------------------------------------

    async def community_defaults(self, community_id: int) -> dict[str, Any]:
        """The reminders new events start with: {"reminder_minutes": [...], "reminders_in":
        "dm" | "channel"}, from the community's settings, else the config file's."""
        stored = (await self.identity.community_settings(community_id)).get(COMMUNITY_SETTINGS, {})
        return {
            "reminder_minutes": list(
                stored.get("reminder_minutes", self.settings.reminder_minutes)
            ),
            "reminders_in": stored.get("reminders_in", self.settings.reminders),
        }

    async def set_community_defaults(
        self, community_id: int, *, reminders: str | None, remind_in: str | None
    ) -> dict[str, Any]:
        current = await self.community_defaults(community_id)
        if reminders is not None:
            current["reminder_minutes"] = parse_reminder_offsets(reminders)
        if remind_in is not None:
            current["reminders_in"] = remind_in
        await self.identity.update_community_settings(community_id, **{COMMUNITY_SETTINGS: current})
        return current

    # -- create / edit / cancel ----------------------------------------------------------------

    async def create(
        self,
        community: Community,
        person: Person,
        *,
        platform: str,
        channel_id: str,
        zone: str,
        draft: Draft,
    ) -> tuple[EventView, list[str], Message]:
        """A new event and its card, posted in `channel_id`. It happens in the zone of the
        `zone:` option, else the one `when:` named, else `zone` (the organizer's). Returns
        (event, what the organizer should know about its repeat rule, card); see
        `recurrence.schedule_warnings`."""
        now = self.clock.now()
        if draft.title is None or draft.when is None:
            raise BadOption(
                "An event needs a title and a date.",
                hint='Like /event create title:"Winter party" when:"next friday 6pm"',
            )
        defaults = await self.community_defaults(community.id)
        async with self.db.transaction() as session:
            row = EventRow(
                community_id=community.id,
                platform=platform,
                channel_id=channel_id,
                creator_id=person.id,
                creator_name=person.display_name,
                kind="meetup",
                title="",
                timezone=zone,
                starts_at=draft.when,
                duration_minutes=self.settings.default_duration_minutes,
                reminder_minutes=defaults["reminder_minutes"],
                reminders_in=defaults["reminders_in"],
                status="scheduled",
                sequence=0,
                created_at=now,
                updated_at=now,
            )
            apply_draft(row, draft, now=now)
            assert draft.when is not None  # the start typed, read in the event's zone
            warnings = recurrence.schedule_warnings(row.rrule, draft.when, row.timezone)
            row.code = await new_code(session, community.id)
            session.add(row)
            await session.flush()
            view = EventView.of(row)
            upcoming = dates.next_dates(view, now)
            card = event_card(
                view,
                upcoming[0] if upcoming else None,
                Tally(),
                upcoming if view.rrule else [],
                skipped=dates.skipped_ahead(view, now),
            )
            await self.notices.post_card(session, view, card)
        self.outbox.kick()
        return view, warnings, card

    async def edit(
        self,
        community: Community,
        person: Person,
        ref: str,
        draft: Draft,
        *,
        blank: str | None = None,
    ) -> tuple[EventView, list[str], Message]:
        """Change an event (organizer). Answers follow the dates they were for
        (`dates.follow_edit`); capacity changes move people on or off the waitlist; everyone
        whose dates moved or went is told. Returns (event, options changed, card). `blank`:
        an option typed empty (`title:""`), refused with what to type instead. BadOption,
        its example naming the event by its code, for that, for nothing to change, and for
        clearing what is not there."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await find_event(session, community.id, ref, now, lock=True)
            before = EventView.of(row)
            require_organizer(before, person, "edit")
            refuse_empty_edit(before, draft, blank)
            if before.cancelled:
                raise UserError(
                    f"“{before.title}” is cancelled, so it cannot be edited.",
                    hint="Create a new event with /event create instead.",
                )
            apply_draft(row, draft, now=now)
            changed = draft.given()
            row.sequence += 1
            row.updated_at = now
            await session.flush()
            after = EventView.of(row)
            moved = before.starts_at != after.starts_at or before.rrule != after.rrule
            if moved and before.skipped:
                row.skipped_dates = dates.moved_skips(before, after, now)
                await session.flush()
                after = EventView.of(row)
            moves: dict[datetime, datetime] = {}
            if moved:
                moves = await self._move_answers(session, before, after, community, now)
            lowered = _lowered(before.capacity, after.capacity)
            for occurrence in await repo.booked_occurrences(session, after.id, now):
                await self.waitlist.fit_capacity(
                    session, after, occurrence, community, lowered=lowered
                )
            await self.reminders.rebuild(session, after, community)
            if moves:
                await self.notices.moved(session, after, moves, community, now)
            card = await self.notices.edit_card(session, after, now)
        self.outbox.kick()
        return after, changed, card

    async def _move_answers(
        self,
        session: AsyncSession,
        before: EventView,
        after: EventView,
        community: Community,
        now: datetime,
    ) -> dict[datetime, datetime]:
        """Answers follow the event (see `dates.follow_edit`). Booked dates with no
        counterpart (a series made shorter or turned into a one-off, or a moment that was
        never a date) are dropped, telling those who answered yes, maybe or were waiting
        (their reminders go with the rebuild that follows). Returns the moves made."""
        booked = await repo.booked_occurrences(session, before.id, now)
        mapped = dates.follow_edit(before, after, now, booked)
        moves = {old: new for old, new in mapped.items() if new is not None and new != old}
        dropped = [old for old, new in mapped.items() if new is None]
        if dropped:
            await self.notices.dropped(session, after, dropped, community, now)
            await repo.drop_occurrences(session, after.id, dropped)
        await repo.move_occurrences(session, after.id, moves)
        return moves

    async def cancel(
        self, community: Community, person: Person, ref: str, reason: str | None
    ) -> tuple[EventView, int]:
        """Cancel every date of an event (organizer); returns (event, how many were told)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await find_event(session, community.id, ref, now, lock=True)
            view = EventView.of(row)
            require_organizer(view, person, "cancel")
            if view.cancelled:
                raise UserError(f"“{view.title}” is already cancelled.")
            row.status = "cancelled"
            row.cancel_reason = (reason or "").strip()[:REASON_MAX] or None
            row.sequence += 1
            row.updated_at = now
            await session.flush()
            view = EventView.of(row)
            await self.reminders.withdraw_event(session, view.id)
            told = await self.notices.cancelled(session, view, community, now)
            await self.notices.edit_card(session, view, now)
        self.outbox.kick()
        return view, told

    async def cancel_date(
        self,
        community: Community,
        person: Person,
        ref: str,
        on: datetime,
        reason: str | None,
        zone_given: str | None = None,
    ) -> tuple[EventView, datetime, int]:
        """Cancel one date of a series; the other dates go ahead. Those who answered yes,
        maybe or were waiting for it are told, and their answers and reminders for it go.
        Returns (event, the cancelled date, how many were told)."""
        now = self.clock.now()
        reader_zone = zone(zone_given, person, community)
        async with self.db.transaction() as session:
            row = await find_event(session, community.id, ref, now, lock=True)
            view = EventView.of(row)
            require_organizer(view, person, "cancel")
            if view.cancelled:
                raise UserError(f"“{view.title}” is already cancelled, every date of it.")
            if view.rrule is None:
                raise BadOption(
                    f"“{view.title}” does not repeat, so it has no single date to cancel.",
                    hint=f"Cancel it without date:, like /event cancel id:{view.code}",
                )
            occurrence = dates.date_to_cancel(view, on, reader_zone, now)
            row.skipped_dates = sorted({*(row.skipped_dates or []), int(occurrence.timestamp())})
            row.sequence += 1
            row.updated_at = now
            await session.flush()
            view = EventView.of(row)
            why = (reason or "").strip()[:REASON_MAX] or None
            told = await self.notices.date_cancelled(session, view, occurrence, why, community)
            await self.reminders.withdraw_occurrence(session, view.id, occurrence)
            await repo.drop_occurrences(session, view.id, [occurrence])
            await self.notices.edit_card(session, view, now)
        self.outbox.kick()
        return view, occurrence, told

    # -- after the event -----------------------------------------------------------------------

    async def followup(
        self, community: Community, person: Person, ref: str, link: str, note: str | None
    ) -> tuple[EventView, int]:
        """Send a recording or slides to everyone who said yes or maybe to the date just held
        (organizer); each person gets a link once. Returns (event, how many)."""
        if not re.match(r"^https?://\S+$", link.strip()):
            raise BadOption(
                "`link:` must be a web address starting with https://.",
                hint="Like link:https://example.org/recording",
            )
        now = self.clock.now()
        digest = hashlib.sha1(link.strip().encode()).hexdigest()[:12]
        async with self.db.transaction() as session:
            view = EventView.of(await find_event(session, community.id, ref, now))
            require_organizer(view, person, "send a follow-up for")
            occurrence = dates.reporting_date(view, now, None, zone(view))
            rows = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=ATTENDING)
            if not rows:
                raise UserError(
                    f"Nobody said yes or maybe to {view.title}, so there is nobody to send "
                    "the follow-up to; nothing was sent.",
                    hint="People answer with the card's buttons or /rsvp.",
                )
            await self.notices.followup(
                session,
                view,
                [who for _, who in rows],
                link.strip(),
                digest,
                (note or "").strip() or None,
                community,
            )
        self.outbox.kick()
        return view, len(rows)

    # -- calendar feed -------------------------------------------------------------------------

    async def feed_secret(self, community_id: int, *, reset: bool = False) -> str:
        """The secret in the community's feed address, made on first use or when reset."""
        async with self.db.transaction() as session:
            secret = await repo.feed_secret(session, community_id)
            if secret is None or reset:
                secret = secrets.token_urlsafe(18)
                await repo.set_feed_secret(session, community_id, secret)
        return secret

    # -- privacy -------------------------------------------------------------------------------

    async def forget_person(self, session: AsyncSession, community_id: int, person_id: int) -> None:
        """In the caller's transaction: delete their RSVPs (freeing their seats for the
        waitlist) and unlink them from the events they created; those events stay, since
        others are coming to them. Their reminders are withdrawn, and cards and pending
        channel reminders are rewritten so they no longer show or mention them."""
        now = self.clock.now()
        community = await self.identity.community_by_id(session, community_id)
        answers = await repo.person_rsvps(session, person_id)
        affected = sorted(
            {
                (e.id, r.occurrence)
                for r, e in answers
                if r.occurrence > now and e.status == "scheduled"
            }
        )
        for rsvp, event in answers:
            await self.reminders.remove(session, EventView.of(event), rsvp.occurrence, [person_id])
        created = [e.id for e in await repo.events_created_by(session, person_id)]
        await repo.forget_person(session, person_id)
        await session.flush()
        await self._rename_cards(session, created, {e for e, _ in affected}, now)
        for event_id, occurrence in affected:
            locked = await repo.event_by_id(session, event_id, lock=True)
            if locked is None:
                continue
            view = EventView.of(locked)
            tally = Tally.of(await repo.counts(session, event_id, occurrence))
            await self.waitlist.promote(session, view, occurrence, tally, community)
            await session.flush()
            await self.reminders.refresh_channel(session, view, occurrence)
            upcoming = dates.next_dates(view, now)
            if upcoming and occurrence == upcoming[0]:
                await self.notices.edit_card(session, view, now, tally, upcoming)

    async def _rename_cards(
        self, session: AsyncSession, created: list[int], edited_later: set[int], now: datetime
    ) -> None:
        """The posted cards of the events a forgotten person created are edited (through the
        outbox) so they no longer name them; those whose seats change are edited later on."""
        for event_id in created:
            if event_id in edited_later:
                continue
            row = await repo.event_by_id(session, event_id, lock=True)
            if row is not None:
                await session.refresh(row)
                await self.notices.edit_card(session, EventView.of(row), now)


def _lowered(before: int | None, after: int | None) -> bool:
    return after is not None and (before is None or after < before)
