"""Times the calendar does not have: a day a month lacks ("2027-02-29"), and a wall-clock time
that a daylight-saving change skips (2:30 on 14 March 2027 in Chicago). Each is refused by
name in every time option; a time that happens twice is read as the first, and said so."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create, said


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2027-02-29 18:00", "`2027-02-29` is not a date (February 2027 has 28 days)"),
        ("29 Feb 2027 6pm", "`29 Feb 2027` is not a date (February 2027 has 28 days)"),
        ("February 30, 2027 6pm", "is not a date (February 2027 has 28 days)"),
        ("31.04.2027 18:00", "`31.04.2027` is not a date (April 2027 has 30 days)"),
        ("31st of April 6pm", "is not a date (April has at most 30 days)"),
    ],
)
async def test_a_day_the_month_lacks_is_named(chat: Conversation, when: str, expected: str) -> None:
    reply = await chat.say(f'/event create title:Swap when:"{when}"', as_="ana")
    assert reply.accent == "danger" and expected in said(reply), said(reply)


GAP = "2:30 does not exist on 14 March 2027 in America/Chicago: clocks jump from 2:00 to 3:00"


@pytest.mark.parametrize(
    "line",
    [
        '/event create title:Night when:"2027-03-14 2:30am"',
        '/event create title:Night when:"2027-03-14 2:30am CST"',
        '/event create title:Night when:"2027-03-13 11pm" ends:"2027-03-14 2:30am"',
        '/event create title:Night when:"2027-03-12 11pm" deadline:"2027-03-14 2:30am"',
    ],
)
async def test_a_skipped_wall_clock_time_is_refused_by_name(chat: Conversation, line: str) -> None:
    chat.zones["ana"] = "America/Chicago"
    reply = await chat.say(line, as_="ana")
    assert reply.accent == "danger", said(reply)
    assert GAP in said(reply) and "try 3:00 or 3:30" in said(reply)


async def test_a_repeated_wall_clock_time_takes_the_first_and_says_so(
    chat: Conversation,
) -> None:
    chat.zones["ana"] = "America/Chicago"
    reply = await chat.say('/event create title:Night when:"2027-11-07 1:30am"', as_="ana")
    assert reply.accent == "success", said(reply)
    assert "1:30 happens twice on 7 November 2027" in said(reply), said(reply)
    assert "I took the first, CDT" in said(reply)
    await create(chat, '/event create title:Day when:"2027-03-14 3:30am"')


async def test_a_relative_time_across_the_jump_is_counted_on_the_real_clock(
    chat: Conversation, clock: ManualClock
) -> None:
    chat.zones["ana"] = "America/Chicago"
    clock.set(datetime(2027, 3, 14, 7, 30, tzinfo=UTC))  # 1:30 CST, half an hour before
    reply = await chat.say('/event create title:Night when:"in 1 hour"', as_="ana")
    assert reply.accent == "success", said(reply)
    assert "starts 03:30 there" in said(reply), said(reply)
