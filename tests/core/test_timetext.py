"""Reading the dates and durations people type."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.errors import BadOption
from bot.core.timetext import parse_when

CHICAGO = ZoneInfo("America/Chicago")
FRIDAY_MORNING = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Fri 27 Nov, 10:00 in Chicago


@pytest.mark.parametrize(
    ("typed", "local"),
    [
        ("friday 6pm", "2026-11-27 18:00"),  # later today, not next week
        ("friday 9am", "2026-12-04 09:00"),  # already past today: next week
        ("next friday 6pm", "2026-12-04 18:00"),
        ("tomorrow at noon", "2026-11-28 12:00"),
        ("2026-12-04 18:00", "2026-12-04 18:00"),
        ("dec 4 6 pm", "2026-12-04 18:00"),
        ("in 2 hours", "2026-11-27 12:00"),
        ("in 3 days", "2026-11-30 10:00"),
        ("2027-03-14 18:00", "2027-03-14 18:00"),  # the day daylight saving starts
        # dateparser drops the day and the time after "next month" unless the day comes first.
        ("next month on the 3rd 6pm", "2026-12-03 18:00"),
        ("next month the 3rd at 6pm", "2026-12-03 18:00"),
        ("coming month on the 12th 18:00", "2026-12-12 18:00"),
        ("this month on the 30th 6pm", "2026-11-30 18:00"),
    ],
)
def test_times_are_read_in_the_persons_zone(typed: str, local: str) -> None:
    parsed = parse_when(typed, now=FRIDAY_MORNING, zone=CHICAGO)
    assert parsed.tzinfo is not None
    assert parsed.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M") == local


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("10", "could be a day, a month or an hour"),
        ("dec 4", "has no time of day"),
        ("2026-12-04", "has no time of day"),
        ("the blurst of times", "I could not understand the date"),
        ("monday", "has no time of day"),
        ("blurstday 6pm", "I could not understand the date"),
        ("9999-12-31 23:30", "outside the dates I can work with"),
        (
            "9999-01-01 18:00",
            "more than 10 years ahead: I take dates from now until the end of 2036",
        ),
        ("2037-01-01 18:00", "until the end of 2036"),
        # A part dateparser leaves out is named, never replaced by the current day or minute.
        ("next month on 3 6pm", "could not fit its time of day `6pm`"),
        ("next year on the 3rd 6pm", "could not place the day `3rd`"),
    ],
)
def test_ambiguous_or_unreadable_dates_are_refused(typed: str, message: str) -> None:
    with pytest.raises(BadOption, match=message):
        parse_when(typed, now=FRIDAY_MORNING, zone=CHICAGO)
