"""The real scheduler wakes the outbox: at startup for rows due while down, and on a kick."""

from __future__ import annotations

import asyncio

from bot.app import Potluck
from bot.config import Settings
from bot.core.delivery import Delivery, Destination
from bot.core.messages import Message
from storage.db import Database


class Signal:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.changed = asyncio.Event()

    async def deliver(self, item: Delivery) -> str | None:
        self.sent.append(item.message.plain_text())
        self.changed.set()
        return None

    async def wait_for(self, count: int) -> None:
        async def reached() -> None:
            while len(self.sent) < count:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(reached(), timeout=10)


async def enqueue(bot: Potluck, text: str) -> None:
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session,
            platform="console",
            destination=Destination.channel("general"),
            message=Message(text=[text]),
        )


async def test_rows_due_while_down_go_out_at_startup_and_kicks_wake_it(
    database: Database,
) -> None:
    bot = Potluck(Settings(), db=database)  # the real system clock and the real scheduler
    signal = Signal()
    bot.outbox.add_sender("console", signal)
    await bot.load_cogs()
    await enqueue(bot, "written while the bot was down")
    try:
        await bot.start(migrate=False)
        await signal.wait_for(1)
        assert "outbox-poll" in bot.scheduler.job_ids()
        await enqueue(bot, "written while running")
        bot.outbox.kick()
        await signal.wait_for(2)
        assert signal.sent == ["written while the bot was down", "written while running"]
    finally:
        await bot.close()
