"""Repeating events: the phrases people type, and dates that stay put in local time across
daylight-saving changes; each date has its own RSVPs."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import BadOption
from bot.core.messages import Time
from bot.testing import Conversation
from cogs.events.recurrence import describe, next_occurrences, parse_repeat
from tests.events.conftest import create, said


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("weekly", "FREQ=WEEKLY"),
        ("Every 2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
        ("every other week", "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly on the 2nd tuesday", "FREQ=MONTHLY;BYDAY=2TU"),
        ("monthly on the last friday", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("monthly", "FREQ=MONTHLY"),
        ("daily", "FREQ=DAILY"),
        ("every tuesday and thursday", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6", "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6"),
        ("never", None),
    ],
)
def test_repeat_phrases(typed: str, rule: str | None) -> None:
    assert parse_repeat(typed) == rule


@pytest.mark.parametrize("typed", ["every blue moon", "FREQ=HOURLY", "FREQ=WEEKLY;BYDAY=XX",
                                   "monthly on the 9th tuesday", "every 0 weeks"])
def test_repeat_nonsense_is_refused_with_examples(typed: str) -> None:
    with pytest.raises(BadOption) as caught:
        parse_repeat(typed)
    assert "monthly on the 2nd tuesday" in str(caught.value)


def test_dates_keep_their_local_time_across_dst() -> None:
    chicago = "America/Chicago"
    start = datetime(2027, 2, 9, 18, 0, tzinfo=ZoneInfo(chicago)).astimezone(UTC)
    dates = next_occurrences("FREQ=MONTHLY;BYDAY=2TU", start, chicago,
                             after=datetime(2026, 11, 23, tzinfo=UTC), count=3)
    local = [d.astimezone(ZoneInfo(chicago)) for d in dates]
    assert [(d.month, d.day, d.hour) for d in local] == [(2, 9, 18), (3, 9, 18), (4, 13, 18)]
    assert [d.hour for d in dates] == [0, 0, 23]  # UTC moves when Chicago springs forward
    assert describe("FREQ=MONTHLY;BYDAY=2TU") == "every month on the 2nd Tuesday"


async def test_series_start_snaps_to_the_first_matching_date_and_each_date_has_its_rsvps(
        chat: Conversation) -> None:
    chat.zones["ana"] = "America/Chicago"
    # "when" is a Friday; the 2nd Tuesday after it is the first real date.
    code = await create(chat, '/event create title:"Chapter meetup" when:"2027-02-05 18:00" '
                              'repeat:"monthly on the 2nd tuesday" capacity:1')
    card = await chat.say(f"/event show id:{code}", as_="ana")
    times = [s.at for f in card.fields if f.name == "Repeats" for s in f.value
             if isinstance(s, Time)]
    chicago = ZoneInfo("America/Chicago")
    assert [(t.astimezone(chicago).day, t.astimezone(chicago).hour) for t in times] == [
        (9, 18), (9, 18), (13, 18)]
    assert "every month on the 2nd Tuesday" in said(card)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    full = await chat.say(f"/rsvp {code} yes", as_="lee")
    assert "waitlist" in said(full)
    march = await chat.say(f'/rsvp event:{code} answer:yes date:"2027-03-09"', as_="lee")
    assert "You're going" in said(march)
    assert march.text[3].at == times[1]  # type: ignore[union-attr]
    wrong = await chat.say(f'/rsvp event:{code} answer:yes date:"2027-03-11"', as_="lee")
    assert "has no date on that day" in said(wrong)


async def test_moving_a_series_keeps_answers_with_the_next_dates(chat: Conversation) -> None:
    code = await create(chat, '/event create title:"Story time" when:"next tuesday 10am" '
                              "repeat:weekly")
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f"/event edit id:{code} when:\"next wednesday 11am\"", as_="ana")
    await chat.deliver()
    assert "New time" in said(chat.to("sam")[-1].message)
    attendees = await chat.say(f"/event attendees id:{code}", as_="ana")
    assert "• sam" in said(attendees)
    assert attendees.text[0].at.weekday() == 2  # type: ignore[union-attr]  # a Wednesday
