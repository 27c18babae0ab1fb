"""Finding an event by what people type (its short id or its title), and who may change it."""

from __future__ import annotations

import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import Ambiguous, BadOption, NotFound, PermissionDenied
from bot.core.types import Level, Person
from cogs.events import recurrence
from cogs.events.views import EventView
from storage.models import EventRow
from storage.repositories import events as repo

CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read aloud
LIST_HINT = "Type /event list to see upcoming events and their ids."


def _looks_like_code(text: str) -> bool:
    return 0 < len(text) <= 8 and text.isalnum()


def _date_text(row: EventRow, now: datetime) -> str:
    """Which date tells events of one title apart: "Fri 4 Dec 18:00" (the year added when
    not `now`'s), in the event's own zone, for its next date (a series' next one not
    cancelled), else its last one; "cancelled" for a cancelled event."""
    view = EventView.of(row)
    upcoming = recurrence.next_occurrences(
        view.rrule, view.starts_at, view.timezone, after=now, count=1, skip=view.skipped
    )
    at = upcoming[0] if upcoming else None
    if at is None:
        at = recurrence.last_started(
            view.rrule, view.starts_at, view.timezone, now=now, skip=view.skipped
        )
    text = day_text(at or view.starts_at, view.timezone, now)
    return f"{text}, cancelled" if view.cancelled else text


def day_text(at: datetime, zone: str, now: datetime) -> str:
    """ "Fri 4 Dec 18:00": `at` (aware) on the clock of the IANA `zone`, the year added when
    it is not `now`'s ("Fri 8 Jan 2027 18:00"). What tells apart events of one title."""
    local = at.astimezone(ZoneInfo(zone))
    year = f" {local.year}" if local.year != now.year else ""
    return f"{local:%a} {local.day} {local:%b}{year} {local:%H:%M}"


async def find_event(
    session: AsyncSession, community_id: int, ref: str, now: datetime, *, lock: bool = False
) -> EventRow:
    """An event by short id, or by (the start of) its title; never another community's.
    Several title matches prefer the live ones (scheduled, not over). Raises BadOption for an
    empty or ambiguous reference and NotFound for none; `lock` holds the row until the
    transaction ends."""
    text = ref.strip().lstrip("#")
    if not text:
        raise BadOption("Which event? Give its id or its title.", hint=LIST_HINT)
    if _looks_like_code(text):
        row = await repo.event_by_code(session, community_id, text.lower(), lock=lock)
        if row is not None:
            return row
    rows = await repo.events_titled(session, community_id, text)
    exact = [r for r in rows if r.title.lower() == text.lower()]
    candidates = exact or rows
    if len(candidates) > 1:
        live = [
            r
            for r in candidates
            if r.status == "scheduled" and (r.rrule is not None or r.starts_at > now)
        ]
        candidates = live or candidates
    if not candidates:
        raise NotFound(f"There is no event `{text}` here.", hint=LIST_HINT)
    if len(candidates) > 1:
        names = "; ".join(f"{r.title}, {_date_text(r, now)} ({r.code})" for r in candidates[:5])
        raise Ambiguous(
            f"`{text}` matches several events: {names}.",
            typed=text,
            pick=candidates[0].code,
            what="the event id",
        )
    row = candidates[0]
    if lock:
        locked = await repo.event_by_id(session, row.id, lock=True)
        assert locked is not None
        row = locked
    return row


async def find_view(session: AsyncSession, community_id: int, ref: str, now: datetime) -> EventView:
    """The event as a view, as `find_event` finds it (by short id in one plain query first:
    the /invite hot path)."""
    code = ref.strip().lstrip("#").lower()
    if _looks_like_code(code):
        values = await repo.event_values(session, community_id, code)
        if values is not None:
            return EventView.of(values)
    return EventView.of(await find_event(session, community_id, ref, now))


async def locked_view(
    session: AsyncSession, community_id: int, ref: str, now: datetime
) -> EventView:
    """The event an answer is for, its row locked until the transaction ends (by short id in
    one plain query: the RSVP hot path). Read once per transaction: later answers in the same
    transaction (see `Database.queued`) get the same view, since the lock keeps any other
    transaction from changing the row and answering does not change it."""
    code = ref.strip().lstrip("#").lower()
    kept = kept_view(session, community_id, code)
    if kept is not None:
        return kept
    view = None
    if _looks_like_code(code):
        values = await repo.event_values_locked(session, community_id, code)
        if values is not None:
            view = EventView.of(values)
    if view is None:
        view = EventView.of(await find_event(session, community_id, ref, now, lock=True))
    keep_view(session, community_id, code, view)
    return view


def short_id(ref: str) -> str | None:
    """The short id `ref` gives (lower case, without "#"), or None when it cannot be one."""
    code = ref.strip().lstrip("#").lower()
    return code if _looks_like_code(code) else None


def kept_view(session: AsyncSession, community_id: int, code: str) -> EventView | None:
    """The event `locked_view` read for `code` in this transaction, if it did."""
    return session.info.get(("locked event", community_id, code))  # type: ignore[no-any-return]


def keep_view(session: AsyncSession, community_id: int, code: str, view: EventView) -> None:
    """Keep the event read, its row locked, for `locked_view` in this transaction."""
    session.info[("locked event", community_id, code)] = view


def require_organizer(view: EventView, person: Person, what: str) -> None:
    """PermissionDenied unless the person created the event or is an organizer (or above)."""
    if view.creator_id == person.id or person.level >= Level.ORGANIZER:
        return
    who = f"{view.creator_name}, " if view.creator_name else ""
    raise PermissionDenied(
        f"Only the organizer can {what} “{view.title}”.",
        hint=f"Ask {who}an organizer or a moderator of this community.",
    )


def organizes(view: EventView, person: Person) -> bool:
    """Whether the person created the event or is an organizer (or above): what
    `require_organizer` asks."""
    return view.creator_id == person.id or person.level >= Level.ORGANIZER


async def new_code(session: AsyncSession, community_id: int) -> str:
    """A free short id: 4 characters (6 after 10 collisions), never all digits."""
    for attempt in range(20):
        length = 4 if attempt < 10 else 6
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
        if code.isdigit():
            continue
        if not await repo.code_taken(session, community_id, code):
            return code
    raise RuntimeError("could not find a free event id")  # pragma: no cover
