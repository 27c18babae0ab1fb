"""/privacy forget leaves what moderators decided about a person, and what their limits
count, where it was: a pause, their own limits and the invitations they sent are kept by
platform id, so forgetting is no way around a limit."""

from __future__ import annotations

import json

from bot.testing import Conversation
from tests.invitations.conftest import said, setup_event


async def forget(chat: Conversation, who: str) -> None:
    ask = await chat.say("/privacy forget", as_=who)
    assert "deleted" in said(await chat.press(ask, "Yes", as_=who))


async def test_a_pause_and_limits_outlive_the_forget_of_the_inviter(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "sam")
    await chat.say('/limits pause person:@sam for:"2 days" reason:"spam"', as_="mod")
    await chat.say("/limits set person:@sam per_inviter_hour:1", as_="mod")
    mine = json.loads((await chat.say("/privacy export", as_="sam")).files[0].content)
    assert "even after /privacy forget" in mine["invitations"]["pause_kept"], mine
    await forget(chat, "sam")
    reply = said(await chat.say(f'/invite event:{code} people:"@ann"', as_="sam"))
    assert "ann: not sent, your invitations are paused (spam)" in reply, reply
    shown = said(await chat.say("/limits show person:@sam", as_="mod"))
    assert "Paused until" in shown and "spam" in shown, shown
    assert "per_inviter_hour: 1" in shown, shown
    await chat.say("/limits resume person:@sam", as_="mod")
    sent = said(await chat.say(f'/invite event:{code} people:"@ann"', as_="sam"))
    assert "ann: queued to send" in sent and "You can invite 0 more people this hour" in sent, sent


async def test_a_forgotten_inviter_gets_no_quota_back(chat: Conversation) -> None:
    code = await setup_event(chat, "ann", "ben", "sam")
    await chat.say("/limits set per_event:2", as_="mod")
    first = said(await chat.say(f'/invite event:{code} people:"@ann"', as_="sam"))
    assert "You can invite 9 more people this hour" in first, first
    await forget(chat, "sam")
    second = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="sam"))
    assert "You can invite 8 more people this hour" in second, second
    assert "left this hour: 8" in said(await chat.say("/limits show person:@sam", as_="mod"))
    full = said(await chat.say(f'/invite event:{code} people:"@ana"', as_="ben"))
    assert "this event has had its 2 invitations (the limit)" in full, full
