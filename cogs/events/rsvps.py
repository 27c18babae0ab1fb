"""Answering events: RSVPs, check-in and each person's reminders.

RSVPs to one event are counted one at a time: they queue in the process in arrival order
(`Database.queued`) and the event row is locked (FOR UPDATE on PostgreSQL; SQLite serializes
writers already), so capacity holds under a burst and the waitlist keeps arrival order.
Answers waiting together share one transaction and one card edit (`answers.py` says what
they share); check-in and reminder settings are one transaction each.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.errors import BadOption, NotFound, UserError
from bot.core.messages import Bold
from bot.core.types import Community, Person
from bot.core.zones import zone, zone_name
from bot.outbox import Outbox
from cogs.events import answers, dates
from cogs.events.cards import date_list
from cogs.events.errors import Refused
from cogs.events.lookup import find_event, locked_view, organizes, require_organizer
from cogs.events.notices import Notices
from cogs.events.onbehalf import on_behalf, record_on_behalf
from cogs.events.reminders import (
    REMINDERS_SETTING,
    Recipient,
    ReminderSchedule,
    offsets_ahead,
    recipient,
    wants_reminders,
)
from cogs.events.seating import Answer, decide, gives_back
from cogs.events.views import ATTENDING, EventView, Tally
from cogs.events.waitlist import Waitlist
from storage.db import Database
from storage.models import PersonRow
from storage.repositories import events as repo
from storage.repositories.events import StoredRsvp
from storage.repositories.identity import IdentityStore

CHECKIN_OPENS = timedelta(hours=2)  # before the start
LAST_DATES = 1024  # events whose last answered date is kept (a few dozen bytes each)
CHECKIN_CLOSES = timedelta(hours=12)  # after the end


@dataclass(slots=True)
class RsvpResult:
    """What an answer came to: the status given (going | maybe | waitlist | no)."""

    view: EventView
    occurrence: datetime
    status: str
    guests: int
    unchanged: bool = False
    position: int | None = None  # on the waitlist, from 1
    reminders: bool = False  # reminders will be sent for this answer
    reminders_left: tuple[int, ...] = ()  # offsets (minutes before) not yet past, largest first
    promoted: list[str] = field(default_factory=list)  # names who got the seat freed
    free: int | None = None  # seats free before this answer, with a capacity
    for_name: str | None = None  # whose answer an organizer set, when not their own
    cleared: bool = False  # an organizer removed the answer
    checkin_undone: bool = False  # the cleared answer was a check-in at this date


@dataclass(slots=True)
class CheckIn:
    view: EventView
    name: str  # who was checked in
    there: int  # checked in so far
    going: int  # answered yes
    already: bool  # they were checked in before
    was: str | None = None  # their answer before this check-in, when it was not yes
    over: int = 0  # seats taken beyond the capacity after it (guests count)


class Rsvps:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        identity: IdentityStore,
        notices: Notices,
        reminders: ReminderSchedule,
        waitlist: Waitlist,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.identity = identity
        self.notices = notices
        self.reminders = reminders
        self.waitlist = waitlist
        # Per answer queue: the people whose answers wait in it (id -> how many answers), read
        # ahead together by the first answer of a transaction (see `answers.py`).
        self._answering: dict[Hashable, dict[int, int]] = {}
        # Per event as people name it: its id and the date last answered, the guess that lets
        # the next answer read the event and the answers in one trip (`answers.read_with_event`).
        self._last_dates: LRUCache[tuple[int, str], tuple[int, datetime]] = LRUCache(
            maxsize=LAST_DATES
        )

    async def rsvp(
        self,
        community: Community,
        person: Person,
        ref: str,
        answer: Answer,
        *,
        guests: int | None = None,
        on: datetime | None = None,
        zone_given: str | None = None,
        for_person: str | None = None,
    ) -> RsvpResult:
        """Answer the next date of an event (or the one on the day `on`, read in the zone
        given, else the person's). Refused when answers are closed (after the deadline, only
        answers that give seats back count: `seating.gives_back`); UserError when the party
        can never fit (see `seating.decide`). With `for_person` (a platform id), an organizer
        or moderator sets (or, with "clear", removes) someone else's answer, deadline or
        not; that is written to the audit log."""
        work = partial(
            self._answer,
            community=community,
            person=person,
            ref=ref,
            answer=answer,
            guests=guests,
            on=on,
            reader_zone=zone(zone_given, person, community),
            for_person=for_person,
            now=self.clock.now(),
        )
        # Answers to one event queue in this process rather than for its row lock; those
        # waiting together share a transaction and one card edit.
        queue = ("rsvp", community.id, ref.strip().lstrip("#").lower())
        answering = self._answering.setdefault(queue, {})
        answering[person.id] = answering.get(person.id, 0) + 1
        try:
            result = await self.db.queued(queue, partial(work, waiting=answering))
        finally:
            answering[person.id] -= 1
            if not answering[person.id]:
                del answering[person.id]
            if not answering:
                self._answering.pop(queue, None)
        self.outbox.kick()
        return result

    async def _answer(
        self,
        session: AsyncSession,
        *,
        community: Community,
        person: Person,
        ref: str,
        answer: Answer,
        guests: int | None,
        on: datetime | None,
        reader_zone: ZoneInfo,
        for_person: str | None,
        now: datetime,
        waiting: Iterable[int],
    ) -> RsvpResult:
        """`rsvp`'s transaction; it may run twice (see `Database.queued`). `waiting`: the
        people whose answers to this event come next, read ahead with this one."""
        view = await self._locked_view(session, community.id, ref, now, person.id, waiting)
        upcoming, occurrence = _open_date(view, now, on, reader_zone)
        self._last_dates[(community.id, ref)] = (view.id, occurrence)
        target = await on_behalf(session, view, person, for_person)
        answerer = target.id if target is not None else person.id
        settings, mine, tally = await answers.answer_state(
            session, answerer, view.id, occurrence, waiting
        )
        old = mine.status if mine is not None else None
        old_guests = mine.guests if mine is not None else 0
        clear = answer == "clear"
        if clear and target is None:
            raise BadOption(
                "`answer:clear` removes someone else's answer (organizers, with person:).",
                hint=f"To say you can't go: /rsvp event:{view.code} answer:no",
            )
        if mine is not None and mine.checked_in_at is not None and answer in ("no", "maybe"):
            _refuse_after_checkin(view, person if target is None else target, target is None)
        answer = "no" if clear else answer
        wanted = 0 if answer == "no" else (guests if guests is not None else old_guests)
        if target is None:
            late_ok = gives_back(answer, old, old_guests, wanted)
            dates.refuse_after_deadline(view, occurrence, now, gives_back=late_ok, answered=old)
        new = decide(view.title, view.capacity, tally, answer, old, old_guests, wanted)
        result = RsvpResult(view=view, occurrence=occurrence, status=new, guests=wanted)
        if view.capacity is not None:
            result.free = view.capacity - tally.going_seats
        if target is not None:
            result.for_name = target.display_name or target.external_id
            result.cleared = clear
            result.checkin_undone = clear and mine is not None and mine.checked_in_at is not None
            done = "cleared" if clear else new
            await record_on_behalf(session, view, occurrence, person, target, old, done, now)
        if (clear and mine is None) or (new == old and wanted == old_guests and not clear):
            result.unchanged = True
            if new == "waitlist" and mine is not None:
                result.position = await repo.waitlist_position(
                    session, view.id, occurrence, mine.seq
                )
            result.reminders = new in ATTENDING and wants_reminders(settings)
            result.reminders_left = offsets_ahead(view.reminder_minutes, occurrence, now)
            return result
        seq = await _store(session, view.id, occurrence, answerer, mine, new, wanted, tally, now)
        me = (
            Recipient(
                person.id,
                person.external_id,
                zone_name(person, community),
                wants_reminders(settings),
            )
            if target is None
            else recipient(target, community)
        )
        if clear and mine is not None:
            await repo.delete_rsvp(session, mine.id)
        await self._follow_answer(session, view, occurrence, old, new, me)
        promoted = await self.waitlist.promote(session, view, occurrence, tally, community)
        if view.reminders_in == "channel":
            await session.flush()
            await self.reminders.refresh_channel(session, view, occurrence)
        if any(p.id == answerer for p in promoted):
            result.status = new = "going"
        if new == "waitlist" and old != "waitlist":
            # The newest arrival waits behind everyone already waiting.
            result.position = tally.waitlist_parties
        elif new == "waitlist":
            await session.flush()
            result.position = await repo.waitlist_position(session, view.id, occurrence, seq)
        if target is None and not clear and not promoted:
            answers.keep(session, view.id, occurrence, tally)
        else:
            answers.forget(session, view.id, occurrence)
        if upcoming and occurrence == upcoming[0]:
            # Once per transaction, after every answer in it, with the newest counts.
            self.db.before_commit(
                session,
                ("card", view.id),
                partial(self.notices.edit_card, session, view, now, tally, upcoming),
            )
        result.promoted = [p.display_name for p in promoted]
        result.reminders = new in ATTENDING and me.reminders_on and bool(view.reminder_minutes)
        result.reminders_left = offsets_ahead(view.reminder_minutes, occurrence, now)
        return result

    async def _locked_view(
        self,
        session: AsyncSession,
        community_id: int,
        ref: str,
        now: datetime,
        person_id: int,
        waiting: Iterable[int],
    ) -> EventView:
        """`lookup.locked_view`; when this process answered the event before, its read goes
        with the answers' of the date answered last (`answers.read_with_event`)."""
        guess = self._last_dates.get((community_id, ref))
        if guess is not None:
            await answers.read_with_event(session, community_id, ref, person_id, waiting, guess)
        return await locked_view(session, community_id, ref, now)

    async def _follow_answer(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        old: str | None,
        new: str,
        me: Recipient,
    ) -> None:
        """Direct reminders follow the answer: written on a yes or maybe, withdrawn when the
        person stops attending."""
        if view.reminders_in != "dm":
            return
        if new in ATTENDING and old not in ATTENDING:
            await self.reminders.add(session, view, occurrence, [me])
        elif old in ATTENDING and new not in ATTENDING:
            await self.reminders.remove(session, view, occurrence, [me.person_id])

    async def checkin(
        self, community: Community, person: Person, ref: str, who_external_id: str | None
    ) -> CheckIn:
        """Mark someone as there, from 2 hours before the start until 12 hours after the end.
        Checking people in is the organizers' job (the event's creator, organizers and
        moderators: `organizes`); anyone else may check in only themselves, and only with a
        yes (going), so nobody passes the waitlist or the capacity on their own (UserError
        otherwise, saying what to do). Whoever an organizer lets in counts: someone who had
        not answered, or answered no or maybe, or waits on the waitlist, becomes going (a new
        arrival number, so a later lower capacity moves them back first), even past the
        capacity. The CheckIn says which answer was changed (`was`) and how many seats past
        the capacity the date now is (`over`), so the reply can say so."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await find_event(session, community.id, ref, now, lock=True)
            view = EventView.of(row)
            if who_external_id is not None and who_external_id != person.external_id:
                require_organizer(view, person, "check others in to")
                target = await repo.person_by_external(session, community.id, who_external_id)
                if target is None:
                    raise NotFound(
                        f"I don't know `{who_external_id}` in this community yet.",
                        hint="They need to have used Potluck here once.",
                    )
            else:
                target = await session.get(PersonRow, person.id)
                assert target is not None
            occurrence = dates.reporting_date(view, now, None, zone(view))
            if now < occurrence - CHECKIN_OPENS:
                raise Refused(
                    "Check-in for ",
                    Bold(text=view.title),
                    " opens 2 hours before the start (",
                    *date_list([occurrence]),
                    ").",
                )
            if now > view.ends(occurrence) + CHECKIN_CLOSES:
                raise Refused(
                    "Check-in for ",
                    Bold(text=view.title),
                    " closed; it ended ",
                    *date_list([view.ends(occurrence)]),
                    ".",
                )
            _, mine, tally = await answers.answer_state(session, target.id, view.id, occurrence)
            already = mine is not None and mine.checked_in_at is not None
            if not organizes(view, person) and (mine is None or mine.status != "going"):
                old = mine.status if mine is not None else None
                guests = mine.guests if mine is not None else 0
                # A yes for themselves alone (a party of 1 never exceeds capacity, no raise).
                yes = decide(view.title, view.capacity, tally, "yes", old, guests, 0)
                _refuse_own_checkin(
                    view, old, person.display_name or person.external_id, full=yes == "waitlist"
                )
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
                seq = mine.seq if mine.status in ("going", "waitlist") else tally.max_seq + 1
                await repo.set_rsvp(session, mine.id, status="going", seq=seq, checked_in_at=now)
            was = mine.status if mine is not None and mine.status != "going" else None
            rows = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=("going",))
            there = sum(1 for r, _ in rows if r.checked_in_at is not None)
            seats = sum(1 + r.guests for r, _ in rows)
            over = max(0, seats - view.capacity) if view.capacity is not None else 0
            if not already and (was is not None or mine is None):
                await self.notices.edit_card(session, view, now)
        if not already and (was is not None or mine is None):
            self.outbox.kick()
        name = target.display_name or target.external_id
        return CheckIn(view, name, there, len(rows), already, None if already else was, over)

    async def set_reminders(self, community: Community, person: Person, on: bool) -> int:
        """Turn someone's reminders on or off; returns how many pending ones were affected."""
        await self.identity.update_person_settings(person.id, **{REMINDERS_SETTING: on})
        now = self.clock.now()
        count = 0
        async with self.db.transaction() as session:
            if not on:
                count = await self.reminders.withdraw_person(
                    session, community.id, person.external_id
                )
            else:
                me = Recipient(person.id, person.external_id, zone_name(person, community), True)
                upcoming = await repo.person_upcoming(session, person.id, now, ATTENDING)
                for rsvp, event in upcoming:
                    view = EventView.of(event)
                    await self.reminders.add(session, view, rsvp.occurrence, [me])
                    if view.reminders_in == "channel":
                        await self.reminders.refresh_channel(session, view, rsvp.occurrence)
                    count += 1
        self.outbox.kick()
        return count


async def _store(
    session: AsyncSession,
    event_id: int,
    occurrence: datetime,
    person_id: int,
    mine: StoredRsvp | None,
    new: str,
    wanted: int,
    tally: Tally,
    now: datetime,
) -> int:
    """Write the person's answer (a new one at the session's next flush) and count it in
    `tally`; returns its arrival number, new when they join the seats or the waitlist."""
    old, old_guests = (mine.status, mine.guests) if mine is not None else (None, 0)
    seq = mine.seq if mine is not None else 0
    if new in ("going", "waitlist") and old not in ("going", "waitlist"):
        seq = tally.max_seq + 1  # arrival order: the waitlist is served in this order
        tally.max_seq = seq
    if mine is None:
        repo.add_rsvp_later(
            session,
            event_id=event_id,
            occurrence=occurrence,
            person_id=person_id,
            status=new,
            guests=wanted,
            seq=seq,
            answered_at=now,
        )
    else:
        await repo.set_rsvp(session, mine.id, status=new, guests=wanted, seq=seq, answered_at=now)
    tally.move(old, old_guests, new, wanted)
    return seq


def _open_date(
    view: EventView, now: datetime, on: datetime | None, zone: ZoneInfo
) -> tuple[list[datetime], datetime]:
    """The next dates and the one being answered (see `dates.answer_date`); refused for a
    cancelled event."""
    if view.cancelled:
        raise Refused(
            Bold(text=view.title),
            " is cancelled, so answers are closed.",
            hint="Type /event list to see what else is coming up.",
        )
    upcoming = dates.next_dates(view, now)
    return upcoming, dates.answer_date(view, now, on, zone, upcoming)


def _refuse_own_checkin(view: EventView, answer: str | None, name: str, *, full: bool) -> None:
    """Someone not going who tries to check themselves in: only a yes checks in on its own;
    an organizer checks in walk-ins and the waitlist at the door. `full`: a yes now would only
    join the waitlist (`seating.decide`), so it is not offered as the way in."""
    door = f"an organizer can check you in with /event checkin id:{view.code} person:@{name}"
    if full and answer != "waitlist":
        said = (
            f"You haven't answered “{view.title}”"
            if answer is None
            else f"You answered {answer} for “{view.title}”"
        )
        raise UserError(
            f"{said}, and it is full: a yes now would put you on the waitlist, and people "
            "check themselves in only with a seat (going).",
            hint=f"At the door, {door}; or join the waitlist: /rsvp event:{view.code} answer:yes",
        )
    if answer == "waitlist":
        said = f"You are on the waitlist for “{view.title}”"
        hint = f"At the door, {door}"
    else:
        said = (
            f"You haven't answered “{view.title}”"
            if answer is None
            else f"You answered {answer} for “{view.title}”"
        )
        hint = f"Answer yes first: /rsvp event:{view.code} answer:yes, or at the door {door}"
    raise UserError(f"{said}; people check themselves in only with a yes (going).", hint=hint)


def _refuse_after_checkin(view: EventView, who: Person | PersonRow, themselves: bool) -> None:
    """A no or a maybe from someone checked in at this date: they are at the event, so the
    answer stays a yes. An organizer undoes a check-in made by mistake by clearing the
    answer (`answer:clear person:`), which the hint says."""
    name = who.display_name or who.external_id
    undo = f"/rsvp event:{view.code} answer:clear person:@{name}"
    if themselves:
        raise UserError(
            f"You were checked in at “{view.title}”, so you count as there and your answer "
            "stays yes.",
            hint=f"If that was a mistake, an organizer can undo the check-in with {undo}",
        )
    raise UserError(
        f"{name} was checked in at “{view.title}”, so they count as there and their answer "
        "stays yes.",
        hint=f"To undo the check-in, clear their answer: {undo}",
    )
