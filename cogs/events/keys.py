"""The names of the events cog's outbox rows, one function per kind.

Every key of an event lives under `event_scope(id)`, and every reminder of one date under
`reminders_on(id, date)`, so withdrawing a scope reaches exactly the keys built from it. The
spelled-out forms (e.g. `event:12:occ:1765904400:remind:60:7`) are stored in the outbox and
must not change for rows already written.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Literal

from bot.outbox_keys import KeyScope, OutboxKey

EVENTS = KeyScope.of("event")
PARTY_TOO_BIG = KeyScope.of("too-big")  # apart from event_scope: rebuilds never withdraw these

NoticeTag = Literal["cancelled", "date-cancelled", "moved", "dropped"]


# Scopes are immutable; every RSVP builds its event's and its date's (kept for a few
# thousand events and dates, a few hundred bytes each).
SCOPES_KEPT = 4096


@lru_cache(maxsize=SCOPES_KEPT)
def event_scope(event_id: int) -> KeyScope:
    return EVENTS.narrower(event_id)


def reminders_of(event_id: int) -> KeyScope:
    """Every reminder of the event, direct or in the channel, on any date."""
    return event_scope(event_id).narrower("occ")


@lru_cache(maxsize=SCOPES_KEPT)
def reminders_on(event_id: int, occurrence: datetime) -> KeyScope:
    """Every reminder of one date of the event."""
    return reminders_of(event_id).narrower(occurrence)


def reminder(
    event_id: int, occurrence: datetime, minutes: int, who: int | Literal["channel"]
) -> OutboxKey:
    """The reminder `minutes` before one date, to a person (their id) or the channel."""
    return reminders_on(event_id, occurrence).key("remind", minutes, who)


def reminders_to(event_id: int, occurrence: datetime, who: int | Literal["channel"]) -> OutboxKey:
    """What all reminders of one date to one person (or the channel) share as their collapse
    key: of those due together, only the latest is sent."""
    return reminders_on(event_id, occurrence).key("latest", who)


def card(event_id: int) -> OutboxKey:
    """The event's card as first posted; edits name it in `edit_of`."""
    return event_scope(event_id).key("card")


def card_edit(event_id: int) -> OutboxKey:
    """The pending edit of the card: newer edits replace it (coalesce)."""
    return event_scope(event_id).key("card-edit")


def notice(event_id: int, tag: NoticeTag, sequence: int, person_id: int) -> OutboxKey:
    """One notice per person per change of the event (its `sequence`)."""
    return event_scope(event_id).key(tag, sequence, person_id)


def followup(event_id: int, link_digest: str, person_id: int) -> OutboxKey:
    """One follow-up per link per person."""
    return event_scope(event_id).key("followup", link_digest, person_id)


def party_too_big(event_id: int, occurrence: datetime, person_id: int, capacity: int) -> OutboxKey:
    """Told once per capacity that their waiting party can no longer fit."""
    return PARTY_TOO_BIG.key(event_id, occurrence, person_id, capacity)
