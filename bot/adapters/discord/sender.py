"""The outbox's Discord sender: channel posts, edits and direct messages.

Opening many new DM channels quickly is what Discord's anti-spam watches (error 40003, and
quarantine for repeat offenders), so new DM channels are budgeted per minute; over budget the
row is put back with `RetryLater` instead of waiting. A person whose DMs are closed (403) is
`Undeliverable`, so the outbox posts its one-time channel fallback rather than retrying.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

import discord

from bot.adapters.discord.render import render
from bot.core.delivery import Delivery, RetryLater, Undeliverable

log = logging.getLogger("potluck.discord.outbox")

CANNOT_DM = 50007
OPENING_DMS_TOO_FAST = 40003
_GONE = {10003, 10008, 50001, 50013}  # unknown channel/message, missing access/permissions


class DMBudget:
    """At most `per_minute` new DM channels in any 60 seconds (a sliding window)."""

    def __init__(self, per_minute: int, now: Callable[[], datetime]) -> None:
        self.per_minute = per_minute
        self.now = now
        self.opened: deque[datetime] = deque()

    def wait_seconds(self) -> float:
        """0 when a new channel may be opened now, else how long until one may."""
        now = self.now()
        window = timedelta(minutes=1)
        while self.opened and now - self.opened[0] >= window:
            self.opened.popleft()
        if len(self.opened) < self.per_minute:
            return 0.0
        return max(0.1, (self.opened[0] + window - now).total_seconds())

    def spend(self) -> None:
        self.opened.append(self.now())


class DiscordSender:
    def __init__(
        self, client: discord.Client, *, new_dms_per_minute: int, now: Callable[[], datetime]
    ) -> None:
        self.client = client
        self.budget = DMBudget(new_dms_per_minute, now)
        self.dm_channels: dict[str, int] = {}  # user id -> DM channel id

    async def deliver(self, item: Delivery) -> str | None:
        try:
            if item.edit_ref is not None:
                return await self._edit(item)
            if item.destination.kind == "person":
                channel_id = await self._dm_channel(item.destination.id)
            else:
                channel_id = _snowflake(item.destination.id, "channel")
            return await self._post(channel_id, item)
        except discord.RateLimited as exc:
            raise RetryLater(exc.retry_after, "Discord rate limit") from None
        except discord.Forbidden as exc:
            if item.destination.kind == "person":
                self.dm_channels.pop(item.destination.id, None)
                raise Undeliverable(
                    f"cannot message {item.destination.id} (DMs closed, code {exc.code})"
                ) from None
            raise Undeliverable(
                f"no permission in channel {item.destination.id} (code {exc.code})"
            ) from None
        except discord.NotFound as exc:
            raise Undeliverable(
                f"{item.destination.kind} {item.destination.id} is gone (code {exc.code})"
            ) from None
        except discord.HTTPException as exc:
            if exc.code == OPENING_DMS_TOO_FAST:
                raise RetryLater(60.0, "Discord says DMs are opened too fast") from None
            if exc.status == 429:
                raise RetryLater(_retry_after(exc), "Discord rate limit") from None
            if exc.code in _GONE:
                raise Undeliverable(
                    f"{item.destination.kind} {item.destination.id}: {exc.text}"
                ) from None
            raise

    async def _dm_channel(self, user_id: str) -> int:
        known = self.dm_channels.get(user_id)
        if known is not None:
            return known
        wait = self.budget.wait_seconds()
        if wait > 0:
            raise RetryLater(wait, "new direct messages are paced")
        self.budget.spend()
        data = await self.client.http.start_private_message(_snowflake(user_id, "person"))
        channel_id = int(data["id"])
        self.dm_channels[user_id] = channel_id
        return channel_id

    async def _post(self, channel_id: int, item: Delivery) -> str:
        channel = self.client.get_partial_messageable(channel_id)
        sent = await channel.send(**render(item.message).send_kwargs())
        return f"{channel_id}:{sent.id}"

    async def _edit(self, item: Delivery) -> str:
        assert item.edit_ref is not None
        channel_part, _, message_part = item.edit_ref.partition(":")
        channel = self.client.get_partial_messageable(_snowflake(channel_part, "channel"))
        message = channel.get_partial_message(_snowflake(message_part, "message"))
        await message.edit(**render(item.message).edit_kwargs())
        return item.edit_ref


def _snowflake(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Undeliverable(f"{what} id {value!r} is not a Discord id") from None


def _retry_after(exc: discord.HTTPException) -> float:
    response = getattr(exc, "response", None)
    header = response.headers.get("Retry-After") if response is not None else None
    try:
        return float(header) if header else 5.0
    except ValueError:
        return 5.0
