"""The outbox's Discord sender: channel posts, edits and direct messages.

Every message is created with `nonce` = the row's idempotency key and `enforce_nonce: true`
(discord.py 2.7 adds the latter whenever a nonce is given): Discord then answers a repeat of
the same nonce by the same bot within a few minutes with the message it already made, so a
send repeated after a crash or a lost answer is shown once.

Opening many new DM channels quickly is what Discord's anti-spam watches (error 40003, and
quarantine for repeat offenders), so a new DM channel spends the community's shared budget
(bot/pacing.py) and a person the bot has a DM channel with spends nothing; over budget the row
is put back with `RetryLater` instead of waiting. A 40003 raises `OpeningDMsTooFast` (the
outbox pauses new DMs everywhere). A person whose DMs are closed (50007) is `Undeliverable`,
so the outbox posts its one-time channel fallback rather than retrying.
"""

from __future__ import annotations

import logging

import aiohttp
import discord

from bot.adapters.discord.render import render
from bot.core.delivery import (
    Delivery,
    OpeningDMsTooFast,
    RetryLater,
    RetryScope,
    Undeliverable,
)
from bot.pacing import DirectMessages, InvalidRequests

log = logging.getLogger("potluck.discord.outbox")

PLATFORM = "discord"
CANNOT_DM = 50007
OPENING_DMS_TOO_FAST = 40003
_GONE = {10003, 10008, 50001, 50013}  # unknown channel/message, missing access/permissions


class DiscordSender:
    def __init__(self, client: discord.Client, *, direct_messages: DirectMessages) -> None:
        self.client = client
        self.direct_messages = direct_messages

    async def deliver(self, item: Delivery) -> str | None:
        try:
            if item.edit_ref is not None:
                return await self._edit(item)
            if item.destination.kind == "person":
                channel_id = await self._dm_channel(item)
            else:
                channel_id = _snowflake(item.destination.id, "channel")
            return await self._post(channel_id, item)
        except discord.RateLimited as exc:
            raise RetryLater(exc.retry_after, "Discord rate limit", scope="destination") from None
        except discord.HTTPException as exc:
            raise _classify(exc, item) from None

    async def _dm_channel(self, item: Delivery) -> int:
        user_id = item.destination.id
        known = await self.direct_messages.channel(PLATFORM, user_id)
        if known is not None:
            return _snowflake(known, "channel")
        wait = await self.direct_messages.reserve_new(PLATFORM, item.community_id, user_id)
        if wait > 0:
            raise RetryLater(wait, "new direct messages are paced")
        data = await self.client.http.start_private_message(_snowflake(user_id, "person"))
        channel_id = int(data["id"])
        await self.direct_messages.opened(PLATFORM, user_id, str(channel_id), item.community_id)
        return channel_id

    async def _post(self, channel_id: int, item: Delivery) -> str:
        channel = self.client.get_partial_messageable(channel_id)
        kwargs = render(item.message).send_kwargs()
        if item.key:
            kwargs["nonce"] = item.key
        sent = await channel.send(**kwargs)
        return f"{channel_id}:{sent.id}"

    async def _edit(self, item: Delivery) -> str:
        assert item.edit_ref is not None
        channel_part, _, message_part = item.edit_ref.partition(":")
        channel = self.client.get_partial_messageable(_snowflake(channel_part, "channel"))
        message = channel.get_partial_message(_snowflake(message_part, "message"))
        await message.edit(**render(item.message).edit_kwargs())
        return item.edit_ref


def _classify(exc: discord.HTTPException, item: Delivery) -> Exception:
    """The outbox's view of a Discord error: wait, pause new DMs, give up, or (anything else)
    retry with backoff."""
    where = f"{item.destination.kind} {item.destination.id}"
    if exc.code == OPENING_DMS_TOO_FAST:
        return OpeningDMsTooFast(f"Discord: {exc.text or 'opening direct messages too fast'}")
    if exc.status == 429:
        return RetryLater(_retry_after(exc), "Discord rate limit", scope=_scope(exc))
    if isinstance(exc, discord.Forbidden):
        if item.destination.kind == "person":
            return Undeliverable(
                f"cannot message {item.destination.id} (DMs closed, code {exc.code})"
            )
        return Undeliverable(f"no permission in channel {item.destination.id} (code {exc.code})")
    if isinstance(exc, discord.NotFound) or exc.code in _GONE:
        return Undeliverable(f"{where} is gone (code {exc.code})")
    return exc


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


def _scope(exc: discord.HTTPException) -> RetryScope:
    response = getattr(exc, "response", None)
    headers = response.headers if response is not None else {}
    if headers.get("X-RateLimit-Global") == "true" or headers.get("X-RateLimit-Scope") == "global":
        return "platform"
    return "destination"


def invalid_request_trace(invalid: InvalidRequests) -> aiohttp.TraceConfig:
    """An aiohttp trace for discord.py's HTTP session that counts every response Discord
    counts as invalid: 401, 403, and 429 unless `X-RateLimit-Scope: shared` (Discord's
    invalid-request limit, https://discord.com/developers/docs/topics/rate-limits)."""
    trace = aiohttp.TraceConfig()

    async def on_request_end(
        _session: aiohttp.ClientSession,
        _context: object,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        status = params.response.status
        if status in (401, 403) or (
            status == 429 and params.response.headers.get("X-RateLimit-Scope") != "shared"
        ):
            invalid.note()

    trace.on_request_end.append(on_request_end)
    return trace
