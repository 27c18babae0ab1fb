"""Midnight: "friday midnight" is the night from Friday to Saturday, said so on the reply,
and the hint for "24:00" suggests a way of writing midnight that is read that same way."""

from __future__ import annotations

from bot.testing import Conversation
from tests.events.conftest import create, said


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
