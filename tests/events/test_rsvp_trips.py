"""One RSVP alone: its event and its answers are read together, for the date the event was
last answered in this process (`answers.read_with_event`); an answer to another date still
counts that date's answers. On SQLite the whole RSVP is two trips to aiosqlite's thread."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import Potluck
from bot.core.messages import Time
from bot.testing import Conversation
from storage.prepared import sqlite_driver
from tests.events.conftest import create, said

WEEKLY = (
    '/event create title:"Story time" when:"2027-02-02 10:00" repeat:weekly capacity:1 '
    'reminders:"1 day"'
)


async def test_an_answer_to_another_date_than_the_last_one_counts_that_date(
    chat: Conversation,
) -> None:
    code = await create(chat, WEEKLY)
    card = await chat.say(f"/event show id:{code}", as_="ana")
    first = next(s.at for f in card.fields for s in f.value if isinstance(s, Time))
    second = first + timedelta(days=7)
    sam = await chat.say(f'/rsvp event:{code} answer:yes date:"{second:%Y-%m-%d}"', as_="sam")
    assert "You're going" in said(sam)
    # The last date answered was the second; lee answers the first, which is still free.
    lee = await chat.say(f"/rsvp event:{code} answer:yes", as_="lee")
    assert "You're going" in said(lee)
    # The last date answered was the first; kim answers the second, where sam has the seat.
    kim = await chat.say(f'/rsvp event:{code} answer:yes date:"{second:%Y-%m-%d}"', as_="kim")
    assert "on the waitlist at position 1" in said(kim)


async def test_a_lone_rsvp_is_two_trips_to_sqlite(bot: Potluck, chat: Conversation) -> None:
    if not bot.db.is_sqlite:
        pytest.skip("trips to aiosqlite's thread are SQLite's")
    code = await create(chat, WEEKLY.replace("capacity:1", "capacity:10"))
    for who in ("sam", "lee"):
        await chat.say("/timezone show", as_=who)  # known people: no identity writes
    await chat.say(f"/rsvp event:{code} answer:yes", as_="sam")  # the event answered once
    async with bot.db.transaction() as session:
        driver = await sqlite_driver(session)
    assert driver is not None
    for who, answer in (("lee", "yes"), ("sam", "no"), ("lee", "no"), ("sam", "yes")):
        trips = driver.trips
        reply = await chat.say(f"/rsvp event:{code} answer:{answer}", as_=who)
        assert reply.accent != "error", said(reply)
        # BEGIN IMMEDIATE with the event's and the answers' reads; then the answer, its
        # reminders, the card edit and the COMMIT.
        assert driver.trips - trips == 2, (who, answer)
