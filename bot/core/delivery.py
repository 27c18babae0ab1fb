"""What the outbox hands an adapter to send, and how an adapter says it could not."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.messages import Message

DestinationKind = Literal["channel", "person"]


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


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    platform: str
    kind: str
    destination: Destination
    message: Message
    timezone: str | None
    attempts: int
    edit_ref: str | None = None  # the platform reference of the message to edit, if an edit


class RetryLater(Exception):
    """The platform asked us to wait (HTTP 429 Retry-After) or our own pacing says so."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(reason)
        self.seconds = max(0.0, seconds)


class Undeliverable(Exception):
    """The message can never be delivered as addressed (DMs closed, channel gone)."""


class Sender(Protocol):
    """An adapter's way of sending one outbox row. Returns the platform's message reference."""

    async def deliver(self, item: Delivery) -> str | None: ...
