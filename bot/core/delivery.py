"""What the outbox hands an adapter to send, and how an adapter says it could not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.core.messages import Message

DestinationKind = Literal["channel", "person", "group"]


@dataclass(frozen=True, slots=True)
class Destination:
    kind: DestinationKind
    id: str

    @classmethod
    def channel(cls, channel_id: str) -> Destination:
        return cls("channel", channel_id)

    @classmethod
    def person(cls, user_id: str) -> Destination:
        return cls("person", user_id)

    @classmethod
    def group(cls, *user_ids: str) -> Destination:
        """One conversation of the bot with several people (Slack: a group DM through
        `conversations.open` with all of them). Its id is the user ids joined by commas, in
        the order given. Platforms that cannot make group DMs (Discord) get a DM each instead."""
        if len(user_ids) < 2 or any(not u or "," in u for u in user_ids):
            raise ValueError(f"a group needs two or more user ids without commas, not {user_ids}")
        return cls("group", ",".join(user_ids))


KEY_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz"
KEY_MAX = 25  # Discord's limit for a string `nonce`


def _base36(number: int) -> str:
    digits = []
    while True:
        number, rest = divmod(number, 36)
        digits.append(KEY_CHARS[rest])
        if number == 0:
            return "".join(reversed(digits))


def delivery_key(row_id: int, created_at: datetime) -> str:
    """The idempotency key of one outbox row: the same for every attempt, different for every
    row, at most 25 characters (Discord's `nonce` limit) e.g. "pl1f-lz4x2k9c".

    It carries the row's creation time (milliseconds, base 36) as well as its id, because an id
    alone can come back: SQLite reuses the largest id after a delete, and a database restored
    from a backup counts again from an older id. Raises ValueError for a negative id."""
    if row_id < 0:
        raise ValueError(f"an outbox row id is never negative, not {row_id}")
    stamp = _base36(int(created_at.timestamp() * 1000))
    key = f"pl{_base36(row_id)}-{stamp}"
    return key[:KEY_MAX]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One outbox row as an adapter sees it.

    `key` is the row's idempotency key (`delivery_key`): Discord gets it as the message
    `nonce`, Slack in the message metadata. `maybe_sent` says an earlier attempt may have
    reached the platform without its outcome being recorded (its process died, or the answer
    was lost), so an adapter that cannot deduplicate by key should first look whether that
    attempt landed, among messages since `first_attempt_at` (UTC)."""

    id: int
    platform: str
    kind: str
    destination: Destination
    message: Message
    timezone: str | None
    attempts: int
    edit_ref: str | None = None  # the platform reference of the message to edit, if an edit
    key: str = ""
    community_id: int | None = None
    maybe_sent: bool = False
    first_attempt_at: datetime | None = None


RetryScope = Literal["row", "destination", "platform"]


class RetryLater(Exception):
    """The platform asked us to wait (HTTP 429 Retry-After) or our own pacing says so.

    `scope` says who else must wait: "row" only this row (our own budget said no),
    "destination" every process sending to the same channel or person (a 429 on that route),
    "platform" every send to the platform (a global 429)."""

    def __init__(
        self, seconds: float, reason: str = "rate limited", *, scope: RetryScope = "row"
    ) -> None:
        super().__init__(reason)
        self.seconds = max(0.0, seconds)
        self.scope: RetryScope = scope


class OpeningDMsTooFast(RetryLater):
    """The platform refused to open a new direct-message conversation because the bot opens
    them too fast (Discord error 40003). New DMs stop for a cool-down; the row stays queued."""

    def __init__(self, reason: str = "opening direct messages too fast") -> None:
        super().__init__(0.0, reason, scope="row")


class Undeliverable(Exception):
    """The message can never be delivered as addressed (DMs closed, channel gone)."""


class Sender(Protocol):
    """An adapter's way of sending one outbox row. Returns the platform's message reference."""

    async def deliver(self, item: Delivery) -> str | None: ...
