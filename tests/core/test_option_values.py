"""Option values as people actually send them: empty, blank, or full of control characters.

A required option given as "" or "   " gets the same "needs `title:`" answer as one left
out, whichever front door it came through; text with NUL or other control characters is
stored without them (PostgreSQL refuses NUL in text) instead of failing with an internal error.
"""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import Potluck
from bot.core.control_chars import remove_control_characters
from bot.core.messages import plain
from bot.testing import Conversation
from tests.events.conftest import create, said

CREATE = '/event create title:"Winter party" when:"next friday 6pm"'


@pytest.mark.parametrize(
    ("line", "needs"),
    [
        ('/event create title:"" when:"tomorrow 6pm"', "/event create needs `title:`"),
        ('/event create title:"   " when:"tomorrow 6pm"', "/event create needs `title:`"),
        ('/event create title:Party when:""', "/event create needs `when:`"),
        ('/rsvp event:"" answer:yes', "/rsvp needs `event:`"),
        ('/timezone set zone:""', "/timezone set needs `zone:`"),
        ('/event show id:""', "/event show needs `id:`"),
        ('/event ics id:""', "/event ics needs `id:`"),
        ('/event cancel id:"  "', "/event cancel needs `id:`"),
        ('/event attendees id:""', "/event attendees needs `id:`"),
        ('/event create title:"\x00" when:"tomorrow 6pm"', "/event create needs `title:`"),
    ],
)
async def test_a_required_option_given_empty_is_asked_for(
    chat: Conversation, line: str, needs: str
) -> None:
    reply = await chat.say(line, as_="ana")
    assert reply.ephemeral and reply.accent == "danger", said(reply)
    assert needs in said(reply)
    assert "Usage:" in said(reply)


async def test_typed_options_left_blank_are_asked_for_too(bot: Potluck, chat: Conversation) -> None:
    """Discord and forms send typed options: a blank title is the same mistake."""
    for options in ({"title": "", "when": "tomorrow 6pm"}, {"title": " \t", "when": None}):
        reply = await bot.dispatcher.run_command(chat.actor("ana"), "event create", options)
        assert "/event create needs `" in plain(reply.text), plain(reply.text)


async def test_control_characters_never_reach_the_database(chat: Conversation) -> None:
    code = await create(
        chat,
        '/event create title:"Zine\x00 fair\x1b[2J" when:"tomorrow 6pm" '
        'where:"Room\x002" description:"Bring zines.\r\nAnd\x07 snacks."',
    )
    card = await chat.say(f"/event show id:{code}", as_="sam")
    shown = said(card)
    assert "Zine fair\n" in shown  # the escape sequence is gone whole
    assert "Room2" in shown
    assert "Bring zines.\nAnd snacks." in shown
    assert "\x00" not in shown and "\x1b" not in shown
    # The id itself can carry a NUL too: it is looked up without it.
    reply = await chat.say(f"/rsvp event:{code}\x00 answer:yes", as_="sam")
    assert "You're going to" in said(reply), said(reply)


async def test_a_button_value_with_a_nul_is_not_an_internal_error(
    bot: Potluck, chat: Conversation
) -> None:
    code = await create(chat, CREATE)
    reply = await bot.dispatcher.press(chat.actor("sam"), f"rsvp:{code}\x00:yes")
    assert "You're going to" in plain(reply.text), plain(reply.text)
    reply = await bot.dispatcher.press(chat.actor("sam"), "rsvp:\x00\ud800:yes")
    assert "something went wrong" not in plain(reply.text)


async def test_an_option_without_a_limit_still_has_one(chat: Conversation) -> None:
    reply = await chat.say("/event show id:" + "k" * 6001, as_="sam")
    assert "the limit is 6000" in said(reply)


@pytest.mark.parametrize(
    ("typed", "single_line", "multi_line"),
    [
        ("Winter party", "Winter party", "Winter party"),
        ("a\x00b", "ab", "ab"),
        ("tab\there", "tab here", "tab\there"),
        ("two\r\nlines\rhere", "two  lines here", "two\nlines\nhere"),
        ("\x1b[31mred\x1b[0m", "red", "red"),
        ("\x1b]0;owned\x07title", "title", "title"),
        ("del\x7f c1\x9b", "del c1", "del c1"),
        ("next\x85line\u2028sep", "next line sep", "next\nline\nsep"),
        ("lone \ud800 surrogate", "lone  surrogate", "lone  surrogate"),
        ("emoji 👩\u200d💻 and bidi \u202e", "emoji 👩\u200d💻 and bidi ", None),
        ("Mine\u202e)X(\u202c", "Mine)X(", "Mine)X("),
        ("a\u2066b\u2067c\u2068d\u2069e\u202af\u202bg\u202dh", "abcdefgh", None),
        ("zero\u200bwidth\ufeff\u2060\u200e\u200f\u00ad", "zerowidth", None),
        ("\U000e0041\U000e0042tags", "tags", None),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", None, None),
    ],
)
def test_control_characters_are_removed(
    typed: str, single_line: str | None, multi_line: str | None
) -> None:
    assert remove_control_characters(typed) == (typed if single_line is None else single_line)
    if multi_line is not None:
        assert remove_control_characters(typed, keep_newlines=True) == multi_line


@given(st.text(st.characters(codec=None, exclude_categories=())), st.booleans())
def test_no_control_character_survives(text: str, keep_newlines: bool) -> None:
    cleaned = remove_control_characters(text, keep_newlines=keep_newlines)
    allowed = {"\n", "\t"} if keep_newlines else set()
    allowed |= {"\u200c", "\u200d"}  # the joiners emoji and several scripts need
    assert all(
        unicodedata.category(ch) not in ("Cc", "Cs", "Cf") or ch in allowed for ch in cleaned
    ), repr(cleaned)
    cleaned.encode("utf-8")  # storable as UTF-8 (no lone surrogates)
    assert "\x00" not in cleaned
    assert remove_control_characters(cleaned, keep_newlines=keep_newlines) == cleaned


@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf"))))
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert remove_control_characters(text.replace("\u2028", "").replace("\u2029", "")) == (
        text.replace("\u2028", "").replace("\u2029", "")
    )


async def test_what_a_platform_says_about_a_person_is_made_safe(
    bot: Potluck, chat: Conversation
) -> None:
    """A zone our tz database does not know (a platform's can be newer) is ignored, and a
    name with a NUL is stored without it."""
    actor = dataclasses.replace(
        chat.actor("ana"), timezone_hint="America/Not_Yet", display_name="Ana\x00 Reyes"
    )
    reply = await bot.dispatcher.run_line(actor, "/timezone show")
    assert "not set (using UTC)" in plain(reply.text), plain(reply.text)
    reply = await bot.dispatcher.run_line(
        actor, '/event create title:"Book swap" when:"tomorrow 6pm"'
    )
    assert "organized by Ana Reyes" in plain(reply.footer), plain(reply.text)


async def test_a_right_to_left_override_cannot_flip_the_event_list(
    bot: Potluck, chat: Conversation
) -> None:
    """A title ending in U+202E would print the "(id)" after it backwards; the override is
    removed, and so are bidi characters in a name a platform supplies."""
    code = await create(chat, '/event create title:"Mine\u202e" when:"tomorrow 6pm"')
    listed = said(await chat.say("/event list", as_="sam"))
    assert f"Mine ({code})" in listed, repr(listed)
    assert "\u202e" not in listed and "\u2066" not in listed, repr(listed)
    actor = dataclasses.replace(chat.actor("ana"), display_name="\u2067Ana\u2069\u200b")
    reply = await bot.dispatcher.run_line(actor, '/event create title:"Swap" when:"tomorrow 6pm"')
    assert "organized by Ana" in plain(reply.footer), repr(plain(reply.footer))


async def test_a_name_that_is_only_control_characters_becomes_the_user_id(
    bot: Potluck, chat: Conversation
) -> None:
    actor = dataclasses.replace(chat.actor("kim"), display_name="\x00\t ")
    reply = await bot.dispatcher.run_line(actor, '/event create title:"Swap" when:"tomorrow 6pm"')
    assert "organized by kim" in plain(reply.footer), plain(reply.footer)
