"""Asking again for what is already so says "already", by command or by an invitation's
button: blocking someone twice, turning invitations off twice."""

from __future__ import annotations

from bot.testing import Conversation
from tests.invitations.conftest import delivered, said, setup_event


async def test_blocking_twice_by_command_says_already(chat: Conversation) -> None:
    await setup_event(chat, "ben", "cat")
    first = said(await chat.say("/invites block person:@cat", as_="ben"))
    assert "You won't get invitations from cat" in first and "already" not in first
    again = await chat.say("/invites block person:@cat", as_="ben")
    assert "You had already blocked cat" in said(again) and "/invites unblock" in said(again)
    assert "Blocked: cat." in said(await chat.say("/invites show", as_="ben"))


async def test_no_more_from_after_a_block_says_already(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    first = said(await chat.press(dm.message, "No more from", as_="ben"))
    assert "Done: no more invitations from ana" in first
    again = said(await chat.press(dm.message, "No more from", as_="ben"))
    assert "You had already blocked ana" in again and "Done" not in again
    by_command = said(await chat.say("/invites block person:@ana", as_="ben"))
    assert "You had already blocked ana" in by_command


async def test_turning_invitations_off_twice_says_already(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    await chat.say("/invites off", as_="ben")
    assert "Invitations were already off" in said(await chat.say("/invites off", as_="ben"))
    pressed = said(await chat.press(dm.message, "No invitations at all", as_="ben"))
    assert "Invitations were already off" in pressed
    await chat.say("/invites on", as_="ben")
    assert "Invitations are off" in said(await chat.say("/invites off", as_="ben"))
