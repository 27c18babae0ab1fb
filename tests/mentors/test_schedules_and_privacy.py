"""Scheduled rounds run exactly once across processes and restarts; export and forget."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.testing import Conversation
from storage.db import Database
from storage.models import AuditRow, MentorRoundRow, MentorScheduleRow, OutboxRow
from tests.events.conftest import restart, said
from tests.mentors.test_conversation import MOD, join_six


async def count(bot: Potluck, column: object, *where: object) -> int:
    async with bot.db.sessions() as session:
        return int(await session.scalar(select(func.count(column)).where(*where)) or 0)  # type: ignore[arg-type]


async def test_a_scheduled_round_runs_once_across_two_processes(
    bot: Potluck, chat: Conversation, clock: ManualClock, database: Database, settings: Settings
) -> None:
    await join_six(chat)
    reply = await chat.say(
        '/mentor schedule kind:mentoring every:"4 weeks" at:"monday 10am"', as_="mod", level=MOD
    )
    assert "A mentoring round every 4 weeks; the next one is" in said(reply), said(reply)
    async with bot.db.sessions() as session:
        due = (await session.scalars(select(MentorScheduleRow.next_run_at))).one()
    assert due.weekday() == 0 and due.hour == 10 and due > clock.now()

    other, _ = await restart(database, clock, settings)  # a second process, same database
    try:
        first, second = bot.cog("mentors").schedules, other.cog("mentors").schedules
        assert await first.run_due() == 0  # not due yet
        clock.set(due + timedelta(minutes=1))
        # Both processes find it due before either claims it: only one runs it.
        seen_first, seen_second = await first.due(clock.now()), await second.due(clock.now())
        assert len(seen_first) == len(seen_second) == 1
        ran = await asyncio.gather(
            first.run_claimed(seen_first[0], clock.now()),
            second.run_claimed(seen_second[0], clock.now()),
        )
        assert sorted(ran) == [0, 1]
        assert await count(bot, MentorRoundRow.id) == 1
        assert await count(bot, OutboxRow.id, OutboxRow.kind == "mentor-intro") == 4
        assert await first.run_due() + await second.run_due() == 0  # exactly once

        # Down for three periods: the round runs once, and the next one is in the future.
        clock.set(due + timedelta(weeks=12, hours=1))
        assert await second.run_due() == 1 and await first.run_due() == 0
        async with bot.db.sessions() as session:
            nxt = (await session.scalars(select(MentorScheduleRow.next_run_at))).one()
        assert nxt == due + timedelta(weeks=16)
    finally:
        await other.close()
    async with bot.db.sessions() as session:
        kinds = [(e.kind, e.reason) for e in await session.scalars(select(AuditRow))]
    assert kinds == [
        ("mentor.schedule", None),
        ("mentor.round", "scheduled"),
        ("mentor.round", "scheduled"),
    ]


async def test_schedule_input_and_stopping(chat: Conversation) -> None:
    reply = await chat.say('/mentor schedule kind:peers every:"2 hours"', as_="mod", level=MOD)
    assert "between 1 day and 1 year" in said(reply)
    reply = await chat.say('/mentor schedule kind:peers every:"sometimes"', as_="mod", level=MOD)
    assert "`every:`" in said(reply) and "every:off" in said(reply)
    reply = await chat.say("/mentor schedule kind:peers every:off", as_="mod", level=MOD)
    assert "no peers schedule to stop" in said(reply)
    await chat.say('/mentor schedule kind:peers every:"2 weeks"', as_="mod", level=MOD)
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert "Scheduled peers: every 2 weeks" in stats
    reply = await chat.say("/mentor schedule kind:peers every:off", as_="mod", level=MOD)
    assert "stopped" in said(reply)
    assert "Scheduled peers" not in said(await chat.say("/mentor stats", as_="mod", level=MOD))


async def next_run_at(bot: Potluck) -> datetime:
    async with bot.db.sessions() as session:
        return (await session.scalars(select(MentorScheduleRow.next_run_at))).one()


async def test_schedule_keeps_the_earlier_time_and_otherwise_runs_on_the_hour(
    bot: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    clock.set(clock.now().replace(minute=31, second=7))
    reply = said(
        await chat.say('/mentor schedule kind:peers every:"2 weeks"', as_="mod", level=MOD)
    )
    assert "on the full hour" in reply, reply
    due = await next_run_at(bot)
    assert (due.minute, due.second) == (0, 0)
    assert timedelta(weeks=2) <= due - clock.now() < timedelta(weeks=2, hours=1)

    await chat.say(
        '/mentor schedule kind:peers every:"2 weeks" at:"monday 10am"', as_="mod", level=MOD
    )
    monday = await next_run_at(bot)
    reply = said(
        await chat.say('/mentor schedule kind:peers every:"4 weeks"', as_="mod", level=MOD)
    )
    assert "Kept the earlier time" in reply, reply
    assert await next_run_at(bot) == monday  # every: alone does not move the day or hour


async def test_export_and_forget(chat: Conversation) -> None:
    await join_six(chat)
    await chat.say("/mentor avoid person:eli", as_="cy")
    await chat.say("/mentor round", as_="mod", level=MOD)
    await chat.deliver()
    await chat.press(chat.to("cy")[0].message, "We met", as_="cy")

    data = json.loads((await chat.say("/privacy export", as_="cy")).files[0].content)["mentors"]
    assert data["profile"]["role"] == "mentee" and data["never_matched_with"] == ["eli"]
    (match,) = data["matches"]
    assert match["with"] == ["ana"] and match["your_answer"] == "met"
    assert "grant writing" in match["why"]

    confirm = await chat.say("/privacy forget", as_="cy")
    await chat.press(confirm, "Yes", as_="cy")
    ana = json.loads((await chat.say("/privacy export", as_="ana")).files[0].content)["mentors"]
    assert "matches" not in ana  # removed from ana's history, not shown as a blank
    stats = said(await chat.say("/mentor stats", as_="mod", level=MOD))
    assert "Matches made: 1" in stats and "1 mentee," in stats
    again = json.loads((await chat.say("/privacy export", as_="cy")).files[0].content)
    assert "mentors" not in again
    text = said(await chat.say("/mentor round dry_run:yes", as_="mod", level=MOD))
    assert "cy" not in text.replace("cycle", "")
