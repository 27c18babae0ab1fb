"""SQL for events, RSVPs and calendar feeds. Services call these inside their own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    BindParameter,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    EventFeedRow,
    EventRow,
    PersonRow,
    RsvpRow,
)
from storage.prepared import Prepared

RSVPS = cast(Table, RsvpRow.__table__)
EVENTS = cast(Table, EventRow.__table__)
PEOPLE = cast(Table, PersonRow.__table__)


class StatusCount(NamedTuple):
    """One status's answers for one date: how many, how many guests they bring in all, and the
    latest arrival number among them."""

    status: str
    parties: int
    guests: int
    max_seq: int


# -- events ------------------------------------------------------------------------------------


async def code_taken(session: AsyncSession, community_id: int, code: str) -> bool:
    found = await session.scalar(
        select(EventRow.id).where(EventRow.community_id == community_id, EventRow.code == code)
    )
    return found is not None


_EVENT_BY_CODE = select(EVENTS).where(
    EVENTS.c.community_id == bindparam("c"), EVENTS.c.code == bindparam("code")
)
EVENT_BY_CODE_LOCKED = Prepared(_EVENT_BY_CODE.with_for_update())


async def event_values(session: AsyncSession, community_id: int, code: str) -> Any:
    """The event's columns as a plain row (no ORM object), or None: the /invite hot path."""
    return (await session.execute(_EVENT_BY_CODE, {"c": community_id, "code": code})).one_or_none()


async def event_values_locked(session: AsyncSession, community_id: int, code: str) -> Any:
    """The event's columns as a plain row (no ORM object), or None; its row locked: the RSVP
    hot path."""
    rows = await EVENT_BY_CODE_LOCKED.rows(session, {"c": community_id, "code": code})
    return rows[0] if rows else None


async def event_by_code(
    session: AsyncSession, community_id: int, code: str, *, lock: bool = False
) -> EventRow | None:
    """The event with this short id in this community; `lock` holds its row (FOR UPDATE on
    PostgreSQL) so RSVPs to one event are counted one at a time."""
    query = select(EventRow).where(EventRow.community_id == community_id, EventRow.code == code)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def event_by_id(
    session: AsyncSession, event_id: int, *, lock: bool = False
) -> EventRow | None:
    query = select(EventRow).where(EventRow.id == event_id)
    if lock:
        # Re-read under the lock: an earlier unlocked read in this session may be stale.
        query = query.with_for_update().execution_options(populate_existing=True)
    return (await session.execute(query)).scalar_one_or_none()


async def events_titled(
    session: AsyncSession, community_id: int, text: str, limit: int = 10
) -> list[EventRow]:
    """Events whose title is or starts with `text` (case-insensitive), newest first."""
    pattern = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
    rows = await session.scalars(
        select(EventRow)
        .where(
            EventRow.community_id == community_id,
            func.lower(EventRow.title).like(pattern.lower(), escape="\\"),
        )
        .order_by(EventRow.starts_at.desc())
        .limit(limit)
    )
    return list(rows)


async def community_events(
    session: AsyncSession,
    community_id: int,
    *,
    ending_after: datetime | None = None,
    starting_before: datetime | None = None,
    newest_first: bool = False,
    limit: int = 200,
) -> list[EventRow]:
    """Events of a community: every repeating series that matches (their dates span the whole
    range, so the caller expands them), then up to `limit` one-off events, soonest first or,
    for past lists, most recent first; the limit applies after that ordering."""
    series = select(EventRow).where(
        EventRow.community_id == community_id, EventRow.rrule.is_not(None)
    )
    single = select(EventRow).where(EventRow.community_id == community_id, EventRow.rrule.is_(None))
    if ending_after is not None:
        single = single.where(EventRow.starts_at >= ending_after)
    if starting_before is not None:
        series = series.where(EventRow.starts_at < starting_before)
        single = single.where(EventRow.starts_at < starting_before)
    order = EventRow.starts_at.desc() if newest_first else EventRow.starts_at
    found = list(await session.scalars(series.order_by(order, EventRow.id).limit(limit)))
    found += await session.scalars(single.order_by(order, EventRow.id).limit(limit))
    return found


async def person_by_external(
    session: AsyncSession, community_id: int, external_id: str
) -> PersonRow | None:
    return (
        await session.execute(
            select(PersonRow).where(
                PersonRow.community_id == community_id, PersonRow.external_id == external_id
            )
        )
    ).scalar_one_or_none()


# -- RSVPs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredRsvp:
    """A person's stored RSVP for one occurrence (the answer they gave is `status`)."""

    id: int
    status: str
    guests: int
    seq: int
    checked_in_at: datetime | None


def date_counts(event_id: BindParameter[int], occurrence: BindParameter[datetime]) -> Any:
    """A one-row subquery of the answers to one date of an event: parties and their guests
    going, maybe and waitlisted (going_parties, going_guests, maybe, maybe_guests,
    waitlist_parties, waitlist_guests) and the latest arrival number (max_seq), for
    statements that read them along with other things; `counts_in` reads its row."""
    r = RSVPS.c
    going, maybe, waiting = r.status == "going", r.status == "maybe", r.status == "waitlist"
    return (
        select(
            func.count().filter(going).label("going_parties"),
            func.coalesce(func.sum(r.guests).filter(going), 0).label("going_guests"),
            func.count().filter(maybe).label("maybe"),
            func.coalesce(func.sum(r.guests).filter(maybe), 0).label("maybe_guests"),
            func.count().filter(waiting).label("waitlist_parties"),
            func.coalesce(func.sum(r.guests).filter(waiting), 0).label("waitlist_guests"),
            func.coalesce(func.max(r.seq), 0).label("max_seq"),
        )
        .where(r.event_id == event_id, r.occurrence == occurrence)
        .subquery("date_counts")
    )


def counts_in(row: Any) -> list[StatusCount]:
    """The per-status counts of a row read with `date_counts` (what `counts` returns)."""
    top = int(row.max_seq or 0)
    return [
        StatusCount("going", int(row.going_parties), int(row.going_guests or 0), top),
        StatusCount("maybe", int(row.maybe), int(row.maybe_guests or 0), top),
        StatusCount("waitlist", int(row.waitlist_parties), int(row.waitlist_guests or 0), top),
    ]


def _counts() -> Any:
    """Answers grouped by date and status: the one query behind `counts` and `counts_of`."""
    return select(
        RsvpRow.event_id,
        RsvpRow.occurrence,
        RsvpRow.status,
        func.count(),
        func.coalesce(func.sum(RsvpRow.guests), 0),
        func.max(RsvpRow.seq),
    ).group_by(RsvpRow.event_id, RsvpRow.occurrence, RsvpRow.status)


_COUNTS_OF_DATE = _counts().where(
    RsvpRow.event_id == bindparam("event_id"),
    RsvpRow.occurrence == bindparam("occurrence", type_=RSVPS.c.occurrence.type),
)


async def counts(session: AsyncSession, event_id: int, occurrence: datetime) -> list[StatusCount]:
    """Per-status counts of one date of an event."""
    rows = await session.execute(_COUNTS_OF_DATE, {"event_id": event_id, "occurrence": occurrence})
    return [
        StatusCount(status, count, int(guests or 0), int(max_seq or 0))
        for _, _, status, count, guests, max_seq in rows.all()
    ]


async def counts_of(
    session: AsyncSession, pairs: Sequence[tuple[int, datetime]]
) -> dict[tuple[int, datetime], list[StatusCount]]:
    """Per-status counts of several (event, occurrence) pairs, for lists."""
    out: dict[tuple[int, datetime], list[StatusCount]] = {}
    if not pairs:
        return out
    wanted = set(pairs)
    rows = await session.execute(_counts().where(RsvpRow.event_id.in_({e for e, _ in pairs})))
    for event_id, occ, status, count, guests, max_seq in rows.all():
        if (event_id, occ) in wanted:
            out.setdefault((event_id, occ), []).append(
                StatusCount(status, count, int(guests or 0), int(max_seq or 0))
            )
    return out


_INSERT_RSVP = insert(RSVPS)
_UPDATE_RSVP = update(RSVPS).where(RSVPS.c.id == bindparam("rsvp_id"))


async def add_rsvp(session: AsyncSession, **values: Any) -> None:
    """A plain INSERT: the RSVP hot path needs no ORM bookkeeping for the new row."""
    await session.execute(_INSERT_RSVP, values)


def add_rsvp_later(session: AsyncSession, **values: Any) -> None:
    """An RSVP written before the session's next statement, or at the commit, together with
    the others added since, in one executemany (see `Database.write_later`): answers
    sharing a transaction. Give the same keys every time."""
    Database.write_later(session, _INSERT_RSVP, values)


_SET_RSVP: dict[tuple[str, ...], Prepared] = {}  # by the columns set


async def set_rsvp(session: AsyncSession, rsvp_id: int, **values: Any) -> None:
    """Change columns of one answer. On SQLite the UPDATE goes with the transaction's next
    statement or its COMMIT (`Prepared.send_later`)."""
    columns = tuple(values)
    statement = _SET_RSVP.get(columns)
    if statement is None:
        statement = _SET_RSVP[columns] = Prepared(
            _UPDATE_RSVP.values(**{k: bindparam(k) for k in columns})
        )
    await statement.send_later(session, {"rsvp_id": rsvp_id, **values})


async def delete_rsvp(session: AsyncSession, rsvp_id: int) -> None:
    """Remove one answer (an organizer cleared it)."""
    await session.execute(delete(RsvpRow).where(RsvpRow.id == rsvp_id))


async def rsvps(
    session: AsyncSession,
    event_id: int,
    *,
    occurrence: datetime | None = None,
    statuses: Sequence[str] | None = None,
    since: datetime | None = None,
    latest_first: bool = False,
) -> list[tuple[RsvpRow, PersonRow]]:
    """RSVPs with their people, in arrival order (or latest first)."""
    query = (
        select(RsvpRow, PersonRow)
        .join(PersonRow, PersonRow.id == RsvpRow.person_id)
        .where(RsvpRow.event_id == event_id)
    )
    if occurrence is not None:
        query = query.where(RsvpRow.occurrence == occurrence)
    if statuses is not None:
        query = query.where(RsvpRow.status.in_(list(statuses)))
    if since is not None:
        query = query.where(RsvpRow.occurrence > since)
    order = RsvpRow.seq.desc() if latest_first else RsvpRow.seq
    rows = await session.execute(query.order_by(RsvpRow.occurrence, order, RsvpRow.id))
    return [(r, p) for r, p in rows.all()]


async def waiting_that_fit(
    session: AsyncSession,
    event_id: int,
    occurrence: datetime,
    *,
    seats: int | None,
    after: tuple[int, int] | None,
    limit: int | None,
) -> list[tuple[RsvpRow, PersonRow]]:
    """The next waiting RSVPs of one date, with their people, in arrival order (seq, then id):
    only parties of at most `seats` people (1 + guests; None: any size), only after the
    (seq, id) `after`, at most `limit` of them (None: all). Promotion reads these a few at a
    time instead of the whole waitlist."""
    query = (
        select(RsvpRow, PersonRow)
        .join(PersonRow, PersonRow.id == RsvpRow.person_id)
        .where(
            RsvpRow.event_id == event_id,
            RsvpRow.occurrence == occurrence,
            RsvpRow.status == "waitlist",
        )
    )
    if seats is not None:
        query = query.where(RsvpRow.guests + 1 <= seats)
    if after is not None:
        seq, rsvp_id = after
        query = query.where(or_(RsvpRow.seq > seq, and_(RsvpRow.seq == seq, RsvpRow.id > rsvp_id)))
    rows = await session.execute(query.order_by(RsvpRow.seq, RsvpRow.id).limit(limit))
    return [(r, p) for r, p in rows.all()]


async def waitlist_position(
    session: AsyncSession, event_id: int, occurrence: datetime, seq: int
) -> int:
    ahead = await session.scalar(
        select(func.count()).where(
            RsvpRow.event_id == event_id,
            RsvpRow.occurrence == occurrence,
            RsvpRow.status == "waitlist",
            RsvpRow.seq < seq,
        )
    )
    return int(ahead or 0) + 1


async def booked_occurrences(
    session: AsyncSession, event_id: int, since: datetime
) -> list[datetime]:
    rows = await session.scalars(
        select(RsvpRow.occurrence)
        .where(RsvpRow.event_id == event_id, RsvpRow.occurrence > since)
        .distinct()
        .order_by(RsvpRow.occurrence)
    )
    return list(rows)


async def move_occurrences(
    session: AsyncSession, event_id: int, moves: dict[datetime, datetime]
) -> None:
    """Re-key RSVPs when an event moves; in two steps so swapped dates never collide."""
    if not moves:
        return
    rows = list(
        await session.scalars(
            select(RsvpRow).where(RsvpRow.event_id == event_id, RsvpRow.occurrence.in_(list(moves)))
        )
    )
    targets = {row.id: moves[row.occurrence] for row in rows}
    parking = datetime(1900, 1, 1, tzinfo=UTC)
    for row in rows:
        row.occurrence = parking + timedelta(seconds=row.id)
    await session.flush()
    for row in rows:
        row.occurrence = targets[row.id]
    await session.flush()


async def drop_occurrences(
    session: AsyncSession, event_id: int, occurrences: Sequence[datetime]
) -> None:
    """Delete the answers for dates an edit removed from the event."""
    if occurrences:
        await session.execute(
            delete(RsvpRow).where(
                RsvpRow.event_id == event_id, RsvpRow.occurrence.in_(list(occurrences))
            )
        )


async def person_rsvps(session: AsyncSession, person_id: int) -> list[tuple[RsvpRow, EventRow]]:
    rows = await session.execute(
        select(RsvpRow, EventRow)
        .join(EventRow, EventRow.id == RsvpRow.event_id)
        .where(RsvpRow.person_id == person_id)
        .order_by(RsvpRow.occurrence)
    )
    return [(r, e) for r, e in rows.all()]


async def person_upcoming(
    session: AsyncSession, person_id: int, since: datetime, statuses: Sequence[str]
) -> list[tuple[RsvpRow, EventRow]]:
    """The person's answers with one of `statuses` for dates after `since` of events still
    scheduled."""
    rows = await session.execute(
        select(RsvpRow, EventRow)
        .join(EventRow, EventRow.id == RsvpRow.event_id)
        .where(
            RsvpRow.person_id == person_id,
            RsvpRow.occurrence > since,
            RsvpRow.status.in_(list(statuses)),
            EventRow.status == "scheduled",
        )
    )
    return [(r, e) for r, e in rows.all()]


async def events_created_by(session: AsyncSession, person_id: int) -> list[EventRow]:
    return list(await session.scalars(select(EventRow).where(EventRow.creator_id == person_id)))


async def forget_person(session: AsyncSession, person_id: int) -> None:
    await session.execute(delete(RsvpRow).where(RsvpRow.person_id == person_id))
    await session.execute(
        update(EventRow)
        .where(EventRow.creator_id == person_id)
        .values(creator_id=None, creator_name=None)
    )


# -- calendar feeds ------------------------------------------------------------------------------


async def feed_secret(session: AsyncSession, community_id: int) -> str | None:
    return await session.scalar(
        select(EventFeedRow.secret).where(EventFeedRow.community_id == community_id)
    )


async def set_feed_secret(session: AsyncSession, community_id: int, secret: str) -> None:
    row = await session.get(EventFeedRow, community_id)
    if row is None:
        session.add(EventFeedRow(community_id=community_id, secret=secret))
    else:
        row.secret = secret
    await session.flush()


async def community_for_secret(session: AsyncSession, secret: str) -> int | None:
    return await session.scalar(
        select(EventFeedRow.community_id).where(EventFeedRow.secret == secret)
    )
