"""Events and RSVPs: the rules, over plain values. No platform types; commands stay thin.

Every action is one transaction: the change, its announcement-card edit, its reminders and its
notices are written together or not at all. RSVPs to one event are counted one at a time: the
event row is locked (FOR UPDATE on PostgreSQL; SQLite serializes writers already), so capacity
holds under a burst and the waitlist keeps arrival order.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Destination
from bot.core.errors import BadOption, NotFound, PermissionDenied, UserError
from bot.core.messages import Bold, Message, Segment, Time, plain, rich
from bot.core.timetext import DATE_EXAMPLES, parse_duration, parse_when
from bot.core.types import Community, Level, Person
from bot.outbox import Outbox
from cogs.events import recurrence
from cogs.events.calendar import calendar_bytes
from cogs.events.cards import (
    KINDS,
    EventView,
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
from cogs.events.reminders import (
    REMINDERS_SETTING,
    Recipient,
    ReminderSchedule,
    recipient,
    wants_reminders,
)
from cogs.events.settings import EventsSettings
from storage.db import Database
from storage.models import EventRow, PersonRow, RsvpRow
from storage.repositories import events as repo
from storage.repositories.events import ATTENDING, Tally

Answer = Literal["yes", "maybe", "no"]
CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read aloud
COMMUNITY_SETTINGS = "events"
NOTIFIED = ("going", "maybe", "waitlist")  # answers whose people hear of moves and cancels


class Refused(UserError):
    """A refusal whose explanation includes times, so it is shown as rich text (each reader
    sees the time in their own zone) rather than the plain text of other errors."""

    def __init__(self, *parts: Segment | None, hint: str | None = None) -> None:
        self.text = rich(*parts)
        super().__init__(plain(self.text), hint=hint)

    def reply(self) -> Message:
        return Message(
            text=rich(*self.text, "\n" + self.hint if self.hint else None),
            ephemeral=True,
            accent="danger",
        )


@dataclass(slots=True)
class Draft:
    """What someone typed in /event create or /event edit; None means "not given"."""

    title: str | None = None
    when: datetime | None = None
    ends: str | None = None
    duration: timedelta | None = None
    where: str | None = None
    description: str | None = None
    capacity: int | None = None
    deadline: datetime | None = None
    repeat: str | None = None
    kind: str | None = None
    script: str | None = None
    reminders: str | None = None
    remind_in: str | None = None

    def given(self) -> list[str]:
        return [name for name in self.__slots__ if getattr(self, name) is not None]  # type: ignore[attr-defined]


@dataclass(slots=True)
class RsvpResult:
    view: EventView
    occurrence: datetime
    status: str  # going | maybe | waitlist | no
    guests: int
    unchanged: bool = False
    position: int | None = None
    reminders: bool = False
    promoted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Listed:
    view: EventView
    occurrence: datetime | None
    tally: Tally
    past: bool = False


@dataclass(slots=True)
class Attendee:
    name: str
    external_id: str
    status: str
    guests: int
    position: int | None
    checked_in_at: datetime | None
    answered_at: datetime


def card_key(event_id: int) -> str:
    return f"event:{event_id}:card"


def parse_reminder_offsets(text: str) -> list[int]:
    """'1d, 1h' -> [1440, 60]; 'off' -> []."""
    cleaned = text.strip().lower()
    if cleaned in ("off", "none", "no", "never", "0"):
        return []
    minutes: list[int] = []
    for part in re.split(r"\s*(?:,|\band\b|;)\s*", cleaned):
        if not part:
            continue
        part = part.removesuffix(" before").strip()
        try:
            value = int(parse_duration(part).total_seconds() // 60)
        except BadOption:
            raise BadOption(
                f"I could not read the reminder time `{part}`.",
                hint='Try reminders:"1d, 1h", reminders:"2h" or reminders:off.',
            ) from None
        if not 1 <= value <= 43200:
            raise BadOption(
                "Reminders can be between 1 minute and 30 days before the start.",
                hint='Try reminders:"1d, 1h".',
            )
        minutes.append(value)
    if len(set(minutes)) > 5:
        raise BadOption("At most 5 reminders per event.", hint='Try reminders:"1d, 1h".')
    return sorted(set(minutes), reverse=True)


class EventService:
    def __init__(
        self, db: Database, outbox: Outbox, clock: Clock, settings: EventsSettings, identity: Any
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.identity = identity
        self.reminders = ReminderSchedule(outbox, clock)

    # -- finding events ------------------------------------------------------------------------

    async def _find(
        self, session: AsyncSession, community_id: int, ref: str, *, lock: bool = False
    ) -> EventRow:
        """An event by short id, or by (the start of) its title; never another community's."""
        text = ref.strip().lstrip("#")
        if not text:
            raise BadOption(
                "Which event? Give its id, like event:k3f9.",
                hint="Type /event list to see upcoming events and their ids.",
            )
        if len(text) <= 8 and text.isalnum():
            row = await repo.event_by_code(session, community_id, text.lower(), lock=lock)
            if row is not None:
                return row
        rows = await repo.events_titled(session, community_id, text)
        exact = [r for r in rows if r.title.lower() == text.lower()]
        candidates = exact or rows
        if len(candidates) > 1:
            now = self.clock.now()
            live = [
                r
                for r in candidates
                if r.status == "scheduled" and (r.rrule is not None or r.starts_at > now)
            ]
            candidates = live or candidates
        if not candidates:
            raise NotFound(
                f"There is no event `{text}` here.",
                hint="Type /event list to see upcoming events and their ids.",
            )
        if len(candidates) > 1:
            names = "; ".join(f"{r.title} ({r.code})" for r in candidates[:5])
            raise BadOption(
                f"`{text}` matches several events: {names}.",
                hint=f"Use the event id, like event:{candidates[0].code}.",
            )
        row = candidates[0]
        if lock:
            locked = await repo.event_by_id(session, row.id, lock=True)
            assert locked is not None
            row = locked
        return row

    async def _locked_view(self, session: AsyncSession, community_id: int, ref: str) -> EventView:
        """The event an answer is for, its row locked until the transaction ends."""
        code = ref.strip().lstrip("#").lower()
        if 0 < len(code) <= 8 and code.isalnum():
            values = await repo.event_values_locked(session, community_id, code)
            if values is not None:
                return EventView.of(values)
        return EventView.of(await self._find(session, community_id, ref, lock=True))

    def _require_organizer(self, view: EventView, person: Person, what: str) -> None:
        if view.creator_id == person.id or person.level >= Level.ORGANIZER:
            return
        who = f"{view.creator_name}, " if view.creator_name else ""
        raise PermissionDenied(
            f"Only the organizer can {what} “{view.title}”.",
            hint=f"Ask {who}an organizer or a moderator of this community.",
        )

    def _next_dates(self, view: EventView, now: datetime, count: int = 3) -> list[datetime]:
        """The next `count` dates (a one-off event has at most one): one expansion of the
        repeat rule that callers pass along instead of expanding it again."""
        return recurrence.next_occurrences(
            view.rrule, view.starts_at, view.timezone, after=now, count=count, skip=view.skipped
        )

    def next_occurrence(self, view: EventView, now: datetime) -> datetime | None:
        found = recurrence.next_occurrences(
            view.rrule, view.starts_at, view.timezone, after=now, count=1, skip=view.skipped
        )
        return found[0] if found else None

    def upcoming(self, view: EventView, now: datetime, count: int = 3) -> list[datetime]:
        if view.rrule is None:
            return []
        return recurrence.next_occurrences(
            view.rrule, view.starts_at, view.timezone, after=now, count=count, skip=view.skipped
        )

    @staticmethod
    def _date_on(view: EventView, day: datetime, zone: ZoneInfo, now: datetime) -> datetime | None:
        """The series' date on the reader's calendar day of `day`, or failing that on that
        day where the event happens; cancelled dates included. One lookup, not a walk."""
        wanted = day.astimezone(zone).date()
        _refuse_far_ahead(wanted, now, "date:")
        for where in (zone, ZoneInfo(view.timezone)):
            at = recurrence.on_day(view.rrule, view.starts_at, view.timezone, wanted, where)
            if at is not None:
                return at
        return None

    def _occurrence_on(
        self, view: EventView, day: datetime, zone: ZoneInfo, now: datetime
    ) -> datetime:
        """The occurrence on the reader's calendar day of `day` (or, failing that, on that
        day where the event happens). A date cancelled on its own is refused as such."""
        at = self._date_on(view, day, zone, now)
        if at is not None:  # a past one is refused by the caller as "already started"
            if at in view.skipped:
                raise Refused(
                    Bold(text=view.title),
                    " on ",
                    *_dates([at]),
                    " is cancelled. Its next dates: ",
                    *_dates(self.upcoming(view, now) or [view.starts_at]),
                    ".",
                    hint="Pick one of those dates, or leave date: out for the next one.",
                )
            return at
        raise Refused(
            Bold(text=view.title),
            " has no date on that day. Its next dates: ",
            *_dates(self.upcoming(view, now) or [view.starts_at]),
            ".",
            hint="Pick one of those dates, or leave date: out for the next one.",
        )

    # -- create / edit -------------------------------------------------------------------------

    async def community_defaults(self, community_id: int) -> dict[str, Any]:
        stored = (await self.identity.community_settings(community_id)).get(COMMUNITY_SETTINGS, {})
        default_minutes = self.settings.reminder_minutes
        return {
            "reminder_minutes": list(stored.get("reminder_minutes", default_minutes)),
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

    def _apply(self, row: EventRow, draft: Draft, *, now: datetime) -> None:
        """Validate the draft against the row's current values and write it onto the row."""
        zone = ZoneInfo(row.timezone)
        if draft.title is not None:
            title = " ".join(draft.title.split())
            if not title:
                raise BadOption("The title cannot be empty.", hint='Like title:"Winter party".')
            if len(title) > 100:
                raise BadOption(
                    f"The title is {len(title)} characters long; the limit is 100.",
                    hint="Shorten it and try again.",
                )
            row.title = title
        if draft.description is not None:
            if len(draft.description) > 2000:
                raise BadOption(
                    f"The description is {len(draft.description)} characters long; "
                    "the limit is 2000.",
                    hint="Shorten it, or put the details behind a link.",
                )
            row.description = draft.description.strip() or None
        if draft.where is not None:
            row.location = draft.where.strip() or None
        if draft.script is not None:
            row.script = draft.script.strip() or None
        if draft.kind is not None:
            if draft.kind not in KINDS:
                raise BadOption(
                    f"`kind:` must be one of {', '.join(KINDS)}.", hint="For example kind:party"
                )
            row.kind = draft.kind
        if draft.capacity is not None:
            row.capacity = draft.capacity
        if draft.reminders is not None:
            row.reminder_minutes = parse_reminder_offsets(draft.reminders)
        if draft.remind_in is not None:
            row.reminders_in = draft.remind_in
        if draft.repeat is not None:
            rule = recurrence.parse_repeat(draft.repeat)
            row.rrule = rule
            row.repeat_text = draft.repeat.strip()[:200] if rule else None
        if draft.when is not None:
            if draft.when <= now:
                raise BadOption(
                    "`when:` is in the past.", hint=f"Give a future date, like {DATE_EXAMPLES}."
                )
            row.starts_at = draft.when
        if row.rrule and (draft.when is not None or draft.repeat is not None):
            first = recurrence.first_on_or_after(row.rrule, row.starts_at, row.timezone)
            if first is None:
                raise BadOption(
                    "That repeat rule has no dates after the start.",
                    hint=f"Try {recurrence.REPEAT_EXAMPLES}.",
                )
            row.starts_at = first
        if draft.ends is not None and draft.duration is not None:
            raise BadOption(
                "Give either `ends:` or `duration:`, not both.",
                hint='Like duration:"2h" or ends:"9pm".',
            )
        if draft.duration is not None:
            row.duration_minutes = max(1, int(draft.duration.total_seconds() // 60))
        if draft.ends is not None:
            end = _end_time(draft.ends, row.starts_at, zone)
            if end <= row.starts_at:
                raise BadOption(
                    "The end is before the start.",
                    hint='Give an end after the start, like ends:"9pm", '
                    'or a length like duration:"2h". For an end after '
                    'midnight, give the day too, like ends:"saturday 1am".',
                )
            row.duration_minutes = int((end - row.starts_at).total_seconds() // 60)
        if row.duration_minutes > 60 * 24 * 14:
            raise BadOption("An event can last at most 14 days.", hint='Like duration:"3h".')
        if draft.deadline is not None:
            if draft.deadline <= now:
                raise BadOption(
                    "`deadline:` is already past.",
                    hint='Give a future time, like deadline:"thursday noon".',
                )
            row.deadline = draft.deadline
        if row.deadline is not None and row.deadline >= row.starts_at:
            if draft.deadline is None and draft.when is not None:
                raise BadOption(
                    "The new start is before the RSVP deadline.",
                    hint='Move the deadline too, like deadline:"thursday noon".',
                )
            raise BadOption(
                "`deadline:` is after the event starts.",
                hint='RSVPs must close before the start, like deadline:"thursday noon".',
            )

    async def _new_code(self, session: AsyncSession, community_id: int) -> str:
        for attempt in range(20):
            length = 4 if attempt < 10 else 6
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
            if code.isdigit():
                continue
            if not await repo.code_taken(session, community_id, code):
                return code
        raise RuntimeError("could not find a free event id")  # pragma: no cover

    async def create(
        self,
        community: Community,
        person: Person,
        *,
        platform: str,
        channel_id: str,
        zone: str,
        draft: Draft,
    ) -> tuple[EventView, Message]:
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
            self._apply(row, draft, now=now)
            row.code = await self._new_code(session, community.id)
            session.add(row)
            await session.flush()
            view = EventView.of(row)
            dates = self._next_dates(view, now)
            card = event_card(
                view,
                dates[0] if dates else None,
                Tally(),
                dates if view.rrule else [],
                skipped=_skipped_ahead(view, now),
            )
            await self.outbox.enqueue(
                session,
                platform=platform,
                destination=Destination.channel(channel_id),
                message=card,
                community_id=community.id,
                kind="announcement",
                dedupe_key=card_key(view.id),
            )
        self.outbox.kick()
        return view, card

    async def edit(
        self, community: Community, person: Person, ref: str, draft: Draft
    ) -> tuple[EventView, list[str], Message]:
        now = self.clock.now()
        changed = draft.given()
        if not changed:
            raise BadOption(
                "Nothing to change.",
                hint='Give what changes, like /event edit id:k3f9 when:"saturday 7pm"',
            )
        async with self.db.transaction() as session:
            row = await self._find(session, community.id, ref, lock=True)
            before = EventView.of(row)
            self._require_organizer(before, person, "edit")
            if before.cancelled:
                raise UserError(
                    f"“{before.title}” is cancelled, so it cannot be edited.",
                    hint="Create a new event with /event create instead.",
                )
            self._apply(row, draft, now=now)
            row.sequence += 1
            row.updated_at = now
            await session.flush()
            after = EventView.of(row)
            moved = before.starts_at != after.starts_at or before.rrule != after.rrule
            if moved and before.skipped:
                row.skipped_dates = self._moved_skips(before, after, now)
                await session.flush()
                after = EventView.of(row)
            moves: dict[datetime, datetime] = {}
            if moved:
                moves, dropped = await self._plan_moves(session, before, after, now)
                await self._drop_dates(session, after, dropped, community, now)
                await repo.move_occurrences(session, after.id, moves)
            for occurrence in await repo.booked_occurrences(session, after.id, now):
                await self._fit_capacity(
                    session,
                    after,
                    occurrence,
                    community,
                    lowered=_lowered(before.capacity, after.capacity),
                )
            await self.reminders.rebuild(session, after, community.timezone)
            if moves:
                await self._tell_moved(session, after, moves, community, now)
            card = await self._card_edit(session, after, now)
        self.outbox.kick()
        return after, changed, card

    async def _plan_moves(
        self, session: AsyncSession, before: EventView, after: EventView, now: datetime
    ) -> tuple[dict[datetime, datetime], list[datetime]]:
        """Answers follow the event (see `_follow_edit`). Booked dates with no counterpart (a
        series made shorter or turned into a one-off, or a moment that was never a date) are
        returned as dropped."""
        booked = await repo.booked_occurrences(session, before.id, now)
        mapped = _follow_edit(before, after, now, booked)
        moves = {old: new for old, new in mapped.items() if new is not None and new != old}
        return moves, [old for old, new in mapped.items() if new is None]

    def _moved_skips(self, before: EventView, after: EventView, now: datetime) -> list[int]:
        """Dates cancelled on their own follow an edit as answers do, so "not in December"
        stays true when the time changes. Past ones stay; a one-off event has none."""
        if after.rrule is None:
            return []
        kept = [at for at in before.skipped if at <= now]
        mapped = _follow_edit(before, after, now, sorted(at for at in before.skipped if at > now))
        kept += [new for new in mapped.values() if new is not None]
        return sorted({int(at.timestamp()) for at in kept})

    async def _drop_dates(
        self,
        session: AsyncSession,
        view: EventView,
        dropped: list[datetime],
        community: Community,
        now: datetime,
    ) -> None:
        """Remove the answers for dates that no longer exist, telling those who had answered
        yes, maybe or were waiting (their reminders go with the rebuild that follows)."""
        if not dropped:
            return
        gone = set(dropped)
        rows = [
            (r, p)
            for r, p in await repo.rsvps(session, view.id, statuses=NOTIFIED, since=now)
            if r.occurrence in gone
        ]
        for person, answers in _by_person(rows):
            await self._dm(
                session,
                view,
                person,
                community,
                tag="dropped",
                message=dropped_message(view, [r.occurrence for r in answers]),
            )
        await repo.drop_occurrences(session, view.id, dropped)

    async def _tell_moved(
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
        for person, answers in _by_person(rows):
            pairs = [(was[r.occurrence], r.occurrence) for r in answers]
            await self._dm(
                session, view, person, community, tag="moved", message=moved_message(view, pairs)
            )

    async def cancel(
        self, community: Community, person: Person, ref: str, reason: str | None
    ) -> tuple[EventView, int]:
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await self._find(session, community.id, ref, lock=True)
            view = EventView.of(row)
            self._require_organizer(view, person, "cancel")
            if view.cancelled:
                raise UserError(f"“{view.title}” is already cancelled.")
            row.status = "cancelled"
            row.cancel_reason = (reason or "").strip()[:500] or None
            row.sequence += 1
            row.updated_at = now
            await session.flush()
            view = EventView.of(row)
            await self.reminders.withdraw_event(session, view.id)
            told = _by_person(await repo.rsvps(session, view.id, statuses=NOTIFIED, since=now))
            for who, answers in told:
                await self._dm(
                    session,
                    view,
                    who,
                    community,
                    tag="cancelled",
                    message=cancelled_message(view, [r.occurrence for r in answers]),
                )
            await self._card_edit(session, view, now)
        self.outbox.kick()
        return view, len(told)

    async def cancel_date(
        self,
        community: Community,
        person: Person,
        ref: str,
        on: datetime,
        reason: str | None,
        zone: str | None = None,
    ) -> tuple[EventView, datetime, int]:
        """Cancel one date of a series; the other dates go ahead. Those who answered yes,
        maybe or were waiting for it are told, and their answers and reminders for it go.
        Returns (event, the cancelled date, how many were told)."""
        now = self.clock.now()
        reader_zone = ZoneInfo(zone or person.timezone or community.timezone)
        async with self.db.transaction() as session:
            row = await self._find(session, community.id, ref, lock=True)
            view = EventView.of(row)
            self._require_organizer(view, person, "cancel")
            if view.cancelled:
                raise UserError(f"“{view.title}” is already cancelled, every date of it.")
            if view.rrule is None:
                raise BadOption(
                    f"“{view.title}” does not repeat, so it has no single date to cancel.",
                    hint=f"Cancel it without date:, like /event cancel id:{view.code}",
                )
            occurrence = self._date_to_cancel(view, on, reader_zone, now)
            row.skipped_dates = sorted({*(row.skipped_dates or []), int(occurrence.timestamp())})
            row.sequence += 1
            row.updated_at = now
            await session.flush()
            view = EventView.of(row)
            why = (reason or "").strip()[:500] or None
            told = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=NOTIFIED)
            for _, who in told:
                await self._dm(
                    session,
                    view,
                    who,
                    community,
                    tag="date-cancelled",
                    message=date_cancelled_message(view, occurrence, why),
                )
            await self.reminders.withdraw_occurrence(session, view.id, occurrence)
            await repo.drop_occurrences(session, view.id, [occurrence])
            await self._card_edit(session, view, now)
        self.outbox.kick()
        return view, occurrence, len(told)

    def _date_to_cancel(
        self, view: EventView, day: datetime, zone: ZoneInfo, now: datetime
    ) -> datetime:
        """The series' date on the given day (the reader's calendar day, or failing that the
        day where the event happens); refused, with nearby dates, if it cannot be cancelled."""
        pick = "Pick one of those dates, like /event cancel id:{code} date:YYYY-MM-DD"
        found = self._date_on(view, day, zone, now)
        wanted = day.astimezone(zone).date()
        if wanted < now.astimezone(zone).date() or (found is not None and found <= now):
            when: list[Segment] = [" (", *_dates([found]), ")"] if found is not None else []
            raise Refused(
                "That date of ",
                Bold(text=view.title),
                " is in the past",
                *when,
                ". Its next dates: ",
                *_dates(self.upcoming(view, now) or [view.starts_at]),
                ".",
                hint=pick.format(code=view.code),
            )
        if found is not None and found in view.skipped:
            raise Refused(
                Bold(text=view.title),
                " on ",
                *_dates([found]),
                " is already cancelled.",
                hint=f"See the dates still planned with /event show id:{view.code}",
            )
        if found is None:
            raise Refused(
                Bold(text=view.title),
                " has no date on that day. The nearest: ",
                *_dates(self._nearest(view, day, now)),
                ".",
                hint=pick.format(code=view.code),
            )
        return found

    def _nearest(
        self, view: EventView, day: datetime, now: datetime, count: int = 3
    ) -> list[datetime]:
        """The upcoming dates closest to `day`, in order: what was probably meant."""
        seen: list[datetime] = []
        after = 0
        for at in recurrence.occurrences(
            view.rrule, view.starts_at, view.timezone, after=now, skip=view.skipped
        ):
            seen.append(at)
            if at > day:
                after += 1
            if after >= count or len(seen) > _SEARCH_LIMIT:
                break
        return sorted(sorted(seen, key=lambda at: abs(at - day))[:count])

    async def _dm(
        self,
        session: AsyncSession,
        view: EventView,
        person: PersonRow,
        community: Community,
        *,
        tag: str,
        message: Message,
    ) -> None:
        """One notice per person per change of the event (its sequence), never twice."""
        await self.outbox.enqueue(
            session,
            platform=view.platform,
            destination=Destination.person(person.external_id),
            message=message,
            community_id=view.community_id,
            kind=f"event-{tag}",
            dedupe_key=f"event:{view.id}:{tag}:{view.sequence}:{person.id}",
            fallback_channel_id=view.channel_id,
            timezone=person.timezone or community.timezone,
        )

    async def _card_edit(
        self,
        session: AsyncSession,
        view: EventView,
        now: datetime,
        tally: Tally | None = None,
        dates: list[datetime] | None = None,
    ) -> Message:
        """Refresh the public card; pending edits coalesce, so a burst of RSVPs is one edit.
        `dates` are the next dates when the caller has them already."""
        if dates is None:
            dates = self._next_dates(view, now)
        occurrence = None if view.cancelled or not dates else dates[0]
        if occurrence is not None and tally is None:
            tally = await repo.tally(session, view.id, occurrence)
        card = event_card(
            view,
            occurrence,
            tally or Tally(),
            dates if view.rrule else [],
            skipped=_skipped_ahead(view, now),
        )
        await self.outbox.enqueue(
            session,
            platform=view.platform,
            destination=Destination.channel(view.channel_id),
            message=card,
            community_id=view.community_id,
            kind="card-edit",
            edit_of=card_key(view.id),
            coalesce_key=f"event:{view.id}:card-edit",
        )
        return card

    # -- RSVPs ---------------------------------------------------------------------------------

    async def rsvp(
        self,
        community: Community,
        person: Person,
        ref: str,
        answer: Answer,
        *,
        guests: int | None = None,
        on: datetime | None = None,
        zone: str | None = None,
    ) -> RsvpResult:
        now = self.clock.now()
        reader_zone = ZoneInfo(zone or person.timezone or community.timezone)
        async with self.db.transaction() as session:
            view = await self._locked_view(session, community.id, ref)
            if view.cancelled:
                raise Refused(
                    Bold(text=view.title),
                    " is cancelled, so answers are closed.",
                    hint="Type /event list to see what else is coming up.",
                )
            dates = self._next_dates(view, now)
            occurrence = self._target(view, now, on, reader_zone, dates)
            settings, mine, tally = await repo.answer_state(session, person.id, view.id, occurrence)
            old = mine.status if mine is not None else None
            old_guests = mine.guests if mine is not None else 0
            wanted = 0 if answer == "no" else (guests if guests is not None else old_guests)
            new = self._decide(view, tally, answer, old, old_guests, wanted)
            result = RsvpResult(view=view, occurrence=occurrence, status=new, guests=wanted)
            if new == old and wanted == old_guests:
                result.unchanged = True
                if new == "waitlist" and mine is not None:
                    result.position = await repo.waitlist_position(
                        session, view.id, occurrence, mine.seq
                    )
                result.reminders = new in ATTENDING and wants_reminders(settings)
                return result
            seq = mine.seq if mine is not None else 0
            if new in ("going", "waitlist") and old not in ("going", "waitlist"):
                seq = tally.max_seq + 1  # arrival order: the waitlist is served in this order
                tally.max_seq = seq
            if mine is None:
                await repo.add_rsvp(
                    session,
                    event_id=view.id,
                    occurrence=occurrence,
                    person_id=person.id,
                    status=new,
                    guests=wanted,
                    seq=seq,
                    answered_at=now,
                )
            else:
                await repo.set_rsvp(
                    session, mine.id, status=new, guests=wanted, seq=seq, answered_at=now
                )
            tally.move(old, old_guests, new, wanted)
            me = Recipient(
                person.id,
                person.external_id,
                person.timezone or community.timezone,
                wants_reminders(settings),
            )
            if view.reminders_in == "dm":
                if new in ATTENDING and old not in ATTENDING:
                    await self.reminders.add(session, view, occurrence, [me])
                elif old in ATTENDING and new not in ATTENDING:
                    await self.reminders.remove(session, view, occurrence, [person.id])
            promoted = await self._promote(session, view, occurrence, tally, community)
            if view.reminders_in == "channel":
                await session.flush()
                await self.reminders.refresh_channel(session, view, occurrence)
            if any(p.id == person.id for p in promoted):
                result.status = new = "going"
            if new == "waitlist" and old != "waitlist":
                # The newest arrival waits behind everyone already waiting.
                result.position = tally.waitlist_parties
            elif new == "waitlist":
                await session.flush()
                result.position = await repo.waitlist_position(session, view.id, occurrence, seq)
            if dates and occurrence == dates[0]:
                await self._card_edit(session, view, now, tally, dates)
            result.promoted = [p.display_name for p in promoted]
            result.reminders = new in ATTENDING and me.reminders_on and bool(view.reminder_minutes)
        self.outbox.kick()
        return result

    def _target(
        self,
        view: EventView,
        now: datetime,
        on: datetime | None,
        zone: ZoneInfo,
        dates: list[datetime],
    ) -> datetime:
        """Which occurrence an answer is for: the next one, or the one on the given day.
        `dates` are the next dates, already expanded by the caller."""
        if on is not None and view.rrule is not None:
            occurrence = self._occurrence_on(view, on, zone, now)
        elif view.rrule is not None:
            if not dates:
                raise Refused(Bold(text=view.title), " has no more dates, so answers are closed.")
            occurrence = dates[0]
        else:
            occurrence = view.starts_at
        if occurrence <= now:
            raise Refused(
                Bold(text=view.title),
                " already started (",
                *_dates([occurrence]),
                "), so answers are closed.",
            )
        deadline = view.deadline_for(occurrence)
        if deadline is not None and now >= deadline:
            raise Refused(
                "Answers for ",
                Bold(text=view.title),
                " closed at ",
                *_dates([deadline]),
                ".",
                hint="Ask the organizer if you still want to come.",
            )
        return occurrence

    def _decide(
        self,
        view: EventView,
        tally: Tally,
        answer: Answer,
        old: str | None,
        old_guests: int,
        guests: int,
    ) -> str:
        if answer == "maybe":
            return "maybe"
        if answer == "no":
            return "no"
        party = 1 + guests
        if view.capacity is None:
            return "going"
        if old == "going":
            free = view.capacity - (tally.going_seats - (1 + old_guests))
            if party > free:
                raise UserError(
                    f"There is room for {free} {'person' if free == 1 else 'people'} in your "
                    f"party, so you can bring at most {max(0, free - 1)} "
                    f"guest{'s' if free - 1 != 1 else ''}.",
                    hint=f"You keep your spot with {old_guests} "
                    f"guest{'s' if old_guests != 1 else ''}. "
                    f"Try guests:{max(0, free - 1)}.",
                )
            return "going"
        if party > view.capacity:
            # A party that could never be seated is refused, not left waiting forever.
            most = view.capacity - 1
            raise UserError(
                f"“{view.title}” has {view.capacity} spot{'s' if view.capacity != 1 else ''} "
                f"in all, so a party of {party} can never fit: you can bring at most {most} "
                f"guest{'s' if most != 1 else ''}.",
                hint=f"Try guests:{most}, or ask the organizer for more spots.",
            )
        if old == "waitlist":
            return "waitlist"  # _promote seats the party as soon as it fits, in order
        free = view.capacity - tally.going_seats
        # Anyone still waiting needs more seats than are free (else _promote had seated them),
        # so a party that fits now may take them, as on Meetup.
        return "going" if party <= free else "waitlist"

    async def _promote(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        tally: Tally,
        community: Community,
    ) -> list[PersonRow]:
        """Seat waitlisted parties in arrival order; a party too big for the free seats waits
        while a smaller one behind it may pass. Each promoted person is told."""
        if tally.waitlist_parties <= 0:
            return []
        free = None if view.capacity is None else view.capacity - tally.going_seats
        if free is not None and free <= 0:
            return []
        await session.flush()
        waiting = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=("waitlist",))
        promoted: list[tuple[RsvpRow, PersonRow]] = []
        for rsvp, person in waiting:
            party = 1 + rsvp.guests
            if free is not None and party > free:
                continue
            rsvp.status = "going"
            tally.move("waitlist", rsvp.guests, "going", rsvp.guests)
            promoted.append((rsvp, person))
            if free is not None:
                free -= party
                if free <= 0:
                    break
        for rsvp, person in promoted:
            who = recipient(person, community.timezone)
            await self.outbox.enqueue(
                session,
                platform=view.platform,
                destination=Destination.person(who.external_id),
                message=promoted_message(view, occurrence, rsvp.guests),
                community_id=view.community_id,
                kind="event-promoted",
                fallback_channel_id=view.channel_id,
                timezone=who.zone,
            )
            await self.reminders.add(session, view, occurrence, [who])
        return [p for _, p in promoted]

    async def _fit_capacity(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        community: Community,
        *,
        lowered: bool = False,
    ) -> None:
        """After a capacity change: the latest yeses go back to the waitlist (and are told),
        or waitlisted parties move up into new seats.

        People moved back had a seat, so they go to the FRONT of the waitlist, ahead of those
        already waiting, keeping their own arrival order among themselves: when a spot opens
        again it is theirs first. (The waitlist is served in `seq` order; theirs is set just
        below the lowest waiting one.)"""
        tally = await repo.tally(session, view.id, occurrence)
        demoted: list[tuple[RsvpRow, PersonRow]] = []
        if view.capacity is not None and tally.going_seats > view.capacity:
            waiting = await repo.rsvps(
                session, view.id, occurrence=occurrence, statuses=("waitlist",)
            )
            going = await repo.rsvps(
                session, view.id, occurrence=occurrence, statuses=("going",), latest_first=True
            )
            for rsvp, person in going:
                if tally.going_seats <= view.capacity:
                    break
                rsvp.status = "waitlist"
                tally.move("going", rsvp.guests, "waitlist", rsvp.guests)
                demoted.append((rsvp, person))
            if waiting:
                front = waiting[0][0].seq
                ordered = sorted((r for r, _ in demoted), key=lambda r: (r.seq, r.id))
                for i, rsvp in enumerate(ordered):
                    rsvp.seq = front - len(ordered) + i
            await session.flush()
            await self.reminders.remove(session, view, occurrence, [p.id for _, p in demoted])
        await self._promote(session, view, occurrence, tally, community)
        await session.flush()
        too_big: set[int] = set()
        if lowered:
            too_big = await self._tell_parties_that_cannot_fit(session, view, occurrence, community)
        for rsvp, person in demoted:
            if rsvp.status != "waitlist" or person.id in too_big:
                continue  # moved up again, or already told their party no longer fits
            position = await repo.waitlist_position(session, view.id, occurrence, rsvp.seq)
            await self.outbox.enqueue(
                session,
                platform=view.platform,
                destination=Destination.person(person.external_id),
                message=demoted_message(view, occurrence, position),
                community_id=view.community_id,
                kind="event-demoted",
                fallback_channel_id=view.channel_id,
                timezone=person.timezone or community.timezone,
            )

    async def _tell_parties_that_cannot_fit(
        self, session: AsyncSession, view: EventView, occurrence: datetime, community: Community
    ) -> set[int]:
        """After the capacity went down, waiting parties larger than it could never move up:
        say so once per capacity, with the answer that would let them fit. Returns the
        people told."""
        told: set[int] = set()
        if view.capacity is None:
            return told
        waiting = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=("waitlist",))
        for rsvp, person in waiting:
            if 1 + rsvp.guests <= view.capacity:
                continue
            told.add(person.id)
            await self.outbox.enqueue(
                session,
                platform=view.platform,
                destination=Destination.person(person.external_id),
                message=party_too_big_message(view, occurrence, 1 + rsvp.guests),
                community_id=view.community_id,
                kind="event-party-too-big",
                fallback_channel_id=view.channel_id,
                timezone=person.timezone or community.timezone,
                # Not under "event:{id}:", which reminder rebuilds withdraw.
                dedupe_key=f"too-big:{view.id}:{int(occurrence.timestamp())}:{person.id}:"
                f"{view.capacity}",
            )
        return told

    # -- reading -------------------------------------------------------------------------------

    async def show(self, community: Community, ref: str) -> Message:
        now = self.clock.now()
        async with self.db.sessions() as session:
            view = EventView.of(await self._find(session, community.id, ref))
            dates = self._next_dates(view, now)
            occurrence = None if view.cancelled or not dates else dates[0]
            tally = (
                await repo.tally(session, view.id, occurrence)
                if occurrence is not None
                else Tally()
            )
        return event_card(
            view, occurrence, tally, dates if view.rrule else [], skipped=_skipped_ahead(view, now)
        )

    async def list_events(self, community: Community, when: str) -> list[Listed]:
        """Up to 25 events: upcoming soonest first, past most recent first; "all" shows the
        upcoming ones, then the most recent past ones."""
        now = self.clock.now()
        async with self.db.sessions() as session:
            rows: list[EventRow] = []
            if when in ("upcoming", "all"):
                rows += await repo.community_events(
                    session, community.id, ending_after=now - timedelta(days=14)
                )
            if when in ("past", "all"):
                rows += await repo.community_events(
                    session, community.id, starting_before=now, newest_first=True
                )
            ahead: list[Listed] = []
            behind: list[Listed] = []
            seen: set[int] = set()
            for row in rows:
                if row.id in seen:
                    continue
                seen.add(row.id)
                view = EventView.of(row)
                nxt = self.next_occurrence(view, now)
                ended = view.ends(view.starts_at) <= now if view.rrule is None else nxt is None
                if when == "upcoming" and (view.cancelled or nxt is None):
                    continue
                if when == "past" or (nxt is None and not view.cancelled):
                    last = recurrence.last_started(
                        view.rrule, view.starts_at, view.timezone, now=now, skip=view.skipped
                    )
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
            listed = (ahead + behind)[:25]
            counts = await repo.tallies(
                session, [(item.view.id, item.occurrence) for item in listed if item.occurrence]
            )
        for item in listed:
            if item.occurrence is not None:
                item.tally = counts.get((item.view.id, item.occurrence), Tally())
        return listed

    async def suggest(self, community: Community, partial: str) -> list[tuple[str, str]]:
        """Upcoming events for autocomplete: (label, short id)."""
        text = partial.strip().lower()
        out: list[tuple[str, str]] = []
        for item in await self.list_events(community, "upcoming"):
            view = item.view
            if text and text not in view.title.lower() and not view.code.startswith(text):
                continue
            out.append((f"{view.title} ({view.code})"[:100], view.code))
        return out

    async def attendees(
        self, community: Community, person: Person, ref: str, on: datetime | None, zone: ZoneInfo
    ) -> tuple[EventView, datetime, list[Attendee]]:
        now = self.clock.now()
        async with self.db.sessions() as session:
            view = EventView.of(await self._find(session, community.id, ref))
            self._require_organizer(view, person, "see the attendees of")
            occurrence = self._reporting_occurrence(view, now, on, zone)
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

    def _reporting_occurrence(
        self, view: EventView, now: datetime, on: datetime | None, zone: ZoneInfo
    ) -> datetime:
        """For attendee lists, follow-ups and check-in: the given day, else the occurrence
        under way or just past (within a day of its end), else the next one."""
        if view.rrule is None:
            return view.starts_at
        if on is not None:
            at = self._date_on(view, on, zone, now)
            if at is not None and at not in view.skipped:
                return at
            raise BadOption(
                "That event has no date on that day.",
                hint="Leave date: out for the current or next date.",
            )
        last = recurrence.last_started(
            view.rrule, view.starts_at, view.timezone, now=now, skip=view.skipped
        )
        if last is not None and view.ends(last) + timedelta(days=1) > now:
            return last
        return self.next_occurrence(view, now) or last or view.starts_at

    def attendees_csv(self, people: list[Attendee]) -> bytes:
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

    async def ics(self, community: Community, ref: str) -> tuple[EventView, bytes]:
        async with self.db.sessions() as session:
            view = EventView.of(await self._find(session, community.id, ref))
        return view, calendar_bytes([view], name=view.title, now=self.clock.now())

    async def feed(self, community_id: int) -> bytes | None:
        now = self.clock.now()
        since = now - timedelta(days=self.settings.feed_days_back)
        async with self.db.sessions() as session:
            rows = await repo.community_events(
                session, community_id, ending_after=since, limit=2000
            )
        views = [EventView.of(r) for r in rows]
        return calendar_bytes(views, name="Potluck events", now=now)

    async def feed_secret(self, community_id: int, *, reset: bool = False) -> str:
        async with self.db.transaction() as session:
            secret = await repo.feed_secret(session, community_id)
            if secret is None or reset:
                secret = secrets.token_urlsafe(18)
                await repo.set_feed_secret(session, community_id, secret)
        return secret

    async def community_for_secret(self, secret: str) -> int | None:
        async with self.db.sessions() as session:
            return await repo.community_for_secret(session, secret)

    # -- after the event -----------------------------------------------------------------------

    async def followup(
        self, community: Community, person: Person, ref: str, link: str, note: str | None
    ) -> tuple[EventView, int]:
        if not re.match(r"^https?://\S+$", link.strip()):
            raise BadOption(
                "`link:` must be a web address starting with https://.",
                hint="Like link:https://example.org/recording",
            )
        now = self.clock.now()
        digest = hashlib.sha1(link.strip().encode()).hexdigest()[:12]
        async with self.db.transaction() as session:
            view = EventView.of(await self._find(session, community.id, ref))
            self._require_organizer(view, person, "send a follow-up for")
            occurrence = self._reporting_occurrence(view, now, None, ZoneInfo(view.timezone))
            rows = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=ATTENDING)
            message = followup_message(view, link.strip(), (note or "").strip() or None)
            for _, who in rows:
                await self.outbox.enqueue(
                    session,
                    platform=view.platform,
                    destination=Destination.person(who.external_id),
                    message=message,
                    community_id=view.community_id,
                    kind="event-followup",
                    dedupe_key=f"event:{view.id}:followup:{digest}:{who.id}",
                    fallback_channel_id=view.channel_id,
                    timezone=who.timezone or community.timezone,
                )
        self.outbox.kick()
        return view, len(rows)

    async def checkin(
        self, community: Community, person: Person, ref: str, who_external_id: str | None
    ) -> tuple[EventView, str, int, int, bool]:
        """Mark someone as there. Returns (event, name, checked in, going, already)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await self._find(session, community.id, ref, lock=True)
            view = EventView.of(row)
            if who_external_id is not None and who_external_id != person.external_id:
                self._require_organizer(view, person, "check others in to")
                target = await repo.person_by_external(session, community.id, who_external_id)
                if target is None:
                    raise NotFound(
                        f"I don't know `{who_external_id}` in this community yet.",
                        hint="They need to have used Potluck here once.",
                    )
            else:
                target = await session.get(PersonRow, person.id)
                assert target is not None
            occurrence = self._reporting_occurrence(view, now, None, ZoneInfo(view.timezone))
            if now < occurrence - timedelta(hours=2):
                raise Refused(
                    "Check-in for ",
                    Bold(text=view.title),
                    " opens 2 hours before the start (",
                    *_dates([occurrence]),
                    ").",
                )
            if now > view.ends(occurrence) + timedelta(hours=12):
                raise Refused(
                    "Check-in for ",
                    Bold(text=view.title),
                    " closed; it ended ",
                    *_dates([view.ends(occurrence)]),
                    ".",
                )
            _, mine, tally = await repo.answer_state(session, target.id, view.id, occurrence)
            already = mine is not None and mine.checked_in_at is not None
            if mine is None:
                await repo.add_rsvp(
                    session,
                    event_id=view.id,
                    occurrence=occurrence,
                    person_id=target.id,
                    status="going",
                    guests=0,
                    seq=tally.max_seq + 1,
                    answered_at=now,
                    checked_in_at=now,
                )
            elif not already:
                await repo.set_rsvp(session, mine.id, status="going", checked_in_at=now)
            rows = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=("going",))
            there = sum(1 for r, _ in rows if r.checked_in_at is not None)
        return view, target.display_name or target.external_id, there, len(rows), already

    # -- each person's own preferences ---------------------------------------------------------

    async def set_reminders(self, community: Community, person: Person, on: bool) -> int:
        """Turn someone's reminders on or off; returns how many pending ones were affected."""
        await self.identity.update_person_settings(person.id, **{REMINDERS_SETTING: on})
        now = self.clock.now()
        count = 0
        async with self.db.transaction() as session:
            if not on:
                count = await repo.drop_person_reminders(session, community.id, person.external_id)
            else:
                me = Recipient(
                    person.id, person.external_id, person.timezone or community.timezone, True
                )
                for rsvp, event in await repo.person_upcoming_attending(session, person.id, now):
                    view = EventView.of(event)
                    await self.reminders.add(session, view, rsvp.occurrence, [me])
                    if view.reminders_in == "channel":
                        await self.reminders.refresh_channel(session, view, rsvp.occurrence)
                    count += 1
        self.outbox.kick()
        return count

    # -- privacy -------------------------------------------------------------------------------

    async def export_person(self, community_id: int, person_id: int) -> dict[str, Any]:
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

    async def forget_person(self, community_id: int, person_id: int) -> None:
        """Delete their RSVPs (freeing their seats for the waitlist) and unlink them from the
        events they created; those events stay, since others are coming to them. Cards and
        pending channel reminders are rewritten so they no longer show or mention them."""
        now = self.clock.now()
        async with self.db.sessions() as session:
            key = await repo.community_key(session, community_id)
        community = await self.identity.community(*key)
        async with self.db.transaction() as session:
            answers = await repo.person_rsvps(session, person_id)
            affected = sorted(
                {
                    (e.id, r.occurrence)
                    for r, e in answers
                    if r.occurrence > now and e.status == "scheduled"
                }
            )
            for rsvp, event in answers:
                view = EventView.of(event)
                await self.reminders.remove(session, view, rsvp.occurrence, [person_id])
            await repo.forget_person(session, person_id)
            await session.flush()
            for event_id, occurrence in affected:
                locked = await repo.event_by_id(session, event_id, lock=True)
                if locked is None:
                    continue
                view = EventView.of(locked)
                tally = await repo.tally(session, event_id, occurrence)
                await self._promote(session, view, occurrence, tally, community)
                await session.flush()
                await self.reminders.refresh_channel(session, view, occurrence)
                dates = self._next_dates(view, now)
                if dates and occurrence == dates[0]:
                    await self._card_edit(session, view, now, tally, dates)
        self.outbox.kick()


def _by_person(rows: list[tuple[RsvpRow, PersonRow]]) -> list[tuple[PersonRow, list[RsvpRow]]]:
    """Answers grouped by person (first-seen order), each person's in date order."""
    grouped: dict[int, tuple[PersonRow, list[RsvpRow]]] = {}
    for rsvp, person in rows:
        grouped.setdefault(person.id, (person, []))[1].append(rsvp)
    return [
        (person, sorted(answers, key=lambda r: r.occurrence))
        for person, answers in grouped.values()
    ]


_TIME_ONLY = re.compile(
    r"(?:at\s+)?(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?|noon|midday|midnight)",
    re.IGNORECASE,
)


def _end_time(text: str, start: datetime, zone: ZoneInfo) -> datetime:
    """`ends:` as a moment. A bare time of day ("9pm") is on the start's own local date, so
    an end before the start is caught rather than read as the next day; "midnight" is the
    end of that day. Anything with a day in it is read as typed, from the start."""
    end = parse_when(text, now=start, zone=zone)
    if not _TIME_ONLY.fullmatch(" ".join(text.strip().split())):
        return end
    local_end = end.astimezone(zone).time()
    day = start.astimezone(zone).date()
    if local_end == time(0):
        day += timedelta(days=1)
    return datetime.combine(day, local_end, tzinfo=zone).astimezone(UTC)


_SEARCH_LIMIT = 5000  # upcoming dates looked through for the nearest ones
_YEARS_AHEAD = 10  # how far ahead a single date of a series can be picked


def _follow_edit(
    before: EventView, after: EventView, now: datetime, moments: list[datetime]
) -> dict[datetime, datetime | None]:
    """Where each upcoming date of the old schedule goes in the new one: the k-th upcoming
    date becomes the k-th, so answering only the 3rd date still means the 3rd. Dates are
    counted raw on both sides (cancelled ones included) so they map by position alike; a
    moment with no counterpart maps to None. `moments` must be sorted."""
    if not moments:
        return {}
    index: dict[datetime, int] = {}
    for k, at in enumerate(
        recurrence.occurrences(before.rrule, before.starts_at, before.timezone, after=now)
    ):
        if at > moments[-1]:
            break
        index[at] = k
    new = recurrence.next_occurrences(
        after.rrule,
        after.starts_at,
        after.timezone,
        after=now,
        count=max(index.values(), default=-1) + 1,
    )
    return {
        old: new[index[old]] if index.get(old, len(new)) < len(new) else None for old in moments
    }


def _lowered(before: int | None, after: int | None) -> bool:
    return after is not None and (before is None or after < before)


def _refuse_far_ahead(wanted: date, now: datetime, option: str) -> None:
    if (wanted - now.date()).days > 366 * _YEARS_AHEAD:
        raise BadOption(
            f"`{option}` is more than {_YEARS_AHEAD} years ahead.",
            hint="Pick one of the next dates from /event show.",
        )


def _skipped_ahead(view: EventView, now: datetime) -> list[datetime]:
    """The cancelled dates still to come, for the card."""
    return [at for at in view.skipped if at > now]


def _dates(moments: list[datetime]) -> list[Segment]:
    out: list[Segment] = []
    for i, at in enumerate(moments):
        if i:
            out.append(", ")
        out.append(Time(at=at, style="full"))
    return out


def _csv_safe(text: str) -> str:
    """Keep spreadsheet apps from running a name as a formula (OWASP CSV injection: a
    leading tab or carriage return counts too)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
