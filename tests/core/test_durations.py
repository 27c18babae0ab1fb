"""Durations as people type them: read when they fit, refused by name when too long."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import BadOption
from bot.core.timetext import MAX_DURATION, parse_duration

UNITS = {"years": timedelta(days=365), "weeks": timedelta(weeks=1), "days": timedelta(days=1)}


@given(st.integers(min_value=1, max_value=99_999), st.sampled_from(sorted(UNITS)))
def test_a_duration_is_read_or_refused_as_too_long(count: int, unit: str) -> None:
    expected = count * UNITS[unit]
    if expected <= MAX_DURATION:
        assert parse_duration(f"{count} {unit}") == expected
    else:
        with pytest.raises(BadOption, match="too long: a duration can be at most 10 years"):
            parse_duration(f"{count} {unit}")


def test_nine_thousand_years_is_too_long_not_unreadable() -> None:
    with pytest.raises(BadOption) as raised:
        parse_duration("9999 years")
    assert "too long" in raised.value.message and "could not read" not in raised.value.message
