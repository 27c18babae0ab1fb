"""Inviting people through the real command path: the private answer, the DM with its
buttons, each refusal with its wording."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.invitations.conftest import delivered, meet, said, setup_event


async def test_an_invitation_is_a_dm_with_the_card_and_three_more_buttons(chat: Conversation) -> None:
    code = await setup_event(chat, "ben")
    reply = await chat.say(f'/invite event:{code} people:"@ben" note:"Bring cocoa"', as_="ana")
    assert reply.ephemeral
    assert "ben: sent" in said(reply)
    (dm,) = await delivered(chat)
    assert dm.destination.kind == "person" and dm.destination.id == "ben"
    assert dm.kind == "invitation"
    text = said(dm.message)
    assert "You're invited" in text and "ana invites you" in text and "Bring cocoa" in text
    labels = [b.label for b in dm.message.buttons]
    assert labels == ["Going", "Maybe", "Can't go", "Not interested", "No more from ana", "No invitations at all"]
    answer = await chat.press(dm.message, "Going", as_="ben")
    assert answer.accent == "success"
    sent = await chat.say(f"/invites sent event:{code}", as_="ana")
    assert "ben" in said(sent) and "answered: going" in said(sent)
