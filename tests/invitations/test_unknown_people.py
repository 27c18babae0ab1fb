"""Naming someone who has never used Potluck here: every command that takes `person:` says
so in the same one line, never advice that repeats what was typed."""

from __future__ import annotations

import pytest

from bot.testing import Conversation
from tests.invitations.conftest import meet, said


@pytest.mark.parametrize(
    ("line", "verb"),
    [
        ("/invites block person:@ben", "block"),
        ("/invites unblock person:@ben", "unblock"),
        ("/mentor avoid person:@ben", "avoid"),
        ("/mentor profile person:@ben", "show"),
        ("/limits show person:@ben", "show limits for"),
        ("/limits set person:@ben per_inviter_day:3", "set limits for"),
        ("/limits reset person:@ben", "reset limits for"),
        ("/limits pause person:@ben", "pause"),
        ("/limits resume person:@ben", "resume"),
        ("/modlog person:@ben", "look up"),
    ],
)
async def test_someone_who_never_used_potluck_is_nobody_to_act_on(
    chat: Conversation, line: str, verb: str
) -> None:
    await meet(chat, "sam")
    await chat.say("/mentor join role:mentee topics:cataloguing", as_="mod")
    reply = await chat.say(line, as_="mod")
    assert said(reply) == f"ben has not used Potluck here yet, so there is nobody to {verb}."
    assert reply.accent == "danger" and reply.ephemeral
