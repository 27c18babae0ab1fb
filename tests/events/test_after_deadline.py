"""Answers over an event's lifetime: after the RSVP deadline a "no" and fewer guests still
count (the seat goes to the waitlist, the leaver's reminders stop); organizers set or clear
anyone's answer, logged; `date:` must be one of the event's dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.types import Level
from bot.testing import Conversation
from storage.repositories import audit
from tests.events.conftest import create, said

# The clock starts Monday 2026-11-23 12:00 UTC; "next friday 6pm" is 2026-11-27 18:00 UTC.
PARTY = (
    '/event create title:"Winter party" when:"next friday 6pm" capacity:2 '
    'deadline:"thursday noon" reminders:1h'
)
AFTER_DEADLINE = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
REMINDER_TIME = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)


def reminded(chat: Conversation) -> list[str]:
    return sorted(d.destination.id for d in chat.sent if d.kind == "reminder")


async def test_after_the_deadline_a_no_counts_the_waitlist_moves_up_and_reminders_stop(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    for who in ("sam", "lee", "kim"):
        await chat.say(f"/rsvp {code} yes", as_=who)
    await chat.deliver()
    clock.set(AFTER_DEADLINE)
    no = await chat.say(f"/rsvp {code} no", as_="sam")
    assert "Got it: you can't go" in said(no), said(no)
    assert "Your spot went to kim" in said(no)
    await chat.deliver()
    assert "A spot opened up" in said(chat.to("kim")[-1].message)
    clock.set(REMINDER_TIME)
    await chat.deliver()
    assert reminded(chat) == ["kim", "lee"]  # not sam, who left after the deadline


async def test_after_the_deadline_fewer_guests_count_but_more_do_not(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY.replace("capacity:2", "capacity:4"))
    await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="sam")
    clock.set(AFTER_DEADLINE)
    fewer = await chat.say(f"/rsvp event:{code} answer:yes guests:1", as_="sam")
    assert "You're going" in said(fewer) and "with 1 guest" in said(fewer)
    more = await chat.say(f"/rsvp event:{code} answer:yes guests:2", as_="sam")
    assert more.accent == "danger" and "closed at" in said(more)
    assert "say no or bring fewer guests" in said(more)
    new = await chat.say(f"/rsvp {code} yes", as_="lee")
    assert new.accent == "danger" and "closed at" in said(new)
    # lee never answered: nothing to say no to or fewer guests to bring, only whom to ask.
    assert "say no" not in said(new) and "fewer guests" not in said(new), said(new)
    assert "Ask the organizer if you still want to come" in said(new), said(new)


async def test_an_organizer_sets_and_clears_someones_answer_and_it_is_logged(
    bot: Potluck, chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp {code} no", as_="lee")  # lee has used Potluck here
    clock.set(AFTER_DEADLINE)
    added = await chat.say(f"/rsvp event:{code} answer:yes person:@lee", as_="ana")
    assert added.accent == "success" and "lee is now going" in said(added), said(added)
    cleared = await chat.say(f"/rsvp event:{code} answer:clear person:@sam", as_="ana")
    assert "Cleared sam's answer" in said(cleared)
    attendees = said(await chat.say(f"/event attendees id:{code}", as_="ana"))
    assert "• lee" in attendees and "sam" not in attendees
    async with bot.db.sessions() as session:
        log = await audit.entries(session, 1, kinds=["rsvp.set"])
    assert [(e.actor.name, e.subject.name, e.detail["from"], e.detail["to"]) for e in log] == [
        ("ana", "sam", "going", "cleared"),
        ("ana", "lee", "no", "going"),
    ]
    # A moderator may too; a member may not, and nobody clears their own answer.
    by_mod = await chat.say(
        f"/rsvp event:{code} answer:maybe person:@lee", as_="mo", level=Level.MODERATOR
    )
    assert "lee is now maybe" in said(by_mod)
    member = await chat.say(f"/rsvp event:{code} answer:no person:@lee", as_="kim")
    assert member.accent == "danger" and "Only the organizer" in said(member)
    own = await chat.say(f"/rsvp event:{code} answer:clear", as_="lee")
    assert own.accent == "danger" and "answer:no" in said(own)
    unknown = await chat.say(f"/rsvp event:{code} answer:yes person:@nobody", as_="ana")
    assert "don't know" in said(unknown)


async def test_an_answer_an_organizer_clears_takes_its_reminders_along(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/rsvp event:{code} answer:clear person:@sam", as_="ana")
    clock.set(REMINDER_TIME)
    await chat.deliver()
    assert reminded(chat) == []


@pytest.mark.parametrize("day", ["2026-12-01", "2026-11-26"])
async def test_a_date_that_is_not_the_events_is_refused_for_a_one_off_event(
    chat: Conversation, day: str
) -> None:
    code = await create(chat, PARTY)
    reply = await chat.say(f"/rsvp event:{code} answer:yes date:{day}", as_="sam")
    assert reply.accent == "danger" and "only, not on the day you gave" in said(reply)
    assert "Nobody has answered" in said(await chat.say(f"/event attendees id:{code}", as_="ana"))
    right = await chat.say(f"/rsvp event:{code} answer:yes date:2026-11-27", as_="sam")
    assert "You're going" in said(right)
