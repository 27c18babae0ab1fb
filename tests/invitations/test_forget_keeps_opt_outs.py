"""/privacy forget keeps what protects others: a "No more from" block outlives the forget
of either person, and a forgotten recipient gives the inviter no quota back."""

from __future__ import annotations

import json

from bot.testing import Conversation
from tests.invitations.conftest import create, delivered, said, setup_event


async def forget(chat: Conversation, who: str) -> None:
    ask = await chat.say("/privacy forget", as_=who)
    assert "deleted" in said(await chat.press(ask, "Yes", as_=who))


async def test_a_block_outlives_the_forget_of_the_blocker(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "sam")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="sam")
    (dm,) = await delivered(chat)
    await chat.press(dm.message, "No more from", as_="ben")
    mine = json.loads((await chat.say("/privacy export", as_="ben")).files[0].content)
    assert mine["invitations"]["blocked"] == ["sam"]
    assert "even after /privacy forget" in mine["invitations"]["blocks_kept"]
    await forget(chat, "ben")
    await chat.say("/invites show", as_="ben")  # back in the community, a new record
    other = await create(chat, '/event create title:E3 when:"next friday 6pm"', as_="sam")
    reply = said(await chat.say(f'/invite event:{other} people:"@ben"', as_="sam"))
    assert "ben: not sent, doesn't take invitations from you" in reply, reply
    assert "Blocked: sam" in said(await chat.say("/invites show", as_="ben"))
    # Their own choice still undoes it.
    await chat.say("/invites unblock person:@sam", as_="ben")
    again = said(await chat.say(f'/invite event:{other} people:"@ben"', as_="sam"))
    assert "ben: queued to send" in again, again


async def test_a_block_outlives_the_forget_of_the_blocked_inviter(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "sam")
    await chat.say("/invites block person:@sam", as_="ben")
    await forget(chat, "sam")
    await chat.say("/invites show", as_="sam")
    reply = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="sam"))
    assert "ben: not sent, doesn't take invitations from you" in reply, reply


async def test_a_forgotten_recipient_gives_the_inviter_no_quota_back(chat: Conversation) -> None:
    code = await setup_event(chat, "ben", "cat", "sam")
    first = said(await chat.say(f'/invite event:{code} people:"@ben"', as_="sam"))
    assert "You can invite 9 more people this hour" in first, first
    await forget(chat, "ben")
    second = said(await chat.say(f'/invite event:{code} people:"@cat"', as_="sam"))
    assert "You can invite 8 more people this hour" in second, second
    limits = said(await chat.say("/limits show person:@sam", as_="mod"))
    assert "left this hour: 8" in limits, limits
    shown = said(await chat.say("/invites sent", as_="sam"))
    assert "cat" in shown and "ben" not in shown, shown


async def test_a_forgotten_inviter_stays_listed_and_can_be_unblocked(chat: Conversation) -> None:
    await setup_event(chat, "ben", "sam")
    await chat.say("/invites block person:@sam", as_="ben")
    await forget(chat, "sam")
    assert "Blocked: sam" in said(await chat.say("/invites show", as_="ben"))
    done = said(await chat.say("/invites unblock person:@sam", as_="ben"))
    assert "sam can invite you again" in done, done
    assert "Blocked: nobody" in said(await chat.say("/invites show", as_="ben"))
    unknown = said(await chat.say("/invites unblock person:@zed", as_="ben"))
    assert "zed has not used Potluck here yet, so there is nobody to unblock." in unknown, unknown
