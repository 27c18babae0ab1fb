"""Running the platform adapters (Discord, Slack) and the web server in one process."""

from __future__ import annotations

import asyncio
import logging

from bot.app import Potluck
from bot.config import Settings

log = logging.getLogger("potluck")


async def run_platforms(settings: Settings) -> int:
    bot = Potluck(settings)
    await bot.load_cogs()
    tasks: list[asyncio.Task[object]] = []
    starters = []
    if settings.discord.token:
        from bot.adapters.discord import DiscordAdapter

        discord_adapter = DiscordAdapter(bot)
        starters.append(discord_adapter)
    if settings.slack.bot_token:
        from bot.adapters.slack import SlackAdapter

        slack_adapter = SlackAdapter(bot)
        starters.append(slack_adapter)
    await bot.start()
    try:
        for adapter in starters:
            await adapter.start()
        addresses = []
        if settings.web.enabled:
            addresses.append((settings.web.host, settings.web.port))
        if settings.slack.bot_token and not settings.slack.app_token:
            addresses.append(
                (
                    settings.slack.host or settings.web.host,
                    settings.slack.port if settings.slack.port is not None else settings.web.port,
                )
            )
        if addresses:
            await bot.web.start(addresses)
        tasks = [asyncio.create_task(adapter.wait_closed()) for adapter in starters]
        if tasks:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        else:
            await asyncio.Event().wait()
    finally:
        for adapter in starters:
            await adapter.stop()
        await bot.close()
    return 0
