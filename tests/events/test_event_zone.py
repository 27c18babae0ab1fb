"""An event keeps its own time zone: the one named in `when:`, or the `zone:` option, else the
organizer's. Its repeat rule follows that zone's daylight saving, its card names it, and
`when:` and `ends:` are read in it on creation and on edits alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from bot.core.clock import ManualClock
from bot.core.messages import Time
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import create, said

# US clocks go forward on 14 March 2027, European ones on 28 March: in between, 2pm in New
# York is 18:00 UTC, while 20:00 in Berlin (2pm EST in winter) is 19:00 UTC.
AFTER_US_CHANGE = datetime(2027, 3, 15, 12, 0, tzinfo=UTC)
NEW_YORK_2PM = datetime(2027, 3, 16, 18, 0, tzinfo=UTC)


async def next_start(chat: Conversation, code: str) -> datetime:
    card = await chat.say(f"/event show id:{code}", as_="sam")
    times = [s.at for s in card.text if isinstance(s, Time)]
    assert times, said(card)
    return times[0]


async def length(chat: Conversation, code: str) -> timedelta:
    body = (await chat.say(f"/event ics id:{code}", as_="sam")).files[0].content
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    return event["dtend"].dt - event["dtstart"].dt  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "line",
    [
        '/event create title:"Advocacy call" when:"2027-03-02 2pm EST" repeat:weekly',
        '/event create title:"Advocacy call" when:"2027-03-02 14:00" repeat:weekly '
        "zone:America/New_York",
        '/event create title:"Advocacy call" when:"2027-03-02 14:00" repeat:weekly zone:Eastern',
    ],
)
async def test_a_series_keeps_the_zone_it_was_given_across_daylight_saving(
    chat: Conversation, clock: ManualClock, line: str
) -> None:
    chat.zones["ana"] = "Europe/Berlin"
    reply = await chat.say(line, as_="ana")
    assert reply.accent == "success", said(reply)
    assert "Time zone: America/New_York (starts 14:00 there)" in said(reply)
    code = reply.footer[1].text  # type: ignore[union-attr]
    clock.set(AFTER_US_CHANGE)
    assert await next_start(chat, code) == NEW_YORK_2PM  # not 19:00 UTC (20:00 in Berlin)


async def test_without_a_zone_the_event_happens_in_the_organizers(chat: Conversation) -> None:
    chat.zones["ana"] = "Europe/Berlin"
    reply = await chat.say('/event create title:Swap when:"2027-03-02 18:00"', as_="ana")
    assert "Time zone: Europe/Berlin (starts 18:00 there)" in said(reply)


async def test_an_unknown_zone_is_refused_with_names_to_try(chat: Conversation) -> None:
    reply = await chat.say(
        '/event create title:Swap when:"2027-03-02 18:00" zone:Mars/Olympus', as_="ana"
    )
    assert reply.accent == "danger" and "not a time zone I know" in said(reply)
    assert "zone:Europe/Berlin" in said(reply)
    assert "No upcoming events" in said(await chat.say("/event list", as_="ana"))


async def test_an_edit_reads_when_and_ends_in_the_events_zone(
    chat: Conversation, clock: ManualClock
) -> None:
    chat.zones["ana"] = "Europe/Berlin"
    chat.zones["mo"] = "America/Chicago"
    code = await create(
        chat,
        '/event create title:"Advocacy call" when:"2027-03-02 14:00" zone:America/New_York',
    )
    edited = await chat.say(
        f'/event edit id:{code} when:"2027-03-16 14:00" ends:"5pm"',
        as_="mo",
        level=Level.MODERATOR,
    )
    assert edited.accent == "success", said(edited)
    assert await next_start(chat, code) == NEW_YORK_2PM
    assert await length(chat, code) == timedelta(hours=3)
    again = await chat.say(f'/event edit id:{code} ends:"2027-03-16 4pm"', as_="ana")
    assert again.accent == "success", said(again)
    assert await length(chat, code) == timedelta(hours=2)  # 4pm in New York, not Berlin


async def test_ends_with_a_day_is_read_from_today_like_when(chat: Conversation) -> None:
    code = await create(chat, '/event create title:Swap when:"tomorrow 6pm" ends:"tomorrow 9pm"')
    assert await length(chat, code) == timedelta(hours=3)  # not 27 hours


@pytest.mark.parametrize("ends", ['"tomorrow 5pm"', '"today 9pm"'])
async def test_an_end_before_the_start_is_refused(chat: Conversation, ends: str) -> None:
    reply = await chat.say(f'/event create title:Swap when:"tomorrow 6pm" ends:{ends}', as_="ana")
    assert reply.accent == "danger" and "end is before the start" in said(reply)
    assert "No upcoming events" in said(await chat.say("/event list", as_="ana"))


async def test_the_organizer_hears_when_a_rule_skips_months_or_starts_late(
    chat: Conversation,
) -> None:
    skips = await chat.say(
        '/event create title:"Month end" when:"2027-01-31 17:00" repeat:monthly', as_="ana"
    )
    assert skips.accent == "success", said(skips)
    assert "This rule skips months that have no such date" in said(skips)
    late = await chat.say(
        '/event create title:"Fifth friday" when:"tomorrow 6pm" repeat:"monthly on the 5th friday"',
        as_="ana",
    )
    assert "The first date is Friday 29 January 2027, 66 days after" in said(late)
    plain = await chat.say(
        '/event create title:"Weekly" when:"tomorrow 6pm" repeat:weekly', as_="ana"
    )
    assert "⚠️" not in said(plain)


async def test_a_slashed_date_keeps_the_order_of_the_person_who_typed_it(
    chat: Conversation,
) -> None:
    chat.zones["ana"] = "Europe/Berlin"
    reply = await chat.say(
        '/event create title:Call when:"4/12/2027 2pm" zone:America/New_York', as_="ana"
    )
    assert "I read 4/12/2027 as 4 December 2027 (day first)" in said(reply)
    times = [s.at for s in reply.text if isinstance(s, Time)]
    assert times[0] == datetime(2027, 12, 4, 19, 0, tzinfo=UTC), said(reply)


async def test_a_relative_series_start_has_no_seconds(
    chat: Conversation, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 11, 29, 11, 29, 57, 250000, tzinfo=UTC))
    code = await create(chat, '/event create title:Drop-in when:"in 2 hours" repeat:weekly')
    body = (await chat.say(f"/event ics id:{code}", as_="sam")).files[0].content
    (event,) = Calendar.from_ical(body).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 11, 29, 13, 29, tzinfo=UTC)
    starts = [line for line in body.splitlines() if line.startswith(b"DTSTART")]
    assert starts and not any(line.endswith((b"57", b"57Z")) for line in starts), starts
