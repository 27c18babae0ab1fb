"""Repeating events: the phrases people type, and dates that stay put in local time across
daylight-saving changes; each date has its own RSVPs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ManualClock
from bot.core.errors import BadOption
from bot.core.messages import Message, Time
from bot.testing import Conversation
from cogs.events.recurrence import describe, next_occurrences, parse_repeat
from tests.events.conftest import create, event_id, said


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


@pytest.mark.parametrize(
    "typed",
    [
        "every blue moon",
        "FREQ=HOURLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "monthly on the 9th tuesday",
        "every 0 weeks",
    ],
)
def test_repeat_nonsense_is_refused_with_examples(typed: str) -> None:
    with pytest.raises(BadOption) as caught:
        parse_repeat(typed)
    assert "monthly on the 2nd tuesday" in str(caught.value)


def test_dates_keep_their_local_time_across_dst() -> None:
    chicago = "America/Chicago"
    start = datetime(2027, 2, 9, 18, 0, tzinfo=ZoneInfo(chicago)).astimezone(UTC)
    dates = next_occurrences(
        "FREQ=MONTHLY;BYDAY=2TU", start, chicago, after=datetime(2026, 11, 23, tzinfo=UTC), count=3
    )
    local = [d.astimezone(ZoneInfo(chicago)) for d in dates]
    assert [(d.month, d.day, d.hour) for d in local] == [(2, 9, 18), (3, 9, 18), (4, 13, 18)]
    assert [d.hour for d in dates] == [0, 0, 23]  # UTC moves when Chicago springs forward
    assert describe("FREQ=MONTHLY;BYDAY=2TU") == "every month on the 2nd Tuesday"


async def test_series_start_snaps_to_the_first_matching_date_and_each_date_has_its_rsvps(
    chat: Conversation,
) -> None:
    chat.zones["ana"] = "America/Chicago"
    # "when" is a Friday; the 2nd Tuesday after it is the first real date.
    code = await create(
        chat,
        '/event create title:"Chapter meetup" when:"2027-02-05 18:00" '
        'repeat:"monthly on the 2nd tuesday" capacity:1',
    )
    card = await chat.say(f"/event show id:{code}", as_="ana")
    times = [
        s.at for f in card.fields if f.name == "Repeats" for s in f.value if isinstance(s, Time)
    ]
    chicago = ZoneInfo("America/Chicago")
    assert [(t.astimezone(chicago).day, t.astimezone(chicago).hour) for t in times] == [
        (9, 18),
        (9, 18),
        (13, 18),
    ]
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
    code = await create(
        chat, '/event create title:"Story time" when:"next tuesday 10am" repeat:weekly'
    )
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f'/event edit id:{code} when:"next wednesday 11am"', as_="ana")
    await chat.deliver()
    assert "New time" in said(chat.to("sam")[-1].message)
    attendees = await chat.say(f"/event attendees id:{code}", as_="ana")
    assert "• sam" in said(attendees)
    assert attendees.text[0].at.weekday() == 2  # type: ignore[union-attr]  # a Wednesday


STORY = '/event create title:"Story time" when:"next tuesday 10am" repeat:weekly'


def times(segments: list) -> list[datetime]:  # type: ignore[type-arg]
    return [s.at for s in segments if isinstance(s, Time)]


def next_dates(card: Message) -> list[datetime]:
    return [t for f in card.fields if f.name == "Repeats" for t in times(f.value)]


async def test_moving_a_series_tells_everyone_their_own_new_dates(chat: Conversation) -> None:
    card = await chat.say(STORY, as_="ana")
    code = event_id(card)
    old = next_dates(card)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f'/rsvp event:{code} answer:yes date:"{old[1]:%Y-%m-%d}"', as_="lee")
    await chat.say(f"/rsvp {code} maybe", as_="kim")
    await chat.say(f'/rsvp event:{code} answer:yes date:"{old[2]:%Y-%m-%d}"', as_="kim")
    moved = await chat.say(f'/event edit id:{code} when:"next wednesday 11am"', as_="ana")
    new = next_dates(moved)
    assert [d.weekday() for d in new] == [2, 2, 2] and new[0] > old[0]
    await chat.deliver()
    for who, index in (("sam", [0]), ("lee", [1]), ("kim", [0, 2])):
        (notice,) = chat.to(who)
        assert "New time: Story time" in said(notice.message)
        shown = times(notice.message.text)
        assert all(new[i] in shown and old[i] in shown for i in index), who
        assert not set(shown) & {new[i] for i in range(3) if i not in index}, who
    # Each answer followed its own date: lee still goes on the 2nd one.
    second = await chat.say(f'/event attendees id:{code} date:"{new[1]:%Y-%m-%d}"', as_="ana")
    assert "• lee" in said(second) and "sam" not in said(second)


async def test_answers_for_dates_a_series_no_longer_has_are_removed_and_told(
    chat: Conversation, clock: ManualClock
) -> None:
    card = await chat.say(STORY, as_="ana")
    code = event_id(card)
    first, _, third = next_dates(card)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f'/rsvp event:{code} answer:yes date:"{third:%Y-%m-%d}"', as_="lee")
    shorter = await chat.say(f'/event edit id:{code} repeat:"FREQ=WEEKLY;COUNT=2"', as_="ana")
    assert shorter.accent == "success"
    await chat.deliver()
    (notice,) = chat.to("lee")
    assert "Date removed: Story time" in said(notice.message)
    assert times(notice.message.text) == [third] and "was removed" in said(notice.message)
    assert not chat.to("sam")  # sam's date still exists
    gone = await chat.say(f'/event attendees id:{code} date:"{third:%Y-%m-%d}"', as_="ana")
    assert "no date on that day" in said(gone)
    # lee gets no reminder for the date that is gone; sam still gets his.
    clock.set(first + timedelta(minutes=-30))
    assert {d.destination.id for d in await chat.deliver() if d.kind == "reminder"} == {"sam"}
    clock.set(third + timedelta(minutes=-30))
    assert not [d for d in await chat.deliver() if d.kind == "reminder"]
    assert len(chat.to("lee")) == 1


async def test_a_cancelled_series_says_all_its_dates_are_off(chat: Conversation) -> None:
    card = await chat.say(STORY, as_="ana")
    code = event_id(card)
    first, second, _ = next_dates(card)
    await chat.say(f"/rsvp {code} yes", as_="sam")
    await chat.say(f'/rsvp event:{code} answer:maybe date:"{second:%Y-%m-%d}"', as_="sam")
    await chat.say(f"/event cancel id:{code}", as_="ana")
    shown = await chat.say(f"/event show id:{code}", as_="sam")
    assert "Cancelled — all dates of this series are cancelled." in said(shown)
    assert "Next dates" not in said(shown) and not times(shown.text)
    await chat.deliver()
    (notice,) = chat.to("sam")
    assert "all dates of this series are cancelled" in said(notice.message)
    assert times(notice.message.text) == [first, second]  # the ones sam answered
