"""The waitlist in a transaction: gathers the parties, applies the seating rules
(`seating.py`), writes the new statuses and tells the people who moved."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Community
from cogs.events import seating
from cogs.events.notices import Notices
from cogs.events.reminders import ReminderSchedule, recipient
from cogs.events.seating import Party
from cogs.events.views import EventView, Tally
from storage.models import PersonRow, RsvpRow
from storage.repositories import events as repo


def _party(rsvp: RsvpRow) -> Party:
    return Party(rsvp_id=rsvp.id, guests=rsvp.guests, seq=rsvp.seq)


class Waitlist:
    def __init__(self, notices: Notices, reminders: ReminderSchedule) -> None:
        self.notices = notices
        self.reminders = reminders

    async def promote(
        self,
        session: AsyncSession,
        view: EventView,
        occurrence: datetime,
        tally: Tally,
        community: Community,
        *,
        had_seats: frozenset[int] = frozenset(),
    ) -> list[PersonRow]:
        """Seat the waiting parties that fit (`seating.promotions`), updating `tally`. Each
        promoted person gets their reminders and is told they moved up, except the RSVPs in
        `had_seats` (ids of parties moved back in the same change, so still going as they
        were: nothing moved for them). Returns everyone seated."""
        if tally.waitlist_parties <= 0:
            return []
        if view.capacity is not None and view.capacity - tally.going_seats <= 0:
            return []
        await session.flush()
        promoted: list[PersonRow] = []
        seated: list[tuple[RsvpRow, PersonRow]] = []
        after: tuple[int, int] | None = None
        while True:
            # Only the parties that fit the free seats, a page at a time: each takes at least
            # one seat, so a page as long as the free seats is all one step can use.
            free = None if view.capacity is None else view.capacity - tally.going_seats
            if free is not None and free <= 0:
                break
            page = await repo.waiting_that_fit(
                session, view.id, occurrence, seats=free, after=after, limit=free
            )
            rows = {rsvp.id: (rsvp, person) for rsvp, person in page}
            for party in seating.promotions(
                view.capacity, tally.going_seats, [_party(r) for r, _ in page]
            ):
                rsvp, person = rows[party.rsvp_id]
                rsvp.status = "going"
                tally.move("waitlist", rsvp.guests, "going", rsvp.guests)
                promoted.append(person)
                seated.append((rsvp, person))
            if free is None or len(page) < free:
                break
            after = (page[-1][0].seq, page[-1][0].id)
        for rsvp, person in seated:
            if rsvp.id in had_seats:
                await self.reminders.add(session, view, occurrence, [recipient(person, community)])
                continue
            await self.notices.promoted(session, view, occurrence, person, rsvp.guests, community)
            await self.reminders.add(session, view, occurrence, [recipient(person, community)])
        return promoted

    async def fit_capacity(
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
        again it is theirs first (`seating.front_of_waitlist`)."""
        tally = Tally.of(await repo.counts(session, view.id, occurrence))
        demoted: list[tuple[RsvpRow, PersonRow]] = []
        if view.capacity is not None and tally.going_seats > view.capacity:
            demoted = await self._demote(session, view, occurrence, tally)
        await self.promote(
            session,
            view,
            occurrence,
            tally,
            community,
            had_seats=frozenset(rsvp.id for rsvp, _ in demoted),
        )
        await session.flush()
        too_big: set[int] = set()
        if lowered:
            too_big = await self._tell_parties_that_cannot_fit(session, view, occurrence, community)
        for rsvp, person in demoted:
            if rsvp.status != "waitlist" or person.id in too_big:
                continue  # moved up again, or already told their party no longer fits
            position = await repo.waitlist_position(session, view.id, occurrence, rsvp.seq)
            await self.notices.demoted(session, view, occurrence, person, position, community)

    async def _demote(
        self, session: AsyncSession, view: EventView, occurrence: datetime, tally: Tally
    ) -> list[tuple[RsvpRow, PersonRow]]:
        waiting = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=("waitlist",))
        going = await repo.rsvps(
            session, view.id, occurrence=occurrence, statuses=("going",), latest_first=True
        )
        rows = {rsvp.id: (rsvp, person) for rsvp, person in going}
        moved = seating.demotions(view.capacity, tally.going_seats, [_party(r) for r, _ in going])
        demoted = [rows[p.rsvp_id] for p in moved]
        for rsvp, _ in demoted:
            rsvp.status = "waitlist"
            tally.move("going", rsvp.guests, "waitlist", rsvp.guests)
        first = waiting[0][0].seq if waiting else None
        for rsvp_id, seq in seating.front_of_waitlist(moved, first).items():
            rows[rsvp_id][0].seq = seq
        await session.flush()
        await self.reminders.remove(session, view, occurrence, [p.id for _, p in demoted])
        return demoted

    async def _tell_parties_that_cannot_fit(
        self, session: AsyncSession, view: EventView, occurrence: datetime, community: Community
    ) -> set[int]:
        """After the capacity went down, waiting parties larger than it could never move up:
        say so once per capacity, with the answer that would let them fit. Returns the ids of
        the people told."""
        if view.capacity is None:
            return set()
        waiting = await repo.rsvps(session, view.id, occurrence=occurrence, statuses=("waitlist",))
        people = {rsvp.id: person for rsvp, person in waiting}
        told: set[int] = set()
        for party in seating.never_fit(view.capacity, [_party(r) for r, _ in waiting]):
            person = people[party.rsvp_id]
            told.add(person.id)
            await self.notices.party_too_big(
                session, view, occurrence, person, party.size, community
            )
        return told
