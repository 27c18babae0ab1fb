"""Clock times a zone repeats or skips at a daylight-saving change: the organizer is told
which reading was taken (the first of a repeated hour) and which dates of a repeat rule move
(2:30 on the night clocks jump from 2:00 to 3:00 happens at 3:30), in the event's own zone."""

from __future__ import annotations

from bot.testing import Conversation
from tests.events.conftest import create, event_id, said

NEW_YORK = "zone:America/New_York"
TWICE = "1:30 happens twice on 7 November 2027 in America/New_York (clocks go back)"


async def test_a_repeated_hour_in_the_events_own_zone_is_noted(chat: Conversation) -> None:
    reply = await chat.say(
        f'/event create title:"Night owls" when:"2027-11-07 1:30am" {NEW_YORK}', as_="ana"
    )
    assert reply.accent == "success", said(reply)
    assert f"{TWICE}; I took the first, EDT." in said(reply)


async def test_the_note_follows_the_events_zone_not_the_organizers(chat: Conversation) -> None:
    await chat.say("/timezone set zone:America/New_York", as_="ana")
    reply = await chat.say(
        '/event create title:"Night owls" when:"2027-11-07 1:30am" zone:Europe/Berlin', as_="ana"
    )
    assert reply.accent == "success", said(reply)
    assert "happens twice" not in said(reply)  # 1:30 happens once in Berlin that night


async def test_an_end_in_a_repeated_hour_is_noted(chat: Conversation) -> None:
    reply = await chat.say(
        f'/event create title:"Lock-in" when:"2027-11-06 8pm" ends:"2027-11-07 1:30am" {NEW_YORK}',
        as_="ana",
    )
    assert reply.accent == "success", said(reply)
    assert TWICE in said(reply)


async def test_repeat_dates_on_clock_change_nights_are_named(chat: Conversation) -> None:
    spring = await chat.say(
        f'/event create title:"Early shift" when:"2027-03-07 2:30am" {NEW_YORK} repeat:weekly',
        as_="ana",
    )
    assert spring.accent == "success", said(spring)
    assert (
        "On Sunday 14 March 2027, 2:30 does not exist in America/New_York (clocks jump "
        "forward); that date moves to 3:30." in said(spring)
    )
    autumn = await chat.say(
        f'/event create title:"Night owls" when:"2027-10-31 1:30am" {NEW_YORK} repeat:weekly',
        as_="ana",
    )
    assert (
        "On Sunday 7 November 2027, 1:30 happens twice in America/New_York (clocks go back); "
        "that date is the first, at 1:30 EDT." in said(autumn)
    )
    plain = await chat.say(
        f'/event create title:"Book club" when:"2027-03-07 7pm" {NEW_YORK} repeat:weekly',
        as_="ana",
    )
    assert "clocks" not in said(plain)  # 7pm exists every night


async def test_an_edit_that_makes_a_repeat_rule_names_the_moved_date(chat: Conversation) -> None:
    code = await create(
        chat, f'/event create title:"Early shift" when:"2027-03-07 2:30am" {NEW_YORK}'
    )
    edited = await chat.say(f"/event edit id:{code} repeat:weekly", as_="ana")
    assert edited.accent == "success", said(edited)
    assert "On Sunday 14 March 2027, 2:30 does not exist" in said(edited)


async def test_a_series_cannot_start_in_a_skipped_hour(chat: Conversation) -> None:
    refused = await chat.say(
        f'/event create title:"Early shift" when:"2027-03-10 2:30am" {NEW_YORK} '
        'repeat:"FREQ=WEEKLY;BYDAY=SU"',
        as_="ana",
    )
    assert refused.accent == "danger"
    assert "Sunday 14 March 2027, is at 2:30, which does not exist" in said(refused)
    assert "like 3:30" in said(refused)
    later = await chat.say(
        f'/event create title:"Early shift" when:"2027-03-15 2:30am" {NEW_YORK} '
        'repeat:"FREQ=WEEKLY;BYDAY=SU"',
        as_="ana",
    )
    assert "starts 02:30 there" in said(later) and event_id(later)
