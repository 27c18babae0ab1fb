"""A zone word counts wherever it stands in `when:` ("2pm ET tomorrow", not only
"tomorrow 2pm ET") and becomes the event's zone; `when:` naming one zone and `zone:` another
is refused, naming both."""

from __future__ import annotations

import pytest

from bot.testing import Conversation
from tests.events.conftest import said


@pytest.mark.parametrize(
    "when",
    ["2pm ET tomorrow", "tomorrow 2pm ET", "2pm in New York tomorrow", "ET 2pm tomorrow"],
)
async def test_a_zone_word_anywhere_in_when_is_the_events_zone(
    chat: Conversation, when: str
) -> None:
    chat.zones["ana"] = "America/Chicago"
    reply = await chat.say(f'/event create title:Call when:"{when}"', as_="ana")
    assert reply.accent == "success", said(reply)
    assert "Time zone: America/New_York (starts 14:00 there)" in said(reply), said(reply)


async def test_two_different_zones_are_refused_naming_both(chat: Conversation) -> None:
    reply = await chat.say(
        '/event create title:Call when:"tomorrow 6pm EST" zone:Europe/Berlin', as_="ana"
    )
    assert reply.accent == "danger", said(reply)
    assert "America/New_York" in said(reply) and "Europe/Berlin" in said(reply)
    assert "zone:America/New_York" in said(reply)
    assert "No upcoming events" in said(await chat.say("/event list", as_="ana"))


async def test_the_same_zone_twice_is_fine(chat: Conversation) -> None:
    reply = await chat.say(
        '/event create title:Call when:"tomorrow 6pm EST" zone:America/New_York', as_="ana"
    )
    assert reply.accent == "success", said(reply)
