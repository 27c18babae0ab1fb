"""Names of outbox rows: one typed way to name, replace and withdraw them.

A row's name (`OutboxKey`) is a path of parts, most general first, e.g. the reminder
`event:12:occ:1765904400:remind:60:7`. Keys are never written as strings by hand: each kind of
row has one function that builds its key from a `KeyScope`, and withdrawing "everything under
this scope" matches exactly the keys built from it. Renaming a part therefore renames the
scope and every key under it together, so a withdrawal can never silently stop matching.

The string form is what the outbox stores (`dedupe_key`, `coalesce_key`, `edit_of`, at most
200 characters); the parts of keys already in the database must keep their spelling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

SEPARATOR = ":"
MAX_LENGTH = 200  # the width of the outbox's key columns

Part = str | int | datetime


def _part(value: Part) -> str:
    """One part as text: a datetime becomes its whole UNIX seconds (UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("outbox key parts need an aware datetime")
        text = str(int(value.timestamp()))
    else:
        text = str(value)
    if not text or SEPARATOR in text:
        raise ValueError(f"outbox key part {text!r} is empty or contains {SEPARATOR!r}")
    return text


@dataclass(frozen=True, slots=True)
class KeyScope:
    """A family of keys: every key built from this scope (or a narrower one) is under it."""

    parts: tuple[str, ...]

    @classmethod
    def of(cls, *parts: Part) -> KeyScope:
        """A scope from its parts (str, int, or an aware datetime as UNIX seconds); raises
        ValueError for an empty part or one containing ':'."""
        if not parts:
            raise ValueError("a key scope needs at least one part")
        return cls(tuple(_part(p) for p in parts))

    def narrower(self, *parts: Part) -> KeyScope:
        """A scope inside this one."""
        return KeyScope(self.parts + tuple(_part(p) for p in parts))

    def key(self, *parts: Part) -> OutboxKey:
        """A key under this scope; ValueError if it would not fit the outbox's key column."""
        return OutboxKey(self.parts + tuple(_part(p) for p in parts))

    @property
    def prefix(self) -> str:
        """The text every key under this scope starts with (ends with the separator, so
        scope `event:1` never matches `event:12:...`)."""
        return SEPARATOR.join(self.parts) + SEPARATOR


@dataclass(frozen=True, slots=True)
class OutboxKey:
    """The name of one outbox row (or of the message it posted, for edits)."""

    parts: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(str(self)) > MAX_LENGTH:
            raise ValueError(f"outbox key longer than {MAX_LENGTH} characters: {self}")

    def __str__(self) -> str:
        return SEPARATOR.join(self.parts)


# Keys the outbox itself writes.
FALLBACKS = KeyScope.of("fallback")


def fallback_key(row_id: int) -> OutboxKey:
    """The one channel post made for a direct message (outbox row `row_id`) that could not
    be delivered."""
    return FALLBACKS.key(row_id)
