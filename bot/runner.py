"""Running the platform front doors (Discord, Slack) and the web server in one process."""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from bot.app import Potluck
from bot.config import Settings

log = logging.getLogger("potluck")


class FrontDoor(Protocol):
    async def start(self) -> None: ...

    async def wait_closed(self) -> None: ...

    async def stop(self) -> None: ...


def web_addresses(settings: Settings) -> list[tuple[str, int]]:
    """The shared web server's addresses: [web] plus Slack's own host/port in HTTP mode."""
    addresses = []
    if settings.web.enabled:
        addresses.append((settings.web.host, settings.web.port))
    if settings.slack.bot_token and not settings.slack.app_token:
        host = settings.slack.host or settings.web.host
        port = settings.slack.port if settings.slack.port is not None else settings.web.port
        addresses.append((host, port))
    return addresses


async def run_platforms(settings: Settings) -> int:
    bot = Potluck(settings)
    await bot.load_cogs()
    doors: list[FrontDoor] = []
    if settings.discord.token:
        from bot.adapters.discord import DiscordAdapter

        doors.append(DiscordAdapter(bot))
    if settings.slack.bot_token:
        from bot.adapters.slack import SlackAdapter

        doors.append(SlackAdapter(bot))
    await bot.start()
    try:
        for door in doors:
            await door.start()
        addresses = web_addresses(settings)
        if addresses:
            await bot.web.start(addresses)
        waiting = [asyncio.create_task(door.wait_closed()) for door in doors]
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        for task in waiting:
            task.cancel()
    finally:
        for door in doors:
            try:
                await door.stop()
            except Exception:
                log.exception("stopping %s failed", type(door).__name__)
        await bot.close()
    return 0
