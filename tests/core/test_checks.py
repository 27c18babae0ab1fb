"""The dispatcher's declarative checks as people meet them: a moderator-only button refuses
members, and a rate limit's "try again in N seconds" is exact: after N seconds it works."""

from __future__ import annotations

import pytest

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.commands import Cog, action, command
from bot.core.messages import Button, Message, plain
from bot.core.types import Invocation, Level
from bot.testing import Conversation


class NoticeboardCog(Cog):
    """A pinned notice anyone can see; only moderators may take it down with its button."""

    name = "noticeboard"
    description = "Pinned notices."

    @command("notice", "Show the pinned notice.")
    async def notice(self, inv: Invocation) -> Message:
        return Message(
            text=["Book sale on Saturday."],
            buttons=[Button(label="Take down", action="notice-take-down", value="1")],
        )

    @action("notice-take-down", level=Level.MODERATOR)
    async def take_down(self, inv: Invocation, value: str) -> Message:
        return Message(text=[f"Notice {value} taken down."])


@pytest.fixture
async def sample(bot: Potluck) -> Potluck:
    await bot.registry.load("tests.core.cogs.sample", bot)
    bot.add_cog(NoticeboardCog())
    return bot


async def test_a_moderator_only_button_refuses_members(sample: Potluck, chat: Conversation) -> None:
    notice = await chat.say("/notice", as_="sam")
    refused = await chat.press(notice, "Take down", as_="sam")
    assert refused.ephemeral and refused.accent == "danger"
    assert "Only moderators can use this button." in plain(refused.text)
    done = await chat.press(notice, "Take down", as_="mia", level=Level.MODERATOR)
    assert plain(done.text) == "Notice 1 taken down."


async def test_a_rate_limit_lifts_exactly_when_it_says(
    sample: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    for _ in range(2):  # "sample limited" allows two uses a minute
        assert plain((await chat.say("/sample limited", as_="sam")).text) == "ok"
    refused = await chat.say("/sample limited", as_="sam")
    assert "Try again in 61 seconds." in plain(refused.text)
    clock.advance(seconds=60)
    last = plain((await chat.say("/sample limited", as_="sam")).text)
    assert "too quickly" in last and "Try again in 1 second." in last
    clock.advance(seconds=1)
    assert plain((await chat.say("/sample limited", as_="sam")).text) == "ok"
