"""Errors repeat what was typed so the person recognises it, but never a pasted page: every
echo of their text is cut to ECHO_MAX characters, whichever command and option it came
through (quoted or not, with spaces or without)."""

from __future__ import annotations

import pytest

from bot.core.dispatcher import error_reply
from bot.core.errors import ECHO_MAX, UserError
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import said

LONG = "Q" * 5000
WORDS = " ".join(["Berlin"] * 800)
CREATE = '/event create title:"Party" when:"next friday 6pm"'


@pytest.mark.parametrize(
    "line",
    [
        f"/timezone set zone:{LONG}",
        f'/timezone set zone:"{WORDS}"',
        f"{CREATE} zone:{LONG}",
        f"{CREATE} kind:{LONG}",
        f"{CREATE} capacity:{'9' * 5000}",
        f"{CREATE} duration:{LONG}",
        f"{CREATE} reminders:{LONG}",
        f'/event create title:"Party" when:"{"1" * 150} 6pm"',
        f"/event show id:{LONG}",
        f"/event reminders {LONG}",
        f"/rsvp event:abcd answer:{LONG}",
        f"/help topic:{LONG}",
        f"/event cancel id:{LONG}",
    ],
)
async def test_an_error_repeats_at_most_a_clip_of_what_was_typed(
    chat: Conversation, line: str
) -> None:
    reply = await chat.say(line, as_="ana")
    text = said(reply)
    assert reply.accent == "danger", text[:300]
    assert "Q" * (ECHO_MAX + 1) not in text and "9" * (ECHO_MAX + 1) not in text
    assert "1" * (ECHO_MAX + 1) not in text and WORDS[: ECHO_MAX + 1] not in text
    assert len(text) < 600, text[:300]
    assert "…" in text, text


async def test_a_short_value_is_repeated_whole(chat: Conversation) -> None:
    reply = await chat.say("/timezone set zone:Mars/Olympus_Mons", as_="ana")
    assert "`Mars/Olympus_Mons` is not a time zone" in said(reply)
    assert "…" not in said(reply)


async def test_a_suggested_command_stays_whole_and_only_a_long_value_in_it_is_cut(
    chat: Conversation,
) -> None:
    mod = {"as_": "mod", "level": Level.MODERATOR}
    reply = await chat.say('/mentor topics add topic:"grants" synonyms:"proposal writing"', **mod)
    hint = '/mentor topics add topic:"grant writing" synonyms:"proposal writing"'
    assert hint in said(reply), said(reply)


def test_a_long_value_inside_a_suggested_command_is_cut_and_the_command_kept() -> None:
    value = "w" * 200
    reply = error_reply(UserError("No such topic.", hint=f'Try `/mentor join topics:"{value}"`.'))
    text = said(reply)
    assert '/mentor join topics:"' + "w" * (ECHO_MAX - 1) + '…"' in text, text
    assert "w" * ECHO_MAX not in text
