"""The plain rules behind answers over an event's lifetime, table-driven: which answers still
count after the RSVP deadline, and which date is under way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.events.dates import current_date
from cogs.events.seating import gives_back
from cogs.events.views import EventView

START = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("answer", "old", "old_guests", "guests", "counts"),
    [
        ("no", "going", 2, 0, True),
        ("no", None, 0, 0, True),
        ("no", "waitlist", 1, 0, True),
        ("yes", "going", 2, 1, True),  # fewer guests
        ("yes", "going", 2, 2, True),  # the same answer again
        ("yes", "going", 1, 2, False),  # more guests
        ("yes", "waitlist", 1, 0, True),
        ("yes", "maybe", 0, 0, False),  # asks for a seat
        ("yes", None, 0, 0, False),
        ("yes", "no", 0, 0, False),
        ("maybe", "going", 0, 0, True),
        ("maybe", None, 0, 0, False),
        ("maybe", "no", 0, 0, False),
    ],
)
def test_gives_back(
    answer: str, old: str | None, old_guests: int, guests: int, counts: bool
) -> None:
    assert gives_back(answer, old, old_guests, guests) is counts  # type: ignore[arg-type]


@given(st.sampled_from(["going", "waitlist"]), st.integers(0, 10), st.integers(0, 10))
def test_a_yes_counts_after_the_deadline_exactly_when_it_asks_for_no_more_seats(
    old: str, old_guests: int, guests: int
) -> None:
    assert gives_back("yes", old, old_guests, guests) is (guests <= old_guests)


def event(rrule: str | None = None, status: str = "scheduled", minutes: int = 120) -> EventView:
    return EventView(
        id=1, code="k3f9", title="Tea", kind="meetup", description=None, location=None,
        script=None, starts_at=START, duration_minutes=minutes, timezone="America/Chicago",
        rrule=rrule, capacity=None, deadline=None, reminder_minutes=(), reminders_in="dm",
        status=status, cancel_reason=None, channel_id="c", platform="console",
        community_id=1, creator_id=None, creator_name=None, sequence=0, created_at=START,
        updated_at=START,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("view", "now", "expected"),
    [
        (event(), START - timedelta(minutes=1), None),
        (event(), START, START),
        (event(), START + timedelta(minutes=119), START),
        (event(), START + timedelta(minutes=120), None),  # ended: over
        (event(status="cancelled"), START + timedelta(minutes=5), None),
        (event("FREQ=WEEKLY"), START + timedelta(days=7, minutes=5), START + timedelta(days=7)),
        (event("FREQ=WEEKLY"), START + timedelta(days=7, hours=3), None),
    ],
)
def test_current_date(view: EventView, now: datetime, expected: datetime | None) -> None:
    assert current_date(view, now) == expected
