"""An event that has started and not ended is "happening now": on its card, in `/event list`
and in `/event list when:past`, until its end; only then is it over."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create, said

# The clock starts Monday 2026-11-23 12:00 UTC; "next friday 6pm" is 2026-11-27 18:00 UTC.
PARTY = '/event create title:"Winter party" when:"next friday 6pm" duration:3h capacity:10'
DURING = datetime(2026, 11, 27, 19, 30, tzinfo=UTC)
AFTER = datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


async def test_a_one_off_event_is_happening_now_until_it_ends(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    clock.set(DURING)
    card = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "Happening now" in card and "over" not in card
    assert "1 of 10 spots" in card
    for listing in ("/event list", "/event list when:past", "/event list when:all"):
        shown = said(await chat.say(listing, as_="sam"))
        assert "Winter party" in shown and "Happening now" in shown, (listing, shown)
    clock.set(AFTER)
    card = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "This event is over" in card and "Happening now" not in card
    assert "No upcoming events" in said(await chat.say("/event list", as_="sam"))
    past = said(await chat.say("/event list when:past", as_="sam"))
    assert "Held" in past and "Happening now" not in past


async def test_a_series_shows_the_date_under_way_and_the_next_one(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY + " repeat:weekly")
    clock.set(DURING)
    card = said(await chat.say(f"/event show id:{code}", as_="sam"))
    assert "Happening now" in card and "Next: " in card
    assert "Happening now" in said(await chat.say("/event list", as_="sam"))
