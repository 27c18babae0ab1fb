"""The dispatcher's paths: options, errors, permissions, rate limits and buttons."""

from __future__ import annotations

import logging

import pytest

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.commands import Cooldown
from bot.core.messages import Message, plain
from bot.core.types import Level
from bot.testing import Conversation


@pytest.fixture
async def sample(bot: Potluck) -> Potluck:
    await bot.registry.load("tests.core.cogs.sample", bot)
    return bot


def text_of(reply: Message) -> str:
    return plain(reply.text)


async def test_options_are_parsed_and_typed(sample: Potluck, chat: Conversation) -> None:
    reply = await chat.say(
        '/sample echo text:"two words" count:3 color:GREEN length:1h30m who:@sam'
    )
    assert text_of(reply) == "two wordsx3 green 90m who=sam"
    assert not reply.ephemeral


async def test_positional_words_fill_required_options(sample: Potluck, chat: Conversation) -> None:
    reply = await chat.say("/sample echo hello")
    assert text_of(reply) == "hellox1 red"


async def test_datetime_option_is_read_in_the_persons_zone(
    sample: Potluck, chat: Conversation
) -> None:
    await chat.say("/timezone set zone:America/Chicago", as_="ana")
    reply = await chat.say('/sample echo text:x at:"2026-12-04 18:00"', as_="ana")
    assert text_of(reply).endswith("at 2026-12-05T00:00:00+00:00")  # 18:00 CST is 00:00 UTC


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/sample echo", "/sample echo needs `text:`"),
        ("/sample echo text:hi count:9", "`count:` must be between 1 and 5, not 9"),
        ("/sample echo text:hi count:lots", "`count:` must be a whole number, not `lots`"),
        ("/sample echo text:hi color:blue", "`color:` must be one of red, green, not `blue`"),
        ("/sample echo text:hi length:forever", "`length:` `forever` is not a duration"),
        ("/sample echo text:hi length:forever", 'Try length:"2 days"'),
        ("/sample echo text:hi at:someday-ish", "I could not understand the date"),
        ("/sample echo text:hi nope:1", "/sample echo has no option `nope`"),
        ('/sample echo text:"unclosed', "A quote is not closed"),
        ("/sample echo text:" + "x" * 21, "is 21 characters long; the limit is 20"),
        ("/sample frob", "/sample frob is not a command"),
        ("/nothing", "/nothing is not a Potluck command"),
    ],
)
async def test_bad_input_gets_a_friendly_private_error(
    sample: Potluck, chat: Conversation, line: str, expected: str
) -> None:
    reply = await chat.say(line)
    assert reply.ephemeral
    assert reply.accent == "danger"
    assert expected in text_of(reply)


async def test_known_errors_show_their_hint(sample: Potluck, chat: Conversation) -> None:
    reply = await chat.say("/sample refuse")
    assert reply.ephemeral
    assert text_of(reply) == "I cannot do that.\nTry /sample echo text:hi instead."


async def test_a_bug_becomes_a_reference_and_the_traceback_is_logged(
    sample: Potluck, chat: Conversation, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="potluck.dispatch"):
        reply = await chat.say("/sample boom")
    shown = text_of(reply)
    assert reply.ephemeral
    assert "secret internal detail" not in shown and "Traceback" not in shown
    ref = shown.split("(ref ")[1].split(")")[0]
    assert len(ref) == 6
    record = next(r for r in caplog.records if ref in r.getMessage())
    assert record.exc_info is not None and "secret internal detail" in str(record.exc_info[1])


async def test_members_are_refused_moderator_commands(sample: Potluck, chat: Conversation) -> None:
    refused = await chat.say("/sample mod", as_="sam")
    assert refused.ephemeral
    assert "Only moderators can use /sample mod." in text_of(refused)
    allowed = await chat.say("/sample mod", as_="mia", level=Level.MODERATOR)
    assert text_of(allowed) == "moderated"


async def test_cooldowns_limit_each_person(
    sample: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    assert text_of(await chat.say("/sample limited", as_="sam")) == "ok"
    assert text_of(await chat.say("/sample limited", as_="sam")) == "ok"
    third = await chat.say("/sample limited", as_="sam")
    assert "too quickly" in text_of(third) and third.ephemeral
    assert text_of(await chat.say("/sample limited", as_="ana")) == "ok"  # per person
    clock.advance(seconds=59)
    assert "too quickly" in text_of(await chat.say("/sample limited", as_="sam"))
    clock.advance(seconds=2)
    assert text_of(await chat.say("/sample limited", as_="sam")) == "ok"


async def test_buttons_route_to_their_action(sample: Potluck, chat: Conversation) -> None:
    reply = await chat.say("/sample echo text:hi")
    pressed = await chat.press(reply, "Again", as_="ana")
    assert text_of(pressed) == "again hi by ana"


async def test_an_unknown_button_says_so(sample: Potluck, chat: Conversation) -> None:
    reply = await bot_press(sample, chat, "gone-action:1")
    assert reply.ephemeral and "no longer works" in text_of(reply)


async def bot_press(bot: Potluck, chat: Conversation, custom_id: str) -> Message:
    return await bot.dispatcher.press(chat.actor("ana"), custom_id)


async def test_button_presses_count_toward_the_flood_guard(
    sample: Potluck, chat: Conversation
) -> None:
    sample.dispatcher.limiter.flood = Cooldown(rate=3, per=60)
    reply = await chat.say("/sample echo text:hi", as_="ana")
    for _ in range(2):
        assert "again hi" in text_of(await chat.press(reply, "Again", as_="ana"))
    spam = await chat.press(reply, "Again", as_="ana")
    assert spam.ephemeral and "too quickly" in text_of(spam)
