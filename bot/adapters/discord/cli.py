"""`potluck discord sync` and `potluck discord invite-url`."""

from __future__ import annotations

import logging
import sys
from urllib.parse import urlencode

import discord

from bot.adapters.discord.client import DiscordEndpoints, build_client, log_in, sync_commands
from bot.app import Potluck
from bot.config import Settings

log = logging.getLogger("potluck.discord")

SCOPES = ("bot", "applications.commands")


def bot_permissions() -> discord.Permissions:
    """Exactly what Potluck does in a channel: see it, post in it, show embeds (event cards),
    attach files (.ics, CSV). Editing its own messages and answering slash commands need no
    permission; it never needs to read messages, mention roles or manage anything."""
    return discord.Permissions(
        view_channel=True, send_messages=True, embed_links=True, attach_files=True
    )


def invite_url(application_id: str | int) -> str:
    query = urlencode(
        {
            "client_id": str(application_id),
            "scope": " ".join(SCOPES),
            "permissions": str(bot_permissions().value),
        }
    )
    return f"https://discord.com/oauth2/authorize?{query}"


async def _login(settings: Settings) -> discord.Client:
    """A logged-in client; StartupError (exit 2) when the token is refused or Discord is
    out of reach. The caller closes it."""
    client = build_client(settings.discord)
    try:
        await log_in(client, settings.discord)
    except BaseException:
        await client.http.close()
        raise
    return client


async def main(action: str, settings: Settings) -> int:
    if action == "invite-url":
        return await _invite(settings)
    if action == "sync":
        return await _sync(settings)
    print(f"potluck discord: unknown action {action!r}", file=sys.stderr)
    return 2


async def _invite(settings: Settings) -> int:
    app_id = settings.discord.application_id
    if app_id is None:
        if not settings.discord.token:
            print(
                "potluck discord invite-url: set discord.application_id (or DISCORD_TOKEN, "
                "to look it up)",
                file=sys.stderr,
            )
            return 2
        endpoints = DiscordEndpoints(settings.discord)
        endpoints.install()
        client: discord.Client | None = None
        try:
            client = await _login(settings)
            app_id = str(client.application_id)
        finally:
            if client is not None:
                await client.http.close()
            endpoints.restore()
    print(invite_url(app_id))
    return 0


async def _sync(settings: Settings) -> int:
    if not settings.discord.token:
        print("potluck discord sync: set DISCORD_TOKEN (or discord.token)", file=sys.stderr)
        return 2
    bot = Potluck(settings)
    await bot.load_cogs()
    endpoints = DiscordEndpoints(settings.discord)
    endpoints.install()
    client: discord.Client | None = None
    try:
        client = await _login(settings)
        synced = await sync_commands(client, bot)
    except discord.HTTPException as exc:
        print(f"potluck discord sync: Discord said {exc.status}: {exc.text}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            await client.http.close()
        endpoints.restore()
        await bot.db.dispose()
    where = (
        f"guild(s) {', '.join(settings.discord.guild_ids)}"
        if settings.discord.guild_ids
        else "all guilds (global; Discord may take up to an hour to show them)"
    )
    names = sorted({str(c.get("name")) for c in synced})
    print(f"synced {len(names)} commands to {where}: /" + ", /".join(names))
    return 0
