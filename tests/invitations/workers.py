"""A separate bot process for the concurrency test: its own engine and cogs, running /invite
through the real dispatcher against a shared PostgreSQL schema."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.types import Actor, ChannelRef, Level
from storage.db import Database


def invite_from_process(url: str, schema: str, now: str, code: str, names: list[str]) -> None:
    """Run one `/invite` per name, all at once, as ana, at the moment `now` (ISO, UTC): the
    entry point of a spawned process."""
    asyncio.run(_invite(url, schema, datetime.fromisoformat(now), code, names))


async def _invite(url: str, schema: str, now: datetime, code: str, names: list[str]) -> None:
    settings = Settings()
    settings.bot.commands_per_minute = 0
    bot = Potluck(settings, clock=ManualClock(now), db=Database(url, schema=schema))
    await bot.load_cogs()
    await bot.start(migrate=False, schedule=False)
    actor = Actor(
        platform="console",
        community_id="test-community",
        community_name="Test chapter",
        user_id="ana",
        display_name="ana",
        channel=ChannelRef(external_id="general", name="general"),
        level=Level.ORGANIZER,
    )
    try:
        await asyncio.gather(
            *(bot.dispatcher.run_line(actor, f'/invite event:{code} people:"@{n}"') for n in names)
        )
    finally:
        await bot.close()
