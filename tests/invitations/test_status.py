"""Where an invitation stands and why a direct message failed, as the inviter reads it in
/invites sent."""

from __future__ import annotations

import pytest

from bot.testing import Conversation
from cogs.invitations.status import failure_words
from tests.invitations.conftest import delivered, said, setup_event


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("cannot message 600000000000000005 (DMs closed, code 50007)", "their DMs are closed"),
        ("conversations.open: cannot_dm_bot", "their DMs are closed"),
        (None, "their DMs are closed"),
        ("chat.postMessage: user_disabled", "their account is gone"),
        ("person 123 is gone (code 10013)", "their account is gone"),
        ("chat.postMessage: restricted_action", "the platform refused the message"),
    ],
)
def test_failure_words(error: str | None, words: str) -> None:
    assert failure_words(error) == words


async def test_an_answer_after_no_invitations_at_all_is_what_the_inviter_reads(
    chat: Conversation,
) -> None:
    code = await setup_event(chat, "ben")
    await chat.say(f'/invite event:{code} people:"@ben"', as_="ana")
    (dm,) = await delivered(chat)
    await chat.press(dm.message, "No invitations at all", as_="ben")
    assert "declined (asked not to be invited)" in said(await chat.say("/invites sent", as_="ana"))
    await chat.press(dm.message, "Going", as_="ben")  # the event still interests them
    sent = said(await chat.say("/invites sent", as_="ana"))
    assert "answered: going (and asked not to be invited again)" in sent, sent
