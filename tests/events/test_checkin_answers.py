"""Checking in someone who answered no, maybe or waits on the waitlist: they are here, so
they count as going, and the reply says whose answer changed and when that passes the
capacity (organizers see the room as it is)."""

from __future__ import annotations

import pytest

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create, said


async def test_checking_in_a_no_says_the_answer_changed_and_the_capacity_passed(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:"Workshop" when:"next friday 6pm" capacity:2')
    for who, answer in (("sam", "yes"), ("lee", "yes"), ("raj", "no"), ("kim", "yes")):
        await chat.say(f"/rsvp {code} {answer}", as_=who)
    clock.set(clock.now().replace(day=27, hour=17, minute=30))

    raj = await chat.say(f"/event checkin id:{code} person:raj", as_="ana")
    text = said(raj)
    assert raj.accent == "success", text
    assert "raj answered no; being here makes it a yes (going)" in text
    assert "1 seat over the capacity of 2" in text
    again = said(await chat.say(f"/event checkin id:{code} person:raj", as_="ana"))
    assert "already checked in" in again and "answered no" not in again

    kim = said(await chat.say(f"/event checkin id:{code} person:kim", as_="ana"))  # waitlist
    assert "kim was on the waitlist" in kim and "2 seats over the capacity of 2" in kim

    sam = said(await chat.say(f"/event checkin id:{code}", as_="sam"))  # a yes: nothing to say
    assert "Checked in: sam" in sam and "answered" not in sam and "over the capacity" in sam
    shown = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert "Going: 4" in shown, shown


async def test_a_walk_in_within_the_capacity_gets_no_capacity_line(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:"Workshop" when:"next friday 6pm" capacity:5')
    await chat.say(f"/rsvp {code} maybe", as_="lee")
    await chat.say("/timezone show", as_="raj")  # raj has used Potluck here once
    clock.set(clock.now().replace(day=27, hour=17, minute=30))
    lee = said(await chat.say(f"/event checkin id:{code} person:lee", as_="ana"))
    assert "lee answered maybe; being here makes it a yes" in lee
    assert "over the capacity" not in lee
    walk_in = said(await chat.say(f"/event checkin id:{code} person:raj", as_="ana"))
    assert "Checked in: raj" in walk_in and "answered" not in walk_in
    await chat.say("/timezone show", as_="zed")  # zed has used Potluck here, never answered
    zed = said(await chat.say(f"/event checkin id:{code}", as_="zed"))  # seats are free
    assert "Answer yes first: /rsvp event:" in zed and "full" not in zed, zed


@pytest.mark.parametrize("answer", ["no", "maybe"])
async def test_someone_checked_in_cannot_answer_no_and_an_organizer_can_undo(
    chat: Conversation, clock: ManualClock, answer: str
) -> None:
    code = await create(chat, '/event create title:Door when:"next friday 6pm"')
    await chat.say("/timezone show", as_="ann")  # ann has used Potluck here once
    clock.set(clock.now().replace(day=27, hour=17, minute=30))
    checked = await chat.say(f"/event checkin id:{code} person:@ann", as_="ana")
    assert checked.accent == "success", said(checked)

    refused = await chat.say(f"/rsvp Door {answer}", as_="ann")
    text = said(refused)
    assert refused.accent != "success", text
    assert "You were checked in at “Door”" in text
    assert f"/rsvp event:{code} answer:clear person:@ann" in text
    listed = said(await chat.say(f"/event attendees id:{code}", as_="ana"))
    assert "Can't go" not in listed and "Maybe" not in listed and "ann" in listed, listed

    by_organizer = said(await chat.say(f"/rsvp event:{code} answer:no person:@ann", as_="ana"))
    assert "ann was checked in" in by_organizer and "answer:clear" in by_organizer
    # The undo the hint names works, and then a no is a no.
    undone = await chat.say(f"/rsvp event:{code} answer:clear person:@ann", as_="ana")
    assert undone.accent == "success", said(undone)
    after = said(await chat.say(f"/rsvp Door {answer}", as_="ann"))
    assert ("can't go to Door" if answer == "no" else "as maybe for Door") in after, after
    assert "checked in" not in said(await chat.say(f"/event attendees id:{code}", as_="ana"))


async def test_only_a_yes_checks_in_on_its_own_and_organizers_check_in_anyone(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:Soon when:"next friday 6pm" capacity:1')
    for who, answer in (("sam", "yes"), ("kim", "yes"), ("lee", "maybe"), ("raj", "no")):
        await chat.say(f"/rsvp {code} {answer}", as_=who)  # kim waits on the waitlist
    await chat.say("/timezone show", as_="zed")  # zed has used Potluck here, never answered
    clock.set(clock.now().replace(day=27, hour=17, minute=1))

    refusals = {
        "zed": "You haven't answered “Soon”",
        "kim": "You are on the waitlist for “Soon”",
        "lee": "You answered maybe for “Soon”",
        "raj": "You answered no for “Soon”",
    }
    for who, why in refusals.items():
        refused = await chat.say(f"/event checkin id:{code}", as_=who)
        text = said(refused)
        assert refused.accent != "success", text
        assert why in text and "check themselves in only with a" in text, text
        assert f"/event checkin id:{code} person:@{who}" in text, text
        assert ("/rsvp event:" in text) == (who != "kim"), text
        # Soon is full: a yes would only join the waitlist, so it is not offered as the way in.
        assert "Answer yes first" not in text, text
        if who != "kim":
            assert "it is full: a yes now would put you on the waitlist" in text, text
    shown = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert "Going: 1 of 1" in shown and "Waitlist: 1 party" in shown, shown

    assert "Checked in: sam" in said(await chat.say(f"/event checkin id:{code}", as_="sam"))
    walk_in = said(await chat.say(f"/event checkin id:{code} person:@zed", as_="ana"))
    assert "Checked in: zed" in walk_in and "over the capacity of 1" in walk_in, walk_in


async def test_clearing_a_checked_in_answer_says_the_check_in_is_undone_and_who_moved_up(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:Soon when:"next friday 6pm" capacity:1')
    for who in ("sam", "kim"):
        await chat.say(f"/rsvp {code} yes", as_=who)  # kim waits on the waitlist
    clock.set(clock.now().replace(day=27, hour=17, minute=1))
    assert "Checked in: sam" in said(await chat.say(f"/event checkin id:{code}", as_="sam"))

    cleared = said(await chat.say(f"/rsvp event:{code} answer:clear person:@sam", as_="ana"))
    assert "Cleared sam's answer" in cleared, cleared
    assert "Their check-in is undone too." in cleared, cleared
    assert "Their spot went to kim." in cleared, cleared
