"""Loading cogs: duplicates are refused, failures are reported by name and rolled back."""

from __future__ import annotations

import pytest

from bot.app import Potluck
from bot.core.errors import RegistryError
from bot.testing import Conversation


async def test_duplicate_command_names_are_refused(bot: Potluck) -> None:
    with pytest.raises(RegistryError, match=r"duplicate command /help: cog 'copycat'.*'help'"):
        await bot.registry.load("tests.core.cogs.duplicate", bot)
    assert "copycat" not in bot.registry.cogs
    assert bot.registry.commands[("help",)].cog is bot.registry.cogs["help"]


async def test_a_cog_that_fails_to_load_is_named_and_rolled_back(
    bot: Potluck, chat: Conversation
) -> None:
    with pytest.raises(RegistryError) as failure:
        await bot.registry.load("tests.core.cogs.broken", bot)
    assert "tests.core.cogs.broken" in str(failure.value)
    assert "the calendar service is unreachable" in str(failure.value)
    assert ("half", "open") not in bot.registry.commands
    reply = await chat.say("/half open")
    assert "/half is not a Potluck command" in reply.plain_text()


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("tests.core.cogs.nosetup", "has no `async def setup(bot)`"),
        ("tests.core.cogs.missing", "cog 'tests.core.cogs.missing' was not found"),
    ],
)
async def test_modules_that_are_not_cogs_are_refused(
    bot: Potluck, module: str, expected: str
) -> None:
    with pytest.raises(RegistryError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        await bot.registry.load(module, bot)


async def test_help_lists_only_what_the_person_may_use(chat: Conversation) -> None:
    member = (await chat.say("/help", as_="sam")).plain_text()
    assert "/timezone set" in member and "/privacy export" in member
    assert "/timezone community" not in member
    from bot.core.types import Level

    moderator = (await chat.say("/help", as_="mia", level=Level.MODERATOR)).plain_text()
    assert "/timezone community" in moderator


async def test_help_on_one_topic_shows_usage_and_examples(chat: Conversation) -> None:
    reply = (await chat.say("/help timezone")).plain_text()
    assert "usage: `/timezone set zone:…`" in reply
    assert "`/timezone set zone:America/Chicago`" in reply
    assert "/privacy" not in reply
    unknown = await chat.say("/help topic:knitting")
    assert unknown.ephemeral and "I know no command or feature called `knitting`" in (
        unknown.plain_text()
    )


async def test_help_on_one_command_shows_only_that_command(chat: Conversation) -> None:
    reply = (await chat.say('/help topic:"/timezone  set"')).plain_text()
    assert "usage: `/timezone set zone:…`" in reply
    assert "/timezone show" not in reply
    unknown = await chat.say('/help topic:"timezone knit"')
    assert "I know no command or feature called `timezone knit`" in unknown.plain_text()
