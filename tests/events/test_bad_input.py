"""Bad input gets a clear, only-to-you message saying what to type instead, and nothing is
half-written."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from icalendar import Calendar

from bot.core.messages import Mention
from bot.testing import Conversation
from tests.events.conftest import create, said

CREATE = '/event create title:"Winter party" when:"next friday 6pm"'


@pytest.mark.parametrize(
    ("line", "problem", "advice"),
    [
        (
            '/event create title:"Party" when:"the day after never"',
            "could not understand the date",
            "next friday 6pm",
        ),
        ('/event create title:"Party" when:"yesterday 6pm"', "in the past", "Give a future date"),
        ('/event create title:"Party" when:"in -5 minutes"', "is in the past", "next friday 6pm"),
        ('/event create title:"Party" when:"2 hours ago"', "is in the past", "next friday 6pm"),
        (
            '/event create title:"Party" when:"next month 6pm"',
            "names no day: which day of next month?",
            '"the 14th of next month 6pm"',
        ),
        (
            '/event create title:"Party" when:"next week at noon"',
            "names no day: which day of next week?",
            '"next friday 6pm"',
        ),
        (
            CREATE + ' deadline:"this week 9am"',
            "names no day: which day of this week?",
            '"this friday 6pm"',
        ),
        (
            '/event create title:"Party" when:"9999-01-01 18:00"',
            "more than 10 years ahead",
            "from now until the end of 2036",
        ),
        (
            '/event create title:"Party" when:"2026-12-01 18:00" deadline:"9999-12-31 23:30"',
            "`9999-12-31 23:30` is more than 10 years ahead",
            "until the end of 2036",
        ),
        (CREATE + ' ends:"2026-11-27 17:00"', "end is before the start", 'ends:"9pm"'),
        # A bare time ends on the start's own day: 5pm is before a 6pm start, not Saturday.
        (CREATE + ' ends:"5pm"', "end is before the start", 'ends:"saturday 1am"'),
        (CREATE + ' deadline:"next saturday noon"', "after the event starts", "close before"),
        (CREATE + " capacity:0", "between 1 and 100000", ""),
        (CREATE + " capacity:100001", "between 1 and 100000", ""),
        (CREATE + " capacity:lots", "whole number", "capacity:1"),
        ("/event create title:" + '"' + "x" * 101 + '" when:friday', "limit is 100", "Shorten"),
        (CREATE + ' description:"' + "y" * 2001 + '"', "limit is 2000", "Shorten"),
        (
            CREATE + ' repeat:"every blue moon"',
            "could not understand the repeat rule",
            "monthly on the 2nd tuesday",
        ),
        (CREATE + ' repeat:"FREQ=SECONDLY"', "daily, weekly, monthly or yearly", "FREQ=WEEKLY"),
        (
            CREATE + " kind:picnic",
            "must be one of meetup, party, conference, advocacy",
            "kind:meetup",
        ),
        (CREATE + ' duration:"forever"', "`forever` is not a duration", "2 days"),
        (CREATE + ' reminders:"soonish"', "could not read the reminder time", "1d, 1h"),
        ("/event create when:friday", "needs `title:`", "Usage"),
    ],
)
async def test_create_refuses_bad_input_with_advice(
    chat: Conversation, line: str, problem: str, advice: str
) -> None:
    reply = await chat.say(line, as_="ana")
    assert reply.ephemeral and reply.accent == "danger", said(reply)
    assert problem in said(reply)
    assert advice in said(reply)
    assert "No upcoming events" in said(await chat.say("/event list", as_="ana"))


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        ("answer:yes guests:11", "between 0 and 10"),
        ("answer:yes guests:-1", "between 0 and 10"),
        ("answer:perhaps", "must be one of yes, maybe, no"),
        ("answer:yes date:someday", "could not understand the date"),
    ],
)
async def test_rsvp_refuses_bad_input(chat: Conversation, answer: str, problem: str) -> None:
    code = await create(chat, CREATE)
    reply = await chat.say(f"/rsvp event:{code} {answer}", as_="sam")
    assert reply.ephemeral and problem in said(reply), said(reply)


async def test_unknown_event_ids_say_how_to_find_one(chat: Conversation) -> None:
    for line in (
        "/rsvp event:zzzz answer:yes",
        "/event show id:nope",
        "/event ics id:zzzz",
        "/event cancel id:zzzz",
    ):
        reply = await chat.say(line, as_="ana")
        assert "There is no event" in said(reply) and "/event list" in said(reply)


async def test_deadline_after_a_moved_start_is_refused(chat: Conversation) -> None:
    code = await create(chat, CREATE + ' deadline:"thursday noon"')
    reply = await chat.say(f'/event edit id:{code} when:"wednesday 9am"', as_="ana")
    assert "before the RSVP deadline" in said(reply) and "Move the deadline" in said(reply)
    card = await chat.say(f"/event show id:{code}", as_="ana")
    assert card.text[0].at.day == 27  # type: ignore[union-attr]  # unchanged


async def test_text_that_tries_to_ping_is_shown_but_never_pings(chat: Conversation) -> None:
    line = (
        '/event create title:"@everyone party <!here>" when:"next friday 6pm" '
        'description:"ping <@&123> <!channel> @here" where:"<@U999>"'
    )
    reply = await chat.say(line, as_="ana")
    assert reply.accent == "success"
    sent = await chat.deliver()
    for message in (reply, sent[0].message):
        text = said(message)
        assert "@everyone party <!here>" in text and "<@&123> <!channel> @here" in text
        assert message.mentioned_user_ids == []
        segments = [*message.text, *(s for f in message.fields for s in f.value), *message.footer]
        assert not any(isinstance(s, Mention) for s in segments)


async def test_ends_as_a_time_of_day_is_on_the_start_day(chat: Conversation) -> None:
    code = await create(chat, CREATE + ' ends:"9pm"')

    async def length() -> timedelta:
        body = (await chat.say(f"/event ics id:{code}", as_="ana")).files[0].content
        (event,) = Calendar.from_ical(body).walk("VEVENT")
        return event["dtend"].dt - event["dtstart"].dt  # type: ignore[no-any-return]

    assert await length() == timedelta(hours=3)
    await chat.say(f"/event edit id:{code} ends:midnight", as_="ana")
    assert await length() == timedelta(hours=6)  # midnight closes the start's day
    refused = await chat.say(f'/event edit id:{code} ends:"5pm"', as_="ana")
    assert "end is before the start" in said(refused)
    assert await length() == timedelta(hours=6)  # unchanged


async def test_attendee_csv_names_never_run_as_formulas(chat: Conversation) -> None:
    code = await create(chat, CREATE)
    names = ["=HYPERLINK(1)", "\t=1+1", "\r=2+2", "+3", "-4", "@SUM(1)", "plain"]
    for name in names:
        await chat.say(f"/rsvp {code} yes", as_=name)
    content = (await chat.say(f"/event attendees id:{code}", as_="ana")).files[0].content
    rows = list(csv.DictReader(io.StringIO(content.decode(), newline="")))
    shown = {row["name"] for row in rows}
    # Names lose their control characters and blanks around them ("\t=1+1" is "=1+1").
    assert shown == {"'" + n.strip() for n in names[:-1]} | {"plain"}
    assert all(row["user_id"][:1] not in "=+-@\t\r" for row in rows)


@pytest.mark.parametrize("command", ["/event attendees id:Weekly", "/rsvp event:Weekly answer:yes"])
async def test_a_date_for_an_event_that_does_not_repeat_must_be_its_own_day(
    chat: Conversation, command: str
) -> None:
    await create(chat, '/event create title:Weekly when:"next friday 6pm"')  # 27 November
    refused = await chat.say(f"{command} date:2026-12-09", as_="ana")
    text = said(refused)
    assert refused.accent != "success" and "Weekly" in text and "only" in text, text
    assert "Leave date: out" in text, text
    own_day = await chat.say(f"{command} date:2026-11-27", as_="ana")
    assert "Leave date: out" not in said(own_day), said(own_day)


@pytest.mark.parametrize("word", ["rally", "Rally", "advocacy"])
async def test_a_rally_is_an_advocacy_event(chat: Conversation, word: str) -> None:
    code = await create(chat, f'/event create title:Vote when:"next friday 6pm" kind:{word}')
    card = said(await chat.say(f"/event show id:{code}", as_="ana"))
    assert card.startswith("📣 Vote"), card
