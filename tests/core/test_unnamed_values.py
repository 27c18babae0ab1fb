"""Errors name what the person typed: a value typed without its option's name
(`/event reminders maybe`) is named by the value, never by an option they did not write;
one typed with its name (`setting:maybe`) names the option. Values that were read but are
out of range say the accepted range instead of "could not read"."""

from __future__ import annotations

import pytest

from bot.testing import Conversation
from tests.events.conftest import create, said


@pytest.mark.parametrize(
    ("line", "says", "never"),
    [
        ("/event reminders maybe", "`maybe` is not one of on, off.", "setting:"),
        ("/event reminders setting:maybe", "`setting:` must be one of on, off", None),
        ("/event list soon", "`soon` is not one of upcoming, past, all.", "when:"),
        ("/rsvp {code} perhaps", "`perhaps` is not one of yes, maybe, no, clear.", "`answer:`"),
        ("/rsvp {code} yes lots", "`lots` is not a whole number.", "`guests:`"),
        ("/rsvp {code} yes 500", "500 is out of range: the accepted values are 0 to", "`guests:`"),
        ("/rsvp {code} answer:yes guests:500", "`guests:` must be between 0 and", None),
    ],
)
async def test_an_error_names_what_was_typed(
    chat: Conversation, line: str, says: str, never: str | None
) -> None:
    code = await create(chat, '/event create title:"Winter party" when:"next friday 6pm"')
    reply = await chat.say(line.format(code=code), as_="sam")
    text = said(reply)
    assert reply.accent == "danger", text
    assert says in text, text
    if never is not None:
        assert never not in text.splitlines()[0], text


async def test_a_lone_value_gets_an_example_of_the_same_form(chat: Conversation) -> None:
    reply = await chat.say("/event reminders maybe", as_="sam")
    assert "For example /event reminders on" in said(reply)


@pytest.mark.parametrize("offset", ["400d", "20 years", "0m"])
async def test_a_reminder_offset_out_of_range_says_the_range(
    chat: Conversation, offset: str
) -> None:
    reply = await chat.say(
        f'/event create title:"Winter party" when:"next friday 6pm" reminders:"{offset}"',
        as_="ana",
    )
    text = said(reply)
    assert f"`{offset}` is out of range: reminders can be from 1 minute to 30 days" in text
    assert "could not read" not in text
