"""Working hours across time zones, on the date of the round (daylight-saving time included)."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cogs.mentors.hours import WorkingDay, overlap_minutes
from tests.mentors.strategies import ZONES


@pytest.mark.parametrize(
    ("a", "b", "on", "hours"),
    [
        ("America/Chicago", "America/Chicago", date(2026, 1, 12), 8),
        ("America/New_York", "Europe/London", date(2026, 1, 12), 3),
        # 9-29 March 2026: the US is on summer time, the UK not yet: one hour more overlap.
        ("America/New_York", "Europe/London", date(2026, 3, 16), 4),
        ("America/New_York", "Europe/London", date(2026, 4, 6), 3),
        ("Asia/Tokyo", "Europe/Berlin", date(2026, 1, 12), 0),
        # Across the date line: Auckland's Monday morning is Los Angeles' Sunday afternoon.
        ("Pacific/Auckland", "America/Los_Angeles", date(2026, 1, 12), 5),
        ("Asia/Kolkata", "Europe/London", date(2026, 1, 12), 2.5),
    ],
)
def test_overlap_of_working_days(a: str, b: str, on: date, hours: float) -> None:
    assert overlap_minutes(a, b, on) == hours * 60
    assert overlap_minutes(b, a, on) == hours * 60


def test_a_longer_working_day_overlaps_more() -> None:
    day = WorkingDay(time(8), time(20))
    assert overlap_minutes("America/New_York", "Europe/London", date(2026, 1, 12), day) == 7 * 60


def test_a_day_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="start before it ends"):
        WorkingDay(time(17), time(9))


@settings(derandomize=True, max_examples=80, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
)
def test_overlap_is_symmetric_and_within_the_day(a: str, b: str, on: date) -> None:
    minutes = overlap_minutes(a, b, on)
    assert minutes == overlap_minutes(b, a, on)
    assert 0 <= minutes <= 8 * 60
    assert overlap_minutes(a, a, on) == 8 * 60
