"""The channel card counts a date exactly as `/event show` does, whatever answers came before
and however they arrived (one at a time, or together in one transaction)."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.core.messages import Message, plain
from bot.testing import Conversation
from tests.events.conftest import create

PEOPLE = ("ann", "ben", "cat", "dan", "eve")
ANSWERS = ("yes", "yes guests:1", "maybe", "maybe guests:1", "maybe guests:2", "no")


def counts(message: Message) -> list[tuple[str, str]]:
    """The Going, Maybe and Waitlist fields of a card, as read."""
    return [
        (f.name, plain(f.value)) for f in message.fields if f.name in ("Going", "Maybe", "Waitlist")
    ]


@pytest.mark.parametrize("seed", range(4))
async def test_the_card_counts_as_event_show_after_any_answers(
    chat: Conversation, seed: int
) -> None:
    draw = random.Random(seed)
    code = await create(chat, '/event create title:MG when:"next friday 6pm" capacity:4')
    for _ in range(8):
        lines = [
            (who, f"/rsvp {code} {draw.choice(ANSWERS)}")
            for who in draw.sample(PEOPLE, draw.randint(1, 3))
        ]
        if draw.random() < 0.3:  # the organizer sets or clears someone's answer
            answer = draw.choice([*ANSWERS, "clear"])
            lines.append(("ana", f"/rsvp {code} {answer} person:@{draw.choice(PEOPLE)}"))
        if draw.random() < 0.5:
            await asyncio.gather(*(chat.say(line, as_=who) for who, line in lines))
        else:
            for who, line in lines:
                await chat.say(line, as_=who)
        await chat.deliver()
        card = [d for d in chat.sent if d.kind == "card-edit"][-1].message
        shown = await chat.say(f"/event show id:{code}", as_="ann")
        assert counts(card) == counts(shown), lines


async def test_a_maybe_guest_stays_on_the_card_after_someone_else_answers(
    chat: Conversation,
) -> None:
    code = await create(chat, '/event create title:MG when:"next friday 6pm"')
    await chat.say(f"/rsvp {code} maybe guests:1", as_="ann")
    await chat.say(f"/rsvp {code} no", as_="cat")
    await chat.deliver()
    card = [d for d in chat.sent if d.kind == "card-edit"][-1].message
    assert ("Maybe", "1 (+1 guest)") in counts(card)
