"""Repeat rules that people type: the last-day forms, a series that starts "in 2 hours", and
the warnings an organizer should get when a rule skips months or starts far from `when:`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.clock import ManualClock
from bot.core.messages import Time
from bot.testing import Conversation
from cogs.events.recurrence import (
    describe,
    first_on_or_after,
    next_occurrences,
    parse_repeat,
    schedule_warnings,
)
from tests.events.conftest import create, said

CHICAGO = "America/Chicago"


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(CHICAGO)).astimezone(UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("typed", "rule", "described"),
    [
        ("monthly on the last day", "FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        (
            "every month on the last day of the month",
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            "every month on the last day",
        ),
        (
            "monthly on the 2nd to last day",
            "FREQ=MONTHLY;BYMONTHDAY=-2",
            "every month on the 2nd to last day",
        ),
        (
            "monthly on the last weekday",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "every month on the last weekday",
        ),
        (
            "monthly on the first working day",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
            "every month on the 1st weekday",
        ),
        (
            "monthly on the last friday of the month",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "every month on the last Friday",
        ),
        (
            "monthly on the 15th of each month",
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "every month on day 15",
        ),
    ],
)
def test_last_day_forms(typed: str, rule: str, described: str) -> None:
    assert parse_repeat(typed) == rule
    assert describe(rule) == described


def test_the_last_day_is_the_last_day_of_every_month() -> None:
    dates = next_occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=-1",
        chicago(2027, 1, 31, 18, 0),
        CHICAGO,
        after=chicago(2027, 1, 1),
        count=4,
    )
    local = [d.astimezone(ZoneInfo(CHICAGO)) for d in dates]
    assert [(d.month, d.day, d.hour) for d in local] == [
        (1, 31, 18),
        (2, 28, 18),
        (3, 31, 18),
        (4, 30, 18),
    ]


def test_the_first_date_is_the_start_even_with_a_fraction_of_a_second() -> None:
    start = datetime(2026, 11, 29, 14, 29, 57, 250000, tzinfo=UTC)
    for rule in ("FREQ=WEEKLY", "FREQ=DAILY", "FREQ=MONTHLY"):
        assert first_on_or_after(rule, start, CHICAGO) == start.replace(microsecond=0)


@pytest.mark.parametrize("repeat", ["weekly", "daily"])
async def test_a_series_starting_in_two_hours_includes_that_first_date(
    chat: Conversation, clock: ManualClock, repeat: str
) -> None:
    clock.set(datetime(2026, 11, 29, 11, 29, 57, 250000, tzinfo=UTC))
    code = await create(chat, f'/event create title:"Drop-in" when:"in 2 hours" repeat:{repeat}')
    card = await chat.say(f"/event show id:{code}", as_="ana")
    shown = [s.at for s in card.text if isinstance(s, Time)]
    assert shown and shown[0] == datetime(2026, 11, 29, 13, 29, tzinfo=UTC), said(card)


async def test_a_last_day_series_can_be_created(chat: Conversation) -> None:
    code = await create(
        chat,
        '/event create title:"Month end" when:"2027-01-31 17:00" repeat:"monthly on the last day"',
    )
    assert "every month on the last day" in said(await chat.say(f"/event show id:{code}"))


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        (
            "monthly",
            chicago(2027, 1, 31, 18, 0),
            [
                "This rule skips months that have no such date (the next: February 2027, "
                'April 2027 and June 2027). Use "monthly on the last day" to meet every month.'
            ],
        ),
        (
            "monthly on the 5th friday",
            chicago(2026, 11, 24, 18, 0),
            [
                "The first date is Friday 29 January 2027, 66 days after the date in `when:`.",
                "This rule skips months that have no such date (the next: February 2027, "
                'March 2027 and May 2027). Use "monthly on the last friday" to meet every month.',
            ],
        ),
        (
            "yearly",
            chicago(2028, 2, 29, 18, 0),
            ["This rule skips years that have no such date (the next: 2029, 2030 and 2031)."],
        ),
        ("monthly on the last day", chicago(2027, 1, 31, 18, 0), []),
        ("monthly on the last friday", chicago(2026, 11, 24, 18, 0), []),
        ("monthly on the 2nd tuesday", chicago(2026, 11, 27, 18, 0), []),  # 11 days later
        ("monthly", chicago(2027, 1, 28, 18, 0), []),
        ("weekly", chicago(2028, 2, 29, 18, 0), []),
        ("FREQ=MONTHLY;BYMONTH=1,7;BYMONTHDAY=31", chicago(2027, 1, 31, 18, 0), []),
        ("never", chicago(2027, 1, 31, 18, 0), []),
    ],
)
def test_schedule_warnings(rule: str, start: datetime, expected: list[str]) -> None:
    assert schedule_warnings(parse_repeat(rule), start, CHICAGO) == expected


@given(
    day=st.integers(1, 28),
    month=st.integers(1, 12),
    phrase=st.sampled_from(["monthly", "monthly on the last day", "weekly", "daily"]),
)
def test_a_rule_that_meets_every_month_is_never_warned_about(
    day: int, month: int, phrase: str
) -> None:
    start = chicago(2027, month, day, 18, 0)
    assert schedule_warnings(parse_repeat(phrase), start, CHICAGO) == []


@given(day=st.integers(29, 31), month=st.sampled_from([1, 3, 5, 7, 8, 10, 12]))
def test_monthly_from_a_late_day_is_always_warned_about(day: int, month: int) -> None:
    start = chicago(2027, month, day, 18, 0)
    (warning,) = schedule_warnings(parse_repeat("monthly"), start, CHICAGO)
    assert "skips months" in warning and "monthly on the last day" in warning
    assert start - first_on_or_after("FREQ=MONTHLY", start, CHICAGO) == timedelta(0)  # type: ignore[operator]
