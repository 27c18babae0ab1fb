"""After an outage that spans several reminder times of one date, each person (and the
channel) gets one reminder, the latest, not a burst of copies."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.testing import Conversation
from storage.db import Database
from storage.models import OutboxRow
from tests.events.conftest import create, restart

# The clock starts Monday 2026-11-23 12:00 UTC; "next friday 6pm" is 2026-11-27 18:00 UTC.
PARTY = '/event create title:"Winter party" when:"next friday 6pm" reminders:"1d, 2h, 1h"'


async def test_only_the_latest_of_the_reminders_due_together_is_sent(
    bot: Potluck, chat: Conversation, database: Database, clock: ManualClock, settings: Settings
) -> None:
    code = await create(chat, PARTY)
    channel = await create(chat, PARTY.replace("Winter", "Channel") + " remind_in:channel")
    for event in (code, channel):
        for who in ("sam", "lee"):
            await chat.say(f"/rsvp {event} yes", as_=who)
    await chat.deliver()
    await bot.close()

    # Down across the 1-day, 2-hour and 1-hour times; back up half an hour before the start.
    clock.set(datetime(2026, 11, 27, 17, 30, tzinfo=UTC))
    second, chat2 = await restart(database, clock, settings)
    try:
        sent = [d for d in await chat2.deliver() if d.kind == "reminder"]
        assert sorted(d.destination.id for d in sent) == ["general", "lee", "sam"], sent
        async with second.db.sessions() as session:
            rows = (
                await session.execute(
                    select(OutboxRow.dedupe_key, OutboxRow.status).where(
                        OutboxRow.kind == "reminder"
                    )
                )
            ).all()
        sent_keys = sorted(key.rsplit(":", 2)[-2] for key, status in rows if status == "sent")
        assert sent_keys == ["60", "60", "60"]  # the 1-hour ones: the nearest to the start
        assert sum(status == "dropped" for _, status in rows) == 6
        assert not await chat2.deliver()
    finally:
        await second.close()


async def test_reminders_due_at_different_times_are_each_sent(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    for moment in ((26, 18, 0), (27, 16, 0), (27, 17, 0)):
        clock.set(datetime(2026, 11, *moment, tzinfo=UTC))
        assert len([d for d in await chat.deliver() if d.kind == "reminder"]) == 1
