"""The last seats of an event: a party that exactly fills the room is seated, whether it is
new or someone already going brings more guests; one more person waits."""

from __future__ import annotations

from bot.testing import Conversation
from tests.events.conftest import create, said

PARTY = '/event create title:"Winter party" when:"next friday 6pm" capacity:3'


async def test_someone_going_may_bring_guests_up_to_the_last_seat(chat: Conversation) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} yes", as_="lee")
    filled = await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="sam")
    assert "You're going" in said(filled) and "with 1 guest" in said(filled)
    too_many = await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="sam")
    assert too_many.accent == "danger" and "at most 1 guest" in said(too_many)
    card = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "3 of 3 spots" in card


async def test_a_new_party_that_exactly_fits_is_seated(chat: Conversation) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    fits = await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="lee")
    assert "You're going" in said(fits)
    waits = await chat.say(f"/rsvp {code} yes", as_="kim")
    assert "waitlist at position 1" in said(waits)


def moved_up(chat: Conversation, who: str) -> int:
    return sum("moved up from the waitlist" in said(d.message) for d in chat.to(who))


async def test_only_people_who_leave_the_waitlist_are_told_they_moved_up(
    chat: Conversation,
) -> None:
    code = await create(chat, '/event create title:Party when:"next friday 6pm" capacity:4')
    await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="a")
    await chat.say(f"/rsvp {code} yes", as_="b")
    await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="c")
    await chat.say(f"/rsvp {code} yes", as_="d")
    await chat.say(f"/rsvp {code} yes", as_="e")
    await chat.say(f"/rsvp {code} no", as_="b")  # d's party of one fits; c's of three does not
    await chat.deliver()
    assert moved_up(chat, "d") == 1
    # Two seats: a's party of three and d go back; d fits again, and so does e.
    await chat.say(f"/event edit id:{code} capacity:2", as_="ana")
    await chat.deliver()
    assert moved_up(chat, "d") == 1  # d was going before and after: nothing moved for d
    assert moved_up(chat, "e") == 1  # e really left the waitlist
    assert not [d for d in chat.to("d") if "back on the waitlist" in said(d.message).lower()]
    card = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert "2 of 2 spots" in card
