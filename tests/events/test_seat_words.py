"""How seats and guests are worded: no "at most 0 guests", counts that agree with their
number, and a card over its capacity that still reads naturally."""

from __future__ import annotations

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create, said


async def test_no_guests_when_the_only_spot_is_yours(chat: Conversation) -> None:
    code = await create(chat, '/event create title:Soon when:"next friday 6pm" capacity:1')
    new = said(await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="ann"))
    assert "0 guests" not in new and "the one spot is for you" in new and "guests:0" in new
    await chat.say(f"/rsvp {code} yes", as_="ann")
    going = said(await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="ann"))
    assert "0 guests" not in going and "full, so there is no room for guests" in going
    assert "You keep your spot." in going


async def test_attendees_count_people_and_an_over_full_card_reads_naturally(
    chat: Conversation, clock: ManualClock
) -> None:
    open_ = await create(chat, '/event create title:Open when:"next friday 6pm"')
    await chat.say(f"/rsvp {open_} yes", as_="ann")
    listing = said(await chat.say(f"/event attendees id:{open_}", as_="ana"))
    assert "Going (1 person)" in listing and "spot" not in listing

    code = await create(chat, '/event create title:Small when:"next friday 6pm" capacity:1')
    await chat.say(f"/rsvp {code} yes", as_="ann")
    await chat.say(f"/rsvp {code} no", as_="bob")
    clock.set(clock.now().replace(day=27, hour=17, minute=30))
    await chat.say(f"/event checkin id:{code} person:bob", as_="ana")  # a walk-in
    card = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert "Going: 2, capacity 1" in card and "of 1 spot" not in card and "full" not in card


async def test_a_zero_duration_is_refused_mid_sentence_without_a_capital(
    chat: Conversation,
) -> None:
    reply = said(
        await chat.say('/event create title:Zero when:"next friday 6pm" duration:0m', as_="ana")
    )
    assert "`duration:` a duration must be longer than zero" in reply
