"""The RSVP hot path's reads: some people's settings and answers to one date of an event, and
the date's counts, in one statement; with the event's locked read in the same trip to SQLite
when the caller can name the date beforehand (`storage.prepared.rows_together`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Integer, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import UTCDateTime
from storage.prepared import Prepared, rows_together
from storage.repositories.events import (
    EVENT_BY_CODE_LOCKED,
    PEOPLE,
    RSVPS,
    StatusCount,
    StoredRsvp,
    counts_in,
    date_counts,
)


def _answer_states_query() -> Any:
    """Built once: some people's settings, each one's own RSVP and the occurrence's tally, in
    one round trip. Run after the event row is locked, so PostgreSQL reads a fresh snapshot."""
    e: BindParameter[int] = bindparam("e", type_=Integer())
    o: BindParameter[datetime] = bindparam("o", type_=UTCDateTime())
    counts = date_counts(e, o)  # the same counts as everywhere else, guests of maybes too
    mine = RSVPS.alias("mine")
    people = PEOPLE
    return (
        select(
            people.c.id.label("person_id"),
            people.c.settings,
            mine.c.id,
            mine.c.status,
            mine.c.guests,
            mine.c.seq,
            mine.c.checked_in_at,
            counts,
        )
        .select_from(
            people.outerjoin(
                mine,
                (mine.c.person_id == people.c.id)
                & (mine.c.event_id == e)
                & (mine.c.occurrence == o),
            ).join(counts, true())
        )
        .where(people.c.id.in_(bindparam("p", expanding=True)))
    )


_ANSWER_STATES = Prepared(_answer_states_query())


class AnswerStates(NamedTuple):
    """What `answer_states` read: each person's settings and RSVP for the date (None if they
    have not answered), by person id, and the date's counts."""

    people: dict[int, tuple[dict[str, Any], StoredRsvp | None]]
    counts: list[StatusCount]


async def answer_states(
    session: AsyncSession, person_ids: Sequence[int], event_id: int, occurrence: datetime
) -> AnswerStates:
    """Several people's settings and RSVPs for one date of an event, and the date's counts, in
    one round trip (people who do not exist are left out; no counts without any person)."""
    rows = await _ANSWER_STATES.rows(
        session, {"p": list(person_ids), "e": event_id, "o": occurrence}
    )
    return _answer_states_of(rows)


async def event_and_answer_states(
    session: AsyncSession,
    community_id: int,
    code: str,
    person_ids: Sequence[int],
    event_id: int,
    occurrence: datetime,
) -> tuple[Any, AnswerStates]:
    """`event_values_locked` and `answer_states` (for the event and date given, which the
    caller expects the code to name) read together: one trip on SQLite, the event's row
    locked before the answers are read."""
    event, states = await rows_together(
        session,
        (EVENT_BY_CODE_LOCKED, {"c": community_id, "code": code}),
        (_ANSWER_STATES, {"p": list(person_ids), "e": event_id, "o": occurrence}),
    )
    return (event[0] if event else None), _answer_states_of(states)


def _answer_states_of(rows: Sequence[Any]) -> AnswerStates:
    """`answer_states` from the rows of its query."""
    people = {
        row.person_id: (
            dict(row.settings or {}),
            None
            if row.id is None
            else StoredRsvp(row.id, row.status, row.guests, row.seq, row.checked_in_at),
        )
        for row in rows
    }
    if not rows:
        return AnswerStates(people, [])
    return AnswerStates(people, counts_in(rows[0]))
