"""The Discord front door: a discord.py client composed around the bot's dispatcher and outbox.

Only the `guilds` intent is asked for: slash commands, buttons and modals arrive as
interactions, which need no privileged intent (no message content, no member list).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from bot.adapters.discord.commands import command_payloads
from bot.adapters.discord.interactions import InteractionRouter
from bot.adapters.discord.sender import PLATFORM, DiscordSender, invalid_request_trace
from bot.app import Potluck
from bot.config import DiscordSettings, StartupError
from bot.core.gcra import DISCORD_INVALID_REQUESTS
from bot.pacing import InvalidRequests, Pacing

log = logging.getLogger("potluck.discord")


def intents() -> discord.Intents:
    found = discord.Intents.none()
    found.guilds = True  # guild names and roles, for communities and role-based levels
    return found


def build_client(
    settings: DiscordSettings,
    *,
    guild_ready_timeout: float = 2.0,
    http_trace: aiohttp.TraceConfig | None = None,
) -> discord.Client:
    """A plain client, or an auto-sharded one for `shard_count`/`shard_ids` (or when Discord
    recommends shards and `auto_shard` is on). `http_trace` sees every REST response."""
    wanted = intents()
    # Potluck never joins voice channels: no "PyNaCl is not installed" warning at start.
    for flag in ("warn_nacl", "warn_dave"):
        if hasattr(discord.VoiceClient, flag):
            setattr(discord.VoiceClient, flag, False)
    kwargs: dict[str, Any] = dict(
        intents=wanted,
        member_cache_flags=discord.MemberCacheFlags.from_intents(wanted),
        chunk_guilds_at_startup=False,
        guild_ready_timeout=guild_ready_timeout,
        allowed_mentions=discord.AllowedMentions.none(),
        # A long rate-limit wait raises instead of blocking; the outbox retries later.
        max_ratelimit_timeout=30.0,
        http_trace=http_trace,
    )
    if settings.shard_count is not None or settings.shard_ids is not None:
        if settings.shard_ids is not None:
            kwargs["shard_ids"] = settings.shard_ids
        return discord.AutoShardedClient(shard_count=settings.shard_count, **kwargs)
    if settings.auto_shard:
        return discord.AutoShardedClient(**kwargs)
    return discord.Client(**kwargs)


class DiscordEndpoints:
    """Points discord.py's module-level REST and gateway addresses at the configured ones
    (a REST proxy, or a stand-in in tests) and puts the previous ones back afterwards."""

    def __init__(self, settings: DiscordSettings) -> None:
        self.api_base_url = settings.api_base_url.rstrip("/")
        self.gateway_url = yarl.URL(settings.gateway_url)
        self._saved: tuple[str, yarl.URL] | None = None

    def install(self) -> None:
        if self._saved is None:
            gateway = discord.gateway.DiscordWebSocket
            self._saved = (discord.http.Route.BASE, gateway.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.api_base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self.gateway_url

    def restore(self) -> None:
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None


REFUSED_TOKEN = "Discord refused the token (401): check DISCORD_TOKEN (or discord.token)"


async def log_in(client: discord.Client, settings: DiscordSettings) -> None:
    """Log `client` in with the configured token (`GET /users/@me`). Raises StartupError when
    Discord refuses the token (HTTP 401) or cannot be reached at `discord.api_base_url`."""
    try:
        await client.login(settings.token or "")
    except discord.LoginFailure:
        raise StartupError(REFUSED_TOKEN) from None
    except discord.HTTPException as exc:
        raise StartupError(
            f"Discord answered {exc.status} to the login ({exc.text or 'no details'}); "
            "try again later"
        ) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        reason = str(exc) or type(exc).__name__
        raise StartupError(
            f"discord.api_base_url: cannot reach Discord at {settings.api_base_url}: {reason}"
        ) from None


async def sync_commands(client: discord.Client, bot: Potluck) -> list[dict[str, Any]]:
    """Overwrite the application's commands with the registry's: per guild in
    `discord.guild_ids` (instant), else globally (Discord may take up to an hour).
    Raises StartupError naming the guild when Discord refuses it (the bot is not in that
    server, or the id is wrong)."""
    settings = bot.settings.discord
    app_id = client.application_id
    if app_id is None:
        raise RuntimeError("log in before syncing commands (the application id is unknown)")
    payload = command_payloads(bot.registry)
    if settings.guild_ids:
        synced: list[dict[str, Any]] = []
        for guild_id in settings.guild_ids:
            try:
                result = await client.http.bulk_upsert_guild_commands(
                    app_id, int(guild_id), payload
                )
            except (discord.Forbidden, discord.NotFound) as exc:
                raise StartupError(
                    f"discord.guild_ids: Discord refused commands for server {guild_id} "
                    f"({exc.status}: {exc.text or 'no details'}); invite the bot there "
                    "(potluck discord invite-url) or remove the id"
                ) from None
            synced.extend(dict(c) for c in result)
        log.info("synced %d commands to %d guild(s)", len(payload), len(settings.guild_ids))
        return synced
    result = await client.http.bulk_upsert_global_commands(app_id, payload)
    log.info("synced %d commands globally", len(payload))
    return [dict(c) for c in result]


class DiscordAdapter:
    """What `potluck run` starts when a Discord token is configured."""

    def __init__(
        self,
        bot: Potluck,
        *,
        reconnect: bool = True,
        guild_ready_timeout: float = 2.0,
        ready_timeout: float | None = None,
    ) -> None:
        self.bot = bot
        self.settings = bot.settings.discord
        self.reconnect = reconnect
        self.ready_timeout = ready_timeout
        self.endpoints = DiscordEndpoints(self.settings)
        self.invalid_requests = InvalidRequests(
            bot.outbox.pacer, PLATFORM, DISCORD_INVALID_REQUESTS
        )
        self.client = build_client(
            self.settings,
            guild_ready_timeout=guild_ready_timeout,
            http_trace=invalid_request_trace(self.invalid_requests),
        )
        self.router = InteractionRouter(bot.dispatcher, self.settings)
        self.client.on_interaction = self.router.on_interaction  # type: ignore[attr-defined]
        self.sender = DiscordSender(self.client, direct_messages=bot.outbox.direct_messages)
        bot.outbox.direct_messages.cooldowns[PLATFORM] = timedelta(
            seconds=self.settings.new_dm_cooldown_seconds
        )
        self._connection: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Log in, sync commands, connect, and return once the gateway is ready."""
        if not self.settings.token:
            raise RuntimeError("discord.token (or DISCORD_TOKEN) is not set")
        self.endpoints.install()
        try:
            await log_in(self.client, self.settings)
            if self.settings.sync_commands_on_start:
                await sync_commands(self.client, self.bot)
            self._connection = asyncio.create_task(
                self.client.connect(reconnect=self.reconnect), name="discord-gateway"
            )
            ready = asyncio.create_task(self.client.wait_until_ready())
            done, _ = await asyncio.wait(
                {self._connection, ready},
                timeout=self.ready_timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if ready not in done:
                ready.cancel()
                if self._connection in done:
                    try:
                        self._connection.result()  # the reason it could not connect
                    except discord.LoginFailure:  # the gateway refused the token (4004)
                        raise StartupError(REFUSED_TOKEN) from None
                    raise RuntimeError("the Discord gateway closed before it was ready")
                raise TimeoutError(f"Discord was not ready within {self.ready_timeout}s")
        except BaseException:
            await self.stop()
            raise
        # Only now can outbox rows for Discord be sent; deliver what waited meanwhile.
        self.bot.outbox.add_sender(
            PLATFORM,
            self.sender,
            Pacing(
                per_destination_seconds=self.settings.seconds_per_destination,
                new_dms_per_minute=self.settings.new_dms_per_minute,
                invalid_requests=DISCORD_INVALID_REQUESTS,
            ),
        )
        self.bot.outbox.kick()
        self.bot.metrics.platform(PLATFORM)
        self.bot.health.connection(PLATFORM, self.connected)
        log.info("connected to Discord as %s", self.client.user)

    def connected(self) -> bool:
        """The gateway connection (every shard's) is open and past READY."""
        if self._connection is None or self._connection.done():
            return False
        if self.client.is_closed() or not self.client.is_ready():
            return False
        shards = getattr(self.client, "shards", None)
        if shards:
            return all(not shard.is_closed() for shard in shards.values())
        ws = self.client.ws
        return ws is not None and ws.open

    async def wait_closed(self) -> None:
        if self._connection is not None:
            await self._connection

    async def stop(self) -> None:
        if self.bot.outbox.senders.get("discord") is self.sender:
            del self.bot.outbox.senders["discord"]
        try:
            if self._connection is None:
                # Never connected: only the HTTP session is open (a sharded client's close()
                # expects the gateway queue that connect() creates).
                await self.client.http.close()
            else:
                await self.client.close()
            if self._connection is not None:
                # asyncio.wait, not wait_for: the connection task ending cancelled (or failed)
                # is how it stops, not a reason to skip the rest of the shutdown.
                connection, self._connection = self._connection, None
                done, _ = await asyncio.wait({connection}, timeout=10)
                ended = connection in done and not connection.cancelled()
                if ended and (exc := connection.exception()) is not None:
                    log.debug("Discord connection ended with %r", exc)
        finally:
            self.endpoints.restore()
