"""Promotion reads the waitlist a page at a time (only parties that fit the free seats, as many
as there are free seats): the outcome must be the same as serving the whole waitlist in
arrival order, a party too big for the free seats waiting while a smaller one behind it
passes, even when that smaller party is beyond the first page."""

from __future__ import annotations

from bot.testing import Conversation
from tests.events.conftest import create, said


async def test_a_small_party_beyond_the_first_page_gets_the_last_seat(chat: Conversation) -> None:
    code = await create(chat, '/event create title:"Salon" when:"next friday 6pm" capacity:4')
    await chat.say(f"/rsvp event:{code} answer:yes guests:3", as_="host")  # all 4 seats
    for name in ("ana", "bo", "cy"):  # parties of 2, waiting in this order
        reply = await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_=name)
        assert "waitlist" in said(reply)
    await chat.say(f"/rsvp {code} yes", as_="dee")  # a party of 1, fourth in line
    # 3 seats free up: the first page holds ana, bo and cy (3 parties for 3 seats); ana is
    # seated (1 seat left), bo and cy do not fit, and dee (on the next page) takes the last.
    freed = await chat.say(f"/rsvp event:{code} answer:yes guests:0", as_="host")
    assert "You're going" in said(freed)
    card = said(await chat.say(f"/event show id:{code}", as_="host"))
    assert "4 of 4 spots" in card
    for name, expected in (
        ("ana", "going"),
        ("dee", "going"),
        ("bo", "waitlist"),
        ("cy", "waitlist"),
    ):
        mine = said(await chat.say(f"/rsvp event:{code} answer:yes", as_=name))
        assert ("already going" in mine) == (expected == "going"), (name, mine)
    bo = said(await chat.say(f"/rsvp event:{code} answer:yes", as_="bo"))
    cy = said(await chat.say(f"/rsvp event:{code} answer:yes", as_="cy"))
    assert "position 1" in bo and "position 2" in cy
