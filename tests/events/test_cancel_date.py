"""Cancelling one date of a repeating event: that date is off for everyone who answered, on
the card, in the calendar and for reminders, while the rest of the series goes on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
from icalendar import Calendar
from sqlalchemy import text

from bot.app import Potluck
from bot.core.clock import ManualClock
from bot.core.messages import Link, Message, Time
from bot.core.types import Level
from bot.testing import Conversation, scratch_database
from tests.events.conftest import create, said

SERIES = (
    '/event create title:"Chapter meetup" when:"2026-12-08 18:00" '
    'repeat:"monthly on the 2nd tuesday" reminders:"1d, 1h"'
)
DEC = datetime(2026, 12, 8, 18, 0, tzinfo=UTC)
JAN = datetime(2027, 1, 12, 18, 0, tzinfo=UTC)
FEB = datetime(2027, 2, 9, 18, 0, tzinfo=UTC)


def times(message: Message) -> list[datetime]:
    """Every time a reader sees in the message's text and fields, in order."""
    segments = list(message.text) + [s for f in message.fields for s in f.value]
    return [s.at for s in segments if isinstance(s, Time)]


def next_dates(card: Message) -> list[datetime]:
    """The "Next dates" of a series card (the ones before any "Cancelled dates")."""
    (field,) = [f for f in card.fields if f.name == "Repeats"]
    shown: list[datetime] = []
    for seg in field.value:
        if isinstance(seg, str) and "Cancelled dates" in seg:
            break
        if isinstance(seg, Time):
            shown.append(seg.at)
    return shown


async def test_cancelling_one_date_tells_who_answered_and_the_series_goes_on(
    chat: Conversation, clock: ManualClock
) -> None:
    code = await create(chat, SERIES)
    for who, answer in (("sam", "yes"), ("lee", "maybe"), ("raj", "no")):
        await chat.say(f"/rsvp event:{code} answer:{answer}", as_=who)
    await chat.say(f"/rsvp event:{code} answer:yes date:2027-01-12", as_="ida")
    await chat.deliver()

    reply = await chat.say(
        f'/event cancel id:{code} date:2026-12-08 reason:"Holiday closure"', as_="ana"
    )
    assert reply.accent == "success", said(reply)
    assert "the other dates go ahead" in said(reply) and "telling 2 people" in said(reply)
    assert times(reply) == [DEC]
    sent = await chat.deliver()
    told = sorted(d.destination.id for d in sent if d.kind == "event-date-cancelled")
    assert told == ["lee", "sam"]  # not raj, who said no; not ida, who answered January
    notice = chat.to("sam")[-1].message
    assert "Holiday closure" in said(notice) and times(notice) == [DEC]
    card = [d for d in sent if d.kind == "card-edit"][-1].message
    assert "(cancelled)" not in (card.title or "") and card.buttons
    assert times(card)[0] == JAN  # the card now leads with January
    assert next_dates(card) == [JAN, FEB, datetime(2027, 3, 9, 18, 0, tzinfo=UTC)]
    assert "Cancelled dates" in said(card) and DEC in times(card)

    shown = await chat.say(f"/event show id:{code}", as_="kim")
    assert times(shown)[0] == JAN and "Going: 1" in said(shown)  # ida's answer stays
    listed = await chat.say("/event list", as_="kim")
    assert times(listed)[0] == JAN
    closed = await chat.say(f"/rsvp event:{code} answer:yes date:2026-12-08", as_="kim")
    assert "That date of Chapter meetup, " in said(closed)
    assert ", was cancelled; the other dates go ahead. The next: " in said(closed)
    assert times(closed) == [DEC, JAN, FEB, datetime(2027, 3, 9, 18, 0, tzinfo=UTC)]
    nxt = await chat.say(f"/rsvp event:{code} answer:yes", as_="kim")
    assert "You're going" in said(nxt) and JAN in times(nxt)
    attendees = await chat.say(f"/event attendees id:{code} date:2026-12-08", as_="ana")
    assert "no date on that day" not in said(attendees)  # it had one, and it was cancelled
    assert "was cancelled; the other dates go ahead" in said(attendees)
    assert times(attendees)[:2] == [DEC, JAN] and "leave date: out" in said(attendees)

    clock.set(datetime(2026, 12, 8, 17, 30, tzinfo=UTC))  # both December reminders are due
    assert not [d for d in await chat.deliver() if d.kind == "reminder"]
    clock.set(datetime(2027, 1, 12, 17, 30, tzinfo=UTC))
    reminded = sorted(d.destination.id for d in await chat.deliver() if d.kind == "reminder")
    # January still happens, with reminders: one each, the latest of the two now due.
    assert reminded == ["ida", "kim"]


async def test_cancelled_date_is_an_exdate_in_the_ics_and_the_feed(
    bot: Potluck, chat: Conversation
) -> None:
    chat.zones["ana"] = "America/Chicago"
    chat.levels["mod"] = Level.MODERATOR
    code = await create(chat, SERIES)
    before = Calendar.from_ical(
        (await chat.say(f"/event ics id:{code}", as_="sam")).files[0].content
    ).walk("VEVENT")[0]
    assert "exdate" not in before
    await chat.say(f"/event cancel id:{code} date:2027-01-12", as_="ana")
    chicago = ZoneInfo("America/Chicago")
    jan = datetime(2027, 1, 12, 18, 0, tzinfo=chicago)

    (event,) = Calendar.from_ical(
        (await chat.say(f"/event ics id:{code}", as_="sam")).files[0].content
    ).walk("VEVENT")
    assert [d.dt for d in event["exdate"].dts] == [jan]
    assert event["exdate"].params["TZID"] == "America/Chicago"
    assert str(event["status"]) == "CONFIRMED"  # the series itself is not cancelled
    assert event["sequence"] > before["sequence"]  # calendar apps take the update

    feed = await chat.say("/event feed", as_="mod")
    url = next(s.url for s in feed.text if isinstance(s, Link))
    path = url.split("://", 1)[1].split("/", 1)[1]
    (port,) = await bot.web.start([("127.0.0.1", 0)])
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/{path}") as response,
    ):
        cal = Calendar.from_ical(await response.read())
    (listed,) = cal.walk("VEVENT")
    assert [d.dt for d in listed["exdate"].dts] == [jan]


async def test_cancelling_a_date_explains_what_went_wrong(chat: Conversation) -> None:
    code = await create(chat, SERIES)
    once = await create(chat, '/event create title:"Book swap" when:"next friday 6pm"')

    one_off = await chat.say(f"/event cancel id:{once} date:2026-11-27", as_="ana")
    assert "does not repeat" in said(one_off) and "without date:" in said(one_off)
    assert "(cancelled)" not in said(await chat.say(f"/event show id:{once}", as_="sam"))

    not_a_date = await chat.say(f"/event cancel id:{code} date:2027-01-14", as_="ana")
    assert "no date on that day" in said(not_a_date)
    assert times(not_a_date) == [DEC, JAN, FEB]  # the nearest dates, in order
    assert "Pick one of those dates" in said(not_a_date)

    past = await chat.say(f"/event cancel id:{code} date:2026-11-10", as_="ana")
    assert "in the past" in said(past) and times(past)[0] == DEC

    stranger = await chat.say(f"/event cancel id:{code} date:2026-12-08", as_="sam")
    assert "Only the organizer" in said(stranger)

    await chat.say(f"/event cancel id:{code} date:2026-12-08", as_="ana")
    again = await chat.say(f"/event cancel id:{code} date:2026-12-08", as_="ana")
    assert "already cancelled" in said(again) and "/event show" in said(again)
    assert "cannot be brought back" in said(again) and "/event create" in said(again)

    whole = await chat.say(f"/event cancel id:{code}", as_="ana")  # without date: as before
    assert "is cancelled. Nobody had said yes or maybe" in said(whole)
    assert "(cancelled)" in said(await chat.say(f"/event show id:{code}", as_="sam"))


async def test_an_edit_keeps_the_cancelled_date_cancelled(chat: Conversation) -> None:
    code = await create(chat, SERIES)
    await chat.say(f"/event cancel id:{code} date:2026-12-08", as_="ana")
    await chat.say(f'/event edit id:{code} when:"2026-12-08 19:00"', as_="ana")
    card = await chat.say(f"/event show id:{code}", as_="sam")
    hour = [JAN.replace(hour=19), FEB.replace(hour=19), datetime(2027, 3, 9, 19, tzinfo=UTC)]
    assert next_dates(card) == hour  # December, now at 19:00, is still off


async def test_existing_events_upgrade_with_no_cancelled_dates(
    backend: str, tmp_path: Path
) -> None:
    async with scratch_database(backend, tmp_path) as db:
        await db.upgrade("0002")
        now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
        async with db.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO communities"
                    " (id, platform, external_id, name, settings, created_at)"
                    " VALUES (1, 'console', 'c1', 'Chapter', '{}', :now)"
                ),
                {"now": now},
            )
            await conn.execute(
                text(
                    "INSERT INTO events (id, community_id, code, platform, channel_id, kind, title,"
                    " starts_at, duration_minutes, timezone, rrule, reminder_minutes, reminders_in,"
                    " status, sequence, created_at, updated_at) VALUES (1, 1, 'abcd', 'console',"
                    " 'general', 'meetup', 'Old meetup', :now, 120, 'UTC', 'FREQ=WEEKLY', '[]',"
                    " 'dm', 'scheduled', 0, :now, :now)"
                ),
                {"now": now},
            )
        await db.upgrade()
        async with db.engine.connect() as conn:
            stored = (await conn.execute(text("SELECT skipped_dates FROM events"))).scalar_one()
        assert stored in ([], "[]")  # JSON on PostgreSQL, its text on SQLite


async def test_a_date_far_in_the_future_is_refused_quickly(chat: Conversation) -> None:
    code = await create(
        chat, '/event create title:"Daily standup" when:"tomorrow 9am" repeat:daily'
    )
    for line in (
        f'/rsvp event:{code} answer:yes date:"9999-12-31"',
        f'/event attendees id:{code} date:"9999-12-31"',
        f'/event cancel id:{code} date:"9999-12-31"',
    ):
        refused = await chat.say(line, as_="ana")
        assert refused.ephemeral and "more than 10 years ahead" in said(refused)
    far = await chat.say(f'/rsvp event:{code} answer:yes date:"2035-06-01"', as_="sam")
    assert "You're going" in said(far) and "2035" in said(far)


async def test_the_card_lists_a_few_cancelled_dates_and_counts_the_rest(chat: Conversation) -> None:
    code = await create(
        chat, '/event create title:"Daily standup" when:"tomorrow 9am" repeat:daily'
    )
    for day in range(1, 9):
        reply = await chat.say(f'/event cancel id:{code} date:"2026-12-{day:02d}"', as_="ana")
        assert "is cancelled" in said(reply), said(reply)
    card = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert card.count("2026-12-0") == 5 and "… and 3 more" in card
