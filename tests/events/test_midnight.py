"""Midnight: "friday midnight" is the night from Friday to Saturday, said so on the reply,
and the hint for "24:00" suggests a way of writing midnight that is read that same way."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create, event_id, said


async def test_friday_midnight_is_the_end_of_friday_and_the_reply_says_so(
    chat: Conversation,
) -> None:
    # The clock starts Monday 2026-11-23 12:00 UTC (the community reads UTC).
    reply = await chat.say('/event create title:Late when:"friday midnight"', as_="ana")
    assert reply.accent == "success", said(reply)
    text = said(reply)
    assert "2026-11-28 00:00 UTC" in text and "2026-11-27 00:00" not in text
    assert "end of Friday 27 November (00:00 on Saturday)" in text
    early = said(await chat.say('/event create title:Early when:"friday 12am"', as_="ana"))
    assert "2026-11-27 00:00 UTC" in early and "end of" not in early


async def test_the_hint_for_24_00_is_read_as_it_promises(chat: Conversation) -> None:
    refused = said(await chat.say('/event create title:Late when:"tomorrow 24:00"', as_="ana"))
    assert '"friday midnight" (read as 00:00 on Saturday)' in refused
    # Following the hint gives what it promised.
    code = await create(chat, '/event create title:Late when:"friday midnight"')
    assert "2026-11-28 00:00 UTC" in said(await chat.say(f"/event show id:{code}", as_="ana"))


# Local clock times across the day, on the last day of a month (where the parser's own
# reading of "midnight" falls back to the 1st) and on an ordinary day.
@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/New_York"])
@pytest.mark.parametrize("day", [24, 30])
@pytest.mark.parametrize("hour", [0, 12, 23])
@pytest.mark.parametrize("typed", ["midnight", "at midnight"])
async def test_plain_midnight_is_the_coming_one_in_every_zone(
    chat: Conversation, clock: ManualClock, zone: str, day: int, hour: int, typed: str
) -> None:
    tz = ZoneInfo(zone)
    local_now = datetime(2026, 11, day, hour, 30, tzinfo=tz)
    clock.set(local_now.astimezone(UTC))
    await chat.say(f"/timezone set zone:{zone}", as_="ana")
    coming = datetime.combine(local_now.date() + timedelta(days=1), time(0), tzinfo=tz)
    shown = f"{coming.astimezone(UTC):%Y-%m-%d %H:%M} UTC"  # cards show the community's zone

    created = await chat.say(f'/event create title:M when:"{typed}"', as_="ana")
    assert created.accent == "success", said(created)
    assert shown in said(created)
    code = event_id(created)

    far = await create(chat, '/event create title:Far when:"2026-12-20 18:00"')
    edited = await chat.say(f'/event edit id:{far} when:"{typed}"', as_="ana")
    assert edited.accent == "success" and shown in said(edited), said(edited)

    later = await create(chat, '/event create title:Later when:"2026-12-20 18:00"')
    closes = await chat.say(f'/event edit id:{later} deadline:"{typed}"', as_="ana")
    assert closes.accent == "success", said(closes)
    assert shown in said(await chat.say(f"/event show id:{later}", as_="ana"))
    assert shown in said(await chat.say(f"/event show id:{code}", as_="ana"))


async def test_today_midnight_names_no_start_of_day_already_gone(chat: Conversation) -> None:
    # Monday 12:00 UTC: the start of Monday has passed, so "Monday 12am" is not offered.
    reply = await chat.say('/event create title:Late when:"today midnight"', as_="ana")
    assert reply.accent == "success", said(reply)
    text = said(reply)
    assert "2026-11-24 00:00 UTC" in text
    assert "end of Monday 23 November" in text and "Monday 12am" not in text


async def test_midnight_notes_on_when_and_ends_are_marked_alike(chat: Conversation) -> None:
    reply = said(
        await chat.say(
            '/event create title:Late when:"friday midnight" ends:"saturday 2am"', as_="ana"
        )
    )
    assert "⚠️ Read “friday midnight” as the end of Friday" in reply, reply
