"""Reminders through the outbox with an injected clock: sent once, in each reader's zone,
surviving a restart, dropped when the event already started, moved when the event moves."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.messages import Mention
from bot.core.types import Level
from bot.testing import Conversation
from storage.db import Database
from storage.models import OutboxRow
from tests.events.conftest import create, restart, said

# The clock starts Monday 2026-11-23 12:00 UTC; "next friday 6pm" is 2026-11-27 18:00 UTC.
START = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
PARTY = '/event create title:"Winter party" when:"next friday 6pm" where:"Room 2"'


def reminders_to(sent: list, who: str) -> list:  # type: ignore[type-arg]
    return [d for d in sent if d.kind == "reminder" and d.destination.id == who]


async def test_reminders_survive_a_restart_and_are_sent_exactly_once(
    bot: Potluck, chat: Conversation, database: Database, clock: ManualClock, settings: Settings
) -> None:
    chat.zones["lee"] = "Europe/Berlin"
    code = await create(chat, PARTY)
    for who, answer in (("sam", "yes"), ("lee", "maybe"), ("raj", "no")):
        await chat.say(f"/rsvp {code} {answer}", as_=who)
    assert not [d for d in await chat.deliver() if d.kind == "reminder"]  # nothing due yet
    await bot.close()

    # Down across the 24-hour reminder (due Thursday 18:00); back up at 18:30, before the start.
    clock.set(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))
    second, chat2 = await restart(database, clock, settings)
    try:
        sent = await chat2.deliver()
        assert len(reminders_to(sent, "sam")) == 1 and len(reminders_to(sent, "lee")) == 1
        assert not reminders_to(sent, "raj")
        lee = reminders_to(sent, "lee")[0]
        assert lee.timezone == "Europe/Berlin"  # rendered in the reader's own zone
        assert "Reminder: Winter party" in said(lee.message) and "Room 2" in said(lee.message)
        assert "/event reminders off" in said(lee.message)
        assert not await chat2.deliver()  # a second pass sends nothing again
    finally:
        await second.close()

    # Down again across the 1-hour reminder (due 17:00) and past the start: it is dropped.
    clock.set(datetime(2026, 11, 27, 18, 5, tzinfo=UTC))
    third, chat3 = await restart(database, clock, settings)
    try:
        assert not [d for d in await chat3.deliver() if d.kind == "reminder"]
        async with third.db.sessions() as session:
            statuses = sorted(
                (
                    await session.scalars(
                        select(OutboxRow.status).where(OutboxRow.kind == "reminder")
                    )
                ).all()
            )
        assert statuses == ["dropped", "dropped", "sent", "sent"]
    finally:
        await third.close()


async def test_one_hour_reminder_arrives_on_time_while_running(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    clock.set(datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    assert len(reminders_to(await chat.deliver(), "sam")) == 1
    clock.set(datetime(2026, 11, 27, 16, 59, tzinfo=UTC))
    assert not await chat.deliver()
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    assert len(reminders_to(await chat.deliver(), "sam")) == 1
    assert len(reminders_to(chat.sent, "sam")) == 2


async def test_changing_an_answer_or_turning_reminders_off_withdraws_them(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} no", as_="sam")
    await chat.say(f"/rsvp {code} maybe", as_="lee")
    off = await chat.say("/event reminders off", as_="lee")
    assert "reminders are off" in said(off) and "2 withdrawn" in said(off)
    again = await chat.say(f"/rsvp {code} yes", as_="lee")
    assert "Your reminders are off" in said(again)
    await chat.say(f"/rsvp {code} yes", as_="kim")
    clock.set(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))  # the 24-hour reminders are due
    sent = await chat.deliver()
    assert [d.destination.id for d in sent if d.kind == "reminder"] == ["kim"]
    # Turned back on: the reminders still ahead (1 hour before) are scheduled again.
    on = await chat.say("/event reminders on", as_="lee")
    assert "reminders are on" in said(on) and "Scheduled for 1 upcoming event" in said(on)
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))
    sent = await chat.deliver()
    assert sorted(d.destination.id for d in sent if d.kind == "reminder") == ["kim", "lee"]
    assert len(reminders_to(chat.sent, "lee")) == 1


async def test_a_moved_event_reschedules_its_reminders(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    moved = await chat.say(f'/event edit id:{code} when:"next saturday 6pm"', as_="ana")
    assert moved.accent == "success"
    clock.set(datetime(2026, 11, 26, 18, 30, tzinfo=UTC))  # old 24-hour time: nothing
    sent = await chat.deliver()
    assert not reminders_to(sent, "sam")
    assert "New time" in said(chat.to("sam")[-1].message)
    clock.set(datetime(2026, 11, 27, 18, 0, tzinfo=UTC))  # new 24-hour time
    assert len(reminders_to(await chat.deliver(), "sam")) == 1


async def test_channel_reminders_mention_who_is_coming(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY + " remind_in:channel reminders:2h")
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} maybe", as_="lee")
    await chat.say(f"/rsvp {code} no", as_="raj")
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=UTC))
    sent = [d for d in await chat.deliver() if d.kind == "reminder"]
    assert len(sent) == 1 and sent[0].destination.kind == "channel"
    mentioned = [s.user_id for s in sent[0].message.text if isinstance(s, Mention)]
    assert sorted(mentioned) == ["lee", "sam"]


async def test_community_reminder_defaults(chat: Conversation, clock: ManualClock) -> None:
    denied = await chat.say('/event settings reminders:"3h"', as_="sam")
    assert denied.accent == "danger"
    chat.levels["mod"] = Level.MODERATOR
    ok = await chat.say('/event settings reminders:"3h"', as_="mod")
    assert "3 hours before" in said(ok)
    code = await create(chat, PARTY)
    reply = await chat.say(f"/rsvp {code} yes", as_="sam")
    assert "remind you 3 hours before" in said(reply)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))
    assert len(reminders_to(await chat.deliver(), "sam")) == 1


async def test_rsvp_promises_only_the_reminders_still_ahead_each_on_its_own(
    chat: Conversation, clock: ManualClock
) -> None:
    # 12:00 UTC now; the event starts at 13:00, so its 2-hour reminder (11:00) has passed.
    code = await create(chat, '/event create title:Soon when:"today 1pm" reminders:"30m, 2h"')
    reply = said(await chat.say(f"/rsvp {code} yes", as_="ann"))
    assert "I'll remind you 30 minutes before." in reply
    assert "2 hours" not in reply
    clock.set(datetime(2026, 11, 23, 12, 31, tzinfo=UTC))  # the 30-minute one has passed too
    late = said(await chat.say(f"/rsvp {code} yes", as_="bea"))
    assert "remind you" not in late and "too soon for a reminder" in late
    # Both ahead: two reminders, each said with its own "before".
    later = await create(
        chat, '/event create title:Later when:"next friday 6pm" reminders:"30m, 2h"'
    )
    both = said(await chat.say(f"/rsvp {later} yes", as_="ann"))
    assert "I'll remind you 2 hours before and 30 minutes before." in both
