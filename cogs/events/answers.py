"""What a transaction already knows of one date's answers, so RSVPs that share a transaction
(`Database.queued`) do not each read them again.

The first answer in a transaction reads, in one query, the state of everyone then waiting to
answer the same event (their settings and RSVP for the date) and the date's counts. Each
answer after it takes its own person's state from there, and the counts as the answer before
left them (`keep`). An answer that changes more than its own RSVP (someone moved up, an answer
cleared or set for someone else) calls `forget`, so the next answer reads again. Nothing else
changes a date's answers inside a queued transaction: only answers run there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cogs.events import lookup
from cogs.events.views import EventView, Tally
from storage.repositories import answer_states as states_repo
from storage.repositories.events import StoredRsvp

# Most people read ahead in one query: about one transaction's worth (storage.db.BATCH).
READ_AHEAD = 100


@dataclass(slots=True)
class KnownAnswers:
    """One date's counts as the last answer left them, and the settings and RSVP of the
    people read ahead who have not answered yet in this transaction."""

    tally: Tally
    people: dict[int, tuple[dict[str, Any], StoredRsvp | None]]


def _key(event_id: int, occurrence: datetime) -> tuple[str, int, datetime]:
    return ("known answers", event_id, occurrence)


async def answer_state(
    session: AsyncSession,
    person_id: int,
    event_id: int,
    occurrence: datetime,
    waiting: Iterable[int] = (),
) -> tuple[dict[str, Any], StoredRsvp | None, Tally]:
    """The person's settings, their RSVP for the date (None if they have not answered) and
    the date's counts: from what this transaction knows, else read from the database with
    the states of `waiting` (people ids whose answers come next, up to READ_AHEAD). The tally
    returned is the caller's own copy."""
    known: KnownAnswers | None = session.info.get(_key(event_id, occurrence))
    if known is not None and person_id in known.people:
        settings, mine = known.people.pop(person_id)
        return settings, mine, replace(known.tally)
    others = islice((p for p in waiting if p != person_id), READ_AHEAD)
    states = await states_repo.answer_states(session, [person_id, *others], event_id, occurrence)
    settings, mine = states.people.pop(person_id)
    tally = Tally.of(states.counts)
    session.info[_key(event_id, occurrence)] = KnownAnswers(replace(tally), states.people)
    return settings, mine, tally


async def read_with_event(
    session: AsyncSession,
    community_id: int,
    ref: str,
    person_id: int,
    waiting: Iterable[int],
    guess: tuple[int, datetime],
) -> None:
    """Read the event (locked, for `lookup.locked_view`) and the answers to one of its dates
    (for `answer_state`) together: one trip to SQLite instead of two. `guess` is the event
    and date `ref` is expected to name, e.g. those of the event's last answer in this
    process; the read is kept only for that event and date, so a wrong guess costs the
    answers read again, never a wrong count. Nothing is read when the transaction has read
    the event already or `ref` is not a short id."""
    code = lookup.short_id(ref)
    if code is None or lookup.kept_view(session, community_id, code) is not None:
        return
    event_id, occurrence = guess
    others = islice((p for p in waiting if p != person_id), READ_AHEAD)
    row, states = await states_repo.event_and_answer_states(
        session, community_id, code, [person_id, *others], event_id, occurrence
    )
    if row is None:
        return  # not a short id after all: `locked_view` looks for a title
    lookup.keep_view(session, community_id, code, EventView.of(row))
    if row.id == event_id and person_id in states.people:
        tally = Tally.of(states.counts)
        session.info[_key(event_id, occurrence)] = KnownAnswers(tally, states.people)


def keep(session: AsyncSession, event_id: int, occurrence: datetime, tally: Tally) -> None:
    """After an answer that changed only its own RSVP: the date's counts are now `tally`."""
    known: KnownAnswers | None = session.info.get(_key(event_id, occurrence))
    if known is not None:
        known.tally = replace(tally)


def forget(session: AsyncSession, event_id: int, occurrence: datetime) -> None:
    """After an answer that changed other RSVPs of the date too: read them again."""
    session.info.pop(_key(event_id, occurrence), None)
