"""The plain rules around rounds: languages, pauses that end by themselves, the cadence of
scheduled rounds, and the words of an intro."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import BadOption
from cogs.mentors.profiles import is_paused, read_languages
from cogs.mentors.schedules import first_run, next_run, read_every

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "tags"),
    [
        ("en", {"en"}),
        ("en, es", {"en", "es"}),
        ("EN-gb fr;de/es-419", {"en", "fr", "de", "es"}),
        ("", set()),
    ],
)
def test_languages_are_primary_subtags(typed: str, tags: set[str]) -> None:
    assert read_languages(typed) == tags


@pytest.mark.parametrize("typed", ["english!", "e", "en_US", "1234"])
def test_unreadable_languages_are_named(typed: str) -> None:
    with pytest.raises(BadOption) as caught:
        read_languages(typed)
    assert "language code" in caught.value.message and 'languages:"en, es"' in (
        caught.value.hint or ""
    )


@given(st.text(max_size=40))
def test_read_languages_gives_tags_or_a_friendly_error(text: str) -> None:
    try:
        tags = read_languages(text)
    except BadOption as exc:
        assert exc.hint and "languages:" in exc.hint
        return
    assert all(tag.isalpha() and tag.islower() and 2 <= len(tag) <= 3 for tag in tags)


def test_a_pause_with_an_end_expires_by_itself() -> None:
    assert is_paused(True, NOW + timedelta(days=1), NOW)
    assert not is_paused(True, NOW, NOW)  # ends at that moment
    assert is_paused(True, None, NOW + timedelta(days=9999))  # until resumed
    assert not is_paused(False, None, NOW)


@pytest.mark.parametrize("typed", ["off", "Stop", " never "])
def test_every_off_stops(typed: str) -> None:
    assert read_every(typed) is None


@pytest.mark.parametrize(
    ("typed", "message"),
    [("2 hours", "between 1 day and 1 year"), ("400 days", "between"), ("often", "`every:`")],
)
def test_every_refuses_what_it_cannot_use(typed: str, message: str) -> None:
    with pytest.raises(BadOption) as caught:
        read_every(typed)
    assert message in caught.value.message


def test_every_reads_weeks() -> None:
    assert read_every("4 weeks") == timedelta(weeks=4)


@given(
    st.integers(0, 10**8),  # seconds the process was away after the due time
    st.integers(86400, 366 * 86400),  # the period
)
def test_next_run_is_the_first_on_the_cadence_after_now(away: int, period: int) -> None:
    every = timedelta(seconds=period)
    now = NOW + timedelta(seconds=away)
    after = next_run(NOW, every, now)
    assert after > now and after - every <= now
    assert (after - NOW) % every == timedelta(0)


def test_first_run() -> None:
    week = timedelta(weeks=1)
    assert first_run(None, week, NOW) == NOW + week  # NOW is on the hour
    odd = NOW + timedelta(minutes=31)
    assert first_run(None, week, odd) == NOW + week + timedelta(hours=1)
    kept = NOW + timedelta(days=2, hours=-2)
    assert first_run(None, 4 * week, NOW, kept) == kept
    assert first_run(None, 4 * week, kept + timedelta(hours=1), kept) == kept + 4 * week
    assert first_run(NOW + timedelta(hours=1), week, NOW) == NOW + timedelta(hours=1)
    assert first_run(NOW - timedelta(hours=1), week, NOW) == NOW - timedelta(hours=1) + week
