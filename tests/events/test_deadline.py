"""The RSVP deadline, on both sides of the boundary. The rule a librarian expects: answers close
*at* the deadline, so a deadline of Thursday noon accepts an answer at 11:59:59 and refuses one
at 12:00:00 exactly. The same holds for each date of a series, at the same lead time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.clock import ManualClock
from bot.testing import Conversation
from tests.events.conftest import create, said

# The clock starts Monday 2026-11-23 12:00 UTC; the community's zone is UTC.
DEADLINE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # "thursday noon"
PARTY = '/event create title:"Winter party" when:"next friday 6pm" deadline:"thursday noon"'
STORY = (
    '/event create title:"Story time" when:"next wednesday 10am" repeat:weekly '
    'deadline:"tuesday 10am"'
)
ONE_SECOND = timedelta(seconds=1)


async def test_answers_are_taken_until_the_deadline_and_refused_at_it(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, PARTY)
    clock.set(DEADLINE - ONE_SECOND)
    assert "You're going" in said(await chat.say(f"/rsvp {code} yes", as_="sam"))

    clock.set(DEADLINE)
    late = await chat.say(f"/rsvp {code} yes", as_="lee")
    assert late.ephemeral and late.accent == "danger"
    assert "closed at" in said(late)
    attendees = said(await chat.say(f"/event attendees id:{code}", as_="ana"))
    assert "• sam" in attendees and "lee" not in attendees


async def test_each_date_of_a_series_closes_at_its_own_deadline(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, STORY)
    # Wednesdays 10:00 UTC from 2026-11-25; each date closes the day before at 10:00.
    second_deadline = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    clock.set(second_deadline - ONE_SECOND)
    assert "You're going" in said(await chat.say(f'/rsvp {code} yes date:"2026-12-02"', as_="sam"))
    clock.set(second_deadline)
    late = await chat.say(f'/rsvp {code} yes date:"2026-12-02"', as_="lee")
    assert "closed at" in said(late) and late.accent == "danger"
    # The next date is still open at that moment.
    assert "You're going" in said(await chat.say(f'/rsvp {code} yes date:"2026-12-09"', as_="lee"))


async def test_without_a_deadline_answers_close_at_the_start(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, '/event create title:"Lunch" when:"friday noon"')
    start = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    clock.set(start - ONE_SECOND)
    assert "You're going" in said(await chat.say(f"/rsvp {code} yes", as_="sam"))
    clock.set(start)
    started = await chat.say(f"/rsvp {code} yes", as_="lee")
    assert "already started" in said(started) and started.accent == "danger"


async def test_a_deadline_must_be_after_now_and_before_the_start(chat: Conversation) -> None:
    # The clock reads Monday 12:00:00 exactly.
    now = await chat.say(
        '/event create title:"Quiz" when:"next friday 6pm" deadline:"today 12:00"', as_="ana"
    )
    assert now.accent == "danger" and "already past" in said(now)
    at_start = await chat.say(
        '/event create title:"Quiz" when:"next friday 6pm" deadline:"friday 6pm"', as_="ana"
    )
    assert at_start.accent == "danger" and "after the event starts" in said(at_start)
    assert "RSVPs must close before the start" in said(at_start)
