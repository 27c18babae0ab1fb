"""Times as people type them: impossible clock times, zones in the text, dotted and slashed
dates in the person's order, and which reading was taken when a date was ambiguous."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from icalendar import Calendar

from bot.core.clock import ManualClock
from bot.core.dateorder import date_order
from bot.core.errors import BadOption
from bot.core.timetext import parse_when, read_time
from bot.testing import Conversation
from tests.events.conftest import event_id, said

BERLIN = ZoneInfo("Europe/Berlin")
CHICAGO = ZoneInfo("America/Chicago")
UTC_ZONE = ZoneInfo("UTC")
# Sunday 29 November 2026, 12:29:57.25 UTC: seconds on purpose, so dropped seconds show.
NOW = datetime(2026, 11, 29, 12, 29, 57, 250000, tzinfo=UTC)


def local(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# -- impossible clock times ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("tomorrow 25:00", "25:00"),
        ("tomorrow 13pm", "13pm"),
        ("tomorrow 6:75pm", "6:75pm"),
        ("tomorrow 24:00", "24:00"),
        ("tomorrow 99:99", "99:99"),
        ("friday 0am", "0am"),
        ("friday 6:5pm", "6:5pm"),
        ("2026-12-04T25:00", "25:00"),
        ("dec 4 18:00pm", "18:00pm"),
        ("tomorrow 18:60", "18:60"),
    ],
)
def test_an_impossible_clock_time_is_refused_by_name(typed: str, named: str) -> None:
    with pytest.raises(BadOption) as refused:
        read_time(typed, now=NOW, zone=BERLIN)
    assert f"`{named}` is not a time of day" in refused.value.message
    assert "00 to 59" in str(refused.value.hint)


def test_two_times_of_day_are_refused_not_guessed() -> None:
    with pytest.raises(BadOption, match="more than one time of day"):
        read_time("friday 6pm 9pm", now=NOW, zone=BERLIN)


@given(hour=st.integers(0, 23), minute=st.integers(0, 59), zone=st.sampled_from([BERLIN, CHICAGO]))
def test_any_valid_24_hour_time_reads_back(hour: int, minute: int, zone: ZoneInfo) -> None:
    # 4 December: no daylight-saving change anywhere near, so every wall time exists once.
    at = read_time(f"2026-12-04 {hour}:{minute:02d}", now=NOW, zone=zone).at
    assert at.tzinfo == UTC and at.second == 0
    assert local(at, zone) == f"2026-12-04 {hour:02d}:{minute:02d}"


@given(
    hour=st.integers(1, 12),
    minute=st.integers(0, 59),
    half=st.sampled_from(["am", "pm", "AM", " pm", "p.m."]),
)
def test_any_valid_12_hour_time_reads_back(hour: int, minute: int, half: str) -> None:
    at = read_time(f"dec 4 {hour}:{minute:02d}{half}", now=NOW, zone=CHICAGO).at
    expected = hour % 12 + (12 if "p" in half.lower() else 0)
    assert local(at, CHICAGO) == f"2026-12-04 {expected:02d}:{minute:02d}"


@given(
    hour=st.integers(0, 99),
    minute=st.integers(0, 99),
    day=st.sampled_from(["tomorrow", "friday", "dec 4", "2026-12-04"]),
)
def test_any_impossible_24_hour_time_is_refused_never_now(hour: int, minute: int, day: str) -> None:
    assume(hour > 23 or minute > 59)
    token = f"{hour}:{minute:02d}"
    with pytest.raises(BadOption, match=f"`{token}` is not a time of day"):
        read_time(f"{day} {token}", now=NOW, zone=BERLIN)


@given(
    hour=st.integers(0, 99),
    minute=st.none() | st.integers(0, 99),
    half=st.sampled_from(["am", "pm"]),
)
def test_any_impossible_12_hour_time_is_refused_never_now(
    hour: int, minute: int | None, half: str
) -> None:
    assume(not 1 <= hour <= 12 or (minute is not None and minute > 59))
    token = f"{hour}{'' if minute is None else f':{minute:02d}'}{half}"
    with pytest.raises(BadOption, match=f"`{token}` is not a time of day"):
        read_time(f"tomorrow {token}", now=NOW, zone=BERLIN)


@given(st.text(max_size=60))
def test_any_text_is_a_whole_minute_in_utc_or_a_friendly_refusal(text: str) -> None:
    try:
        reading = read_time(text, now=NOW, zone=BERLIN)
    except BadOption:
        return
    assert reading.at.tzinfo == UTC
    assert reading.at.second == 0 and reading.at.microsecond == 0


# -- relative times --------------------------------------------------------------------------


def test_a_relative_start_is_on_a_whole_minute() -> None:
    at = read_time("in 2 hours", now=NOW, zone=BERLIN).at
    assert at == datetime(2026, 11, 29, 14, 29, tzinfo=UTC)
    assert parse_when("in 90 minutes", now=NOW, zone=BERLIN) == datetime(
        2026, 11, 29, 13, 59, tzinfo=UTC
    )


# -- zones and offsets in the text -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone", "utc", "named"),
    [
        ("tomorrow 6 pm CET", CHICAGO, "2026-11-30 17:00", "Europe/Paris"),
        ("tomorrow 6 pm CET", BERLIN, "2026-11-30 17:00", "Europe/Berlin"),
        ("tomorrow 18:00 +0200", CHICAGO, "2026-11-30 16:00", None),
        ("tomorrow 18:00 UTC+2", CHICAGO, "2026-11-30 16:00", None),
        ("2026-12-04T18:00:00-05:00", BERLIN, "2026-12-04 23:00", None),
        ("2027-07-14 2pm ET", BERLIN, "2027-07-14 18:00", "America/New_York"),
        ("2027-07-14 2pm EDT", BERLIN, "2027-07-14 18:00", "America/New_York"),
        ("2027-07-14 2pm EST", BERLIN, "2027-07-14 18:00", "America/New_York"),
        ("2027-01-14 2pm ET", BERLIN, "2027-01-14 19:00", "America/New_York"),
        ("2027-07-14 2pm Eastern", BERLIN, "2027-07-14 18:00", "America/New_York"),
        ("2027-07-14 2pm eastern time", BERLIN, "2027-07-14 18:00", "America/New_York"),
        ("2027-07-14 2pm PT", BERLIN, "2027-07-14 21:00", "America/Los_Angeles"),
        ("2027-07-14 2pm BST", CHICAGO, "2027-07-14 13:00", "Europe/London"),
        ("2027-07-14 2pm IST", CHICAGO, "2027-07-14 08:30", "Asia/Kolkata"),
        ("2027-07-14 2pm AEST", CHICAGO, "2027-07-14 04:00", "Australia/Sydney"),
        ("tomorrow 6pm New York", BERLIN, "2026-11-30 23:00", "America/New_York"),
        ("tomorrow 6pm in Tokyo", BERLIN, "2026-11-30 09:00", "Asia/Tokyo"),
        ("tomorrow 6pm Europe/Berlin", CHICAGO, "2026-11-30 17:00", "Europe/Berlin"),
        ("tomorrow 6pm UTC", CHICAGO, "2026-11-30 18:00", "UTC"),
        ("tomorrow 6pm Central European Time", CHICAGO, "2026-11-30 17:00", "Europe/Paris"),
        ("2027-07-01 6pm Eastern Standard Time", BERLIN, "2027-07-01 22:00", "America/New_York"),
        ("2027-07-01 6pm British Summer Time", CHICAGO, "2027-07-01 17:00", "Europe/London"),
        ("tomorrow 6pm (CET)", CHICAGO, "2026-11-30 17:00", "Europe/Paris"),
        ("2026-12-04T18:00:00Z", BERLIN, "2026-12-04 18:00", None),
    ],
)
def test_a_zone_in_the_text_is_read_through_that_zone(
    typed: str, zone: ZoneInfo, utc: str, named: str | None
) -> None:
    reading = read_time(typed, now=NOW, zone=zone)
    assert local(reading.at, UTC_ZONE) == utc
    assert reading.zone == named


def test_a_standard_time_abbreviation_in_summer_says_how_it_was_read() -> None:
    reading = read_time("2027-07-14 2pm EST", now=NOW, zone=BERLIN)
    assert reading.notes == (
        "EST is read as New York time, which is EDT (UTC-04:00) on that date.",
    )
    assert read_time("2027-07-14 2pm EDT", now=NOW, zone=BERLIN).notes == ()
    assert read_time("2027-07-14 2pm ET", now=NOW, zone=BERLIN).notes == ()


def test_an_abbreviation_keeps_the_persons_own_zone_when_it_is_the_same_clock() -> None:
    phoenix = ZoneInfo("America/Phoenix")
    reading = read_time("2027-07-14 2pm MST", now=NOW, zone=phoenix)
    assert reading.zone == "America/Phoenix"  # Arizona keeps MST all summer
    assert local(reading.at, UTC_ZONE) == "2027-07-14 21:00"


# -- dates in the person's order -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "zone", "wall"),
    [
        ("5.12. 18:00", BERLIN, "2026-12-05 18:00"),
        ("04.12.2026 18:00", BERLIN, "2026-12-04 18:00"),
        ("5.12.26 18:00", BERLIN, "2026-12-05 18:00"),
        ("5.12. 18:00", CHICAGO, "2026-12-05 18:00"),  # dots are day.month everywhere
        ("1.2. 9:00", BERLIN, "2027-02-01 09:00"),  # already past this year: next year
        ("tomorrow 18.30", BERLIN, "2026-11-30 18:30"),
        ("tomorrow 5.30pm", BERLIN, "2026-11-30 17:30"),
        ("25/12 6pm", CHICAGO, "2026-12-25 18:00"),  # 25 cannot be a month
        ("12/25 6pm", BERLIN, "2026-12-25 18:00"),
        ("2026/12/04 18:00", CHICAGO, "2026-12-04 18:00"),  # year first is never ambiguous
    ],
)
def test_numeric_dates(typed: str, zone: ZoneInfo, wall: str) -> None:
    reading = read_time(typed, now=NOW, zone=zone)
    assert local(reading.at, zone) == wall
    assert reading.notes == ()


@pytest.mark.parametrize(
    ("typed", "zone", "locale", "wall", "note"),
    [
        (
            "4/12/2026 6pm",
            CHICAGO,
            None,
            "2026-04-12 18:00",
            "I read 4/12/2026 as 12 April 2026 (month first)",
        ),
        (
            "4/12/2026 6pm",
            BERLIN,
            None,
            "2026-12-04 18:00",
            "I read 4/12/2026 as 4 December 2026 (day first)",
        ),
        ("4/12 6pm", ZoneInfo("Europe/London"), None, "2026-12-04 18:00", "(day first)"),
        ("4/12 6pm", BERLIN, "en-US", "2027-04-12 18:00", "(month first)"),
        ("4/12 6pm", CHICAGO, "en-GB", "2026-12-04 18:00", "(day first)"),
        ("4/12 6pm", UTC_ZONE, None, "2026-12-04 18:00", "(day first)"),
    ],
)
def test_an_ambiguous_slashed_date_follows_the_persons_order_and_says_so(
    typed: str, zone: ZoneInfo, locale: str | None, wall: str, note: str
) -> None:
    reading = read_time(typed, now=NOW, zone=zone, locale=locale)
    assert local(reading.at, zone) == wall
    assert len(reading.notes) == 1 and note in reading.notes[0]
    assert "to be sure" in reading.notes[0]


@pytest.mark.parametrize("typed", ["31/4 6pm", "30.02.2027 18:00", "0.12. 18:00", "13/13/2026 6pm"])
def test_a_date_that_does_not_exist_is_refused(typed: str) -> None:
    with pytest.raises(BadOption, match="is not a date"):
        read_time(typed, now=NOW, zone=BERLIN)


@pytest.mark.parametrize(
    ("locale", "zone", "order"),
    [
        ("en-US", None, "MDY"),
        ("en-GB", None, "DMY"),
        ("de", None, "DMY"),
        ("ja", None, "MDY"),
        (None, "America/Chicago", "MDY"),
        (None, "America/Toronto", "MDY"),
        (None, "Europe/London", "DMY"),
        (None, "Australia/Sydney", "DMY"),
        (None, "Asia/Kolkata", "DMY"),
        (None, "UTC", "DMY"),
        ("not a locale!", "America/Chicago", "MDY"),
        ("en-US", "Europe/Berlin", "MDY"),  # the platform's locale wins over the zone
    ],
)
def test_date_order(locale: str | None, zone: str | None, order: str) -> None:
    assert date_order(locale, zone) == order


@given(day=st.integers(1, 28), month=st.integers(1, 12), zone=st.sampled_from([BERLIN, CHICAGO]))
def test_any_dotted_date_is_day_then_month(day: int, month: int, zone: ZoneInfo) -> None:
    at = read_time(f"{day}.{month}.2027 18:00", now=NOW, zone=zone).at.astimezone(zone)
    assert (at.day, at.month, at.year) == (day, month, 2027)


@given(a=st.integers(1, 12), b=st.integers(1, 12), zone=st.sampled_from([BERLIN, CHICAGO]))
def test_any_ambiguous_slashed_date_says_which_reading(a: int, b: int, zone: ZoneInfo) -> None:
    reading = read_time(f"{a}/{b}/2027 18:00", now=NOW, zone=zone)
    day, month = (a, b) if zone is BERLIN else (b, a)
    at = reading.at.astimezone(zone)
    assert (at.day, at.month) == (day, month)
    assert bool(reading.notes) == (a != b)


# -- through the real command path ---------------------------------------------------------


async def test_an_impossible_time_creates_nothing(chat: Conversation) -> None:
    for when in ("tomorrow 25:00", "tomorrow 13pm", "tomorrow 6:75pm", "tomorrow 24:00"):
        reply = await chat.say(f'/event create title:Party when:"{when}"', as_="ana")
        assert reply.accent == "danger" and "is not a time of day" in said(reply), said(reply)
    assert "No upcoming events" in said(await chat.say("/event list", as_="ana"))


async def test_the_reply_says_how_an_ambiguous_date_was_read(
    chat: Conversation, clock: ManualClock
) -> None:
    clock.set(NOW)
    chat.zones["ana"] = "America/Chicago"
    reply = await chat.say('/event create title:"Book swap" when:"4/12/2027 6pm"', as_="ana")
    assert reply.accent == "success", said(reply)
    assert "I read 4/12/2027 as 12 April 2027 (month first)" in said(reply)
    chat.zones["kai"] = "Europe/Berlin"
    reply = await chat.say('/event create title:"Zine club" when:"5.12. 18:00"', as_="kai")
    card = said(reply)
    assert reply.accent == "success" and "I read" not in card
    # "04.12.2026" was refused as "in the past" when read as 12 April.
    reply = await chat.say('/event create title:"Fair" when:"04.12.2026 18:00"', as_="kai")
    assert reply.accent == "success", said(reply)


async def test_the_note_comes_with_a_refusal_too(chat: Conversation, clock: ManualClock) -> None:
    clock.set(NOW)
    chat.zones["ana"] = "America/Chicago"
    reply = await chat.say('/event create title:"Swap" when:"11/10/2026 6pm"', as_="ana")
    assert "in the past" in said(reply)
    assert "I read 11/10/2026 as 10 November 2026 (month first)" in said(reply)


async def test_a_relative_start_is_stored_on_the_minute(
    chat: Conversation, clock: ManualClock
) -> None:
    clock.set(NOW)
    reply = await chat.say('/event create title:Swap when:"in 2 hours"', as_="ana")
    assert reply.accent == "success", said(reply)
    ics = (await chat.say(f"/event ics id:{event_id(reply)}", as_="ana")).files[0].content
    start = Calendar.from_ical(ics).walk("VEVENT")[0].decoded("dtstart")
    assert start == datetime(2026, 11, 29, 14, 29, tzinfo=UTC)


DATE_WORDS = st.sampled_from(
    [
        "tomorrow", "next", "friday", "in", "2", "hours", "at", "noon", "midnight", "dec", "4",
        "6pm", "18:00", "25:00", "5.12.", "04.12.2026", "4/12", "31/4", "12/4/26", "2026-12-04",
        "T", "Z", "+0200", "UTC+2", "-05:00", "ET", "EST", "CET", "Eastern", "time", "standard",
        "New", "York", "Europe/Berlin", "in", "Tokyo", "(", ")", ",", ".", "/", ":", "0", "99",
        "9999", "0001", "1.5", "am", "pm", "p.m.", "yesterday", "ago", "weeks", "0:30",
    ]
)  # fmt: skip


@given(st.lists(DATE_WORDS, min_size=1, max_size=7), st.sampled_from([BERLIN, CHICAGO, UTC_ZONE]))
def test_any_mix_of_date_words_is_a_whole_minute_or_a_friendly_refusal(
    words: list[str], zone: ZoneInfo
) -> None:
    try:
        reading = read_time(" ".join(words), now=NOW, zone=zone, locale="en-GB")
    except BadOption:
        return
    assert reading.at.tzinfo == UTC and reading.at.second == 0
    assert reading.at != NOW.replace(second=0, microsecond=0) or "now" in words
