"""Words people read: counted nouns agree with their numbers everywhere, a party that does not
fit is not told the event "is full", maybes show their guests, hints suggest a date still
ahead, and the README says who hears of a cancellation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.clock import ManualClock
from bot.testing import Conversation
from cogs.events.words import count, of_capacity
from tests.events.conftest import create, said

ONE_SPOT = '/event create title:"Tea" when:"next friday 6pm" capacity:1'


async def test_one_spot_reads_the_same_on_the_card_the_list_and_the_attendees(
    chat: Conversation,
) -> None:
    code = await create(chat, ONE_SPOT)
    card = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "0 of 1 spot" in card and "0 of 1 spots" not in card
    await chat.say(f"/rsvp {code} yes", as_="sam")
    for line in (f"/event show id:{code}", "/event list", f"/event attendees id:{code}"):
        shown = said(await chat.say(line, as_="ana"))
        assert "1 of 1 spot" in shown and "1 of 1 spots" not in shown, (line, shown)


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_a_count_of_spots_agrees_with_the_capacity(taken: int, capacity: int) -> None:
    text = of_capacity(taken, capacity)
    if taken > capacity:  # over capacity (walk-ins, a lowered capacity): no "2 of 1 spot"
        assert text == f"{taken}, capacity {capacity}"
        return
    assert text.endswith(" spot" if capacity == 1 else " spots")
    assert text.startswith(f"{taken} of {capacity} ")


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [(0, "guest", "0 guests"), (1, "guest", "1 guest"), (1, "party", "1 party"),
     (2, "party", "2 parties"), (1, "person", "1 person"), (3, "person", "3 people")],
)  # fmt: skip
def test_counted_nouns(n: int, word: str, expected: str) -> None:
    assert count(n, word) == expected


async def test_a_party_that_does_not_fit_hears_how_many_spots_are_left(
    chat: Conversation,
) -> None:
    code = await create(chat, ONE_SPOT.replace("capacity:1", "capacity:3"))
    await chat.say(f"/rsvp {code} yes", as_="sam")
    big = said(await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="lee"))
    assert "is full" not in big
    assert "has 2 spots left, not enough for your party of 3" in big
    assert "waitlist at position 1" in big
    await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="kim")
    full = said(await chat.say(f"/rsvp {code} yes", as_="raj"))
    assert "is full, so you're on the waitlist at position 2" in full


async def test_guests_of_a_maybe_are_shown(chat: Conversation) -> None:
    code = await create(chat, ONE_SPOT.replace("capacity:1", "capacity:10"))
    reply = said(await chat.say(f"/rsvp event:{code} answer:maybe guests:2", as_="sam"))
    assert "maybe for Tea with 2 guests" in reply
    card = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert "Maybe: 1 (+2 guests)" in card
    attendees = said(await chat.say(f"/event attendees id:{code}", as_="ana"))
    assert "• sam +2 guests" in attendees


@pytest.mark.parametrize("today", [datetime(2026, 11, 23, 12), datetime(2031, 6, 2, 9)])
async def test_the_hints_example_date_is_still_ahead(
    chat: Conversation, clock: ManualClock, today: datetime
) -> None:
    clock.set(today.replace(tzinfo=UTC))
    reply = said(await chat.say('/event create title:Tea when:"someday soon"', as_="ana"))
    (example,) = re.findall(r'"(\d{4}-\d{2}-\d{2}) 18:00"', reply)
    ahead = datetime.fromisoformat(example).date() - today.date()
    assert timedelta(days=1) <= ahead <= timedelta(days=31), reply
    past = said(await chat.say('/event create title:Tea when:"2020-01-01 18:00"', as_="ana"))
    assert "in the past" in past and example in past


def test_the_readme_says_who_hears_of_a_cancellation() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert "everyone who answered is told" not in readme
    assert "(not those who said no)" in readme


async def test_a_cancellation_tells_yes_maybe_and_waiting_but_not_no(chat: Conversation) -> None:
    code = await create(chat, ONE_SPOT)
    for who, answer in (("sam", "yes"), ("lee", "maybe"), ("kim", "yes"), ("raj", "no")):
        await chat.say(f"/rsvp {code} {answer}", as_=who)
    await chat.deliver()
    reply = said(await chat.say(f"/event cancel id:{code}", as_="ana"))
    assert "I'm telling 3 people who said yes or maybe or are on the waitlist" in reply
    told = sorted(d.destination.id for d in await chat.deliver() if d.kind != "card-edit")
    assert told == ["kim", "lee", "sam"]


def test_the_readmes_shell_lines_run_potluck_from_the_virtualenv() -> None:
    """`make run` installs into .venv, so a bare `potluck` in a shell block is not on PATH."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    blocks = re.findall(r"```(?:sh|bash|console)\n(.*?)```", readme, flags=re.S)
    lines = [line.lstrip("$ ") for block in blocks for line in block.splitlines()]
    assert lines and not [line for line in lines if line.startswith("potluck ")]
