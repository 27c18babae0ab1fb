"""The seating rules over plain values: who gets a seat, who waits, who moves."""

from __future__ import annotations

import pytest

from bot.core.errors import UserError
from cogs.events.seating import (
    Party,
    decide,
    demotions,
    front_of_waitlist,
    never_fit,
    promotions,
)
from cogs.events.views import Tally


def going(seats: int, parties: int | None = None) -> Tally:
    return Tally(going_parties=parties if parties is not None else seats, going_seats=seats)


@pytest.mark.parametrize(
    ("capacity", "tally", "answer", "old", "old_guests", "guests", "expected"),
    [
        (None, going(500), "yes", None, 0, 3, "going"),  # no capacity: always a seat
        (10, going(0), "maybe", None, 0, 0, "maybe"),
        (10, going(10), "no", "going", 2, 0, "no"),
        (10, going(9), "yes", None, 0, 0, "going"),  # the last seat
        (10, going(10), "yes", None, 0, 0, "waitlist"),  # full
        (10, going(8), "yes", None, 0, 2, "waitlist"),  # a party of 3 with 2 seats free
        (10, going(8), "yes", "waitlist", 0, 0, "waitlist"),  # waiting keeps its place
        (10, going(10), "yes", "going", 1, 1, "going"),  # same party, already seated
        (10, going(9), "yes", "going", 0, 1, "going"),  # one more guest in the last seat
        (10, going(10), "yes", "maybe", 0, 0, "waitlist"),
    ],
)
def test_decide(
    capacity: int | None,
    tally: Tally,
    answer: str,
    old: str | None,
    old_guests: int,
    guests: int,
    expected: str,
) -> None:
    assert decide("Club", capacity, tally, answer, old, old_guests, guests) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("capacity", "tally", "old", "old_guests", "guests", "says"),
    [
        (4, going(0), None, 0, 4, "a party of 5 can never fit: you can bring at most 3 guests"),
        (1, going(0), None, 0, 1, "1 spot in all, so guests can't come"),
        (10, going(10), "going", 0, 1, "full, so there is no room for guests"),
        (10, going(9), "going", 1, 3, "room for 3 people in your party"),
    ],
)
def test_decide_refuses_parties_that_cannot_be_seated(
    capacity: int, tally: Tally, old: str | None, old_guests: int, guests: int, says: str
) -> None:
    with pytest.raises(UserError, match=says):
        decide("Club", capacity, tally, "yes", old, old_guests, guests)


def parties(*sizes: int) -> list[Party]:
    """Parties in arrival order; rsvp ids 1, 2, ... and seq equal to the id."""
    return [Party(rsvp_id=i, guests=size - 1, seq=i) for i, size in enumerate(sizes, 1)]


@pytest.mark.parametrize(
    ("capacity", "seats_taken", "waiting", "seated"),
    [
        (10, 10, (1, 1), []),  # no seat free
        (10, 9, (1, 1), [1]),  # one seat: the first in line
        (10, 8, (3, 1, 1), [2, 3]),  # the party of 3 waits, smaller ones behind it pass
        (10, 7, (3, 1), [1]),  # first in line fits exactly; nothing left
        (10, 5, (2, 2, 2), [1, 2]),  # in arrival order until the seats run out
        (None, 100, (4, 1), [1, 2]),  # no capacity: everyone
        (10, 12, (1,), []),  # over capacity (lowered): nobody moves up
    ],
)
def test_promotions(
    capacity: int | None, seats_taken: int, waiting: tuple[int, ...], seated: list[int]
) -> None:
    moved = promotions(capacity, seats_taken, parties(*waiting))
    assert [p.rsvp_id for p in moved] == seated


@pytest.mark.parametrize(
    ("capacity", "seats_taken", "latest_first", "moved_back"),
    [
        (10, 10, (1, 1), []),  # fits already
        (8, 10, (1, 1, 1), [1, 2]),  # the latest answers go back, one by one
        (8, 10, (3, 1), [1]),  # a party of 3 frees enough seats at once
        (None, 50, (1,), []),
        (0, 3, (1, 2), [1, 2]),
    ],
)
def test_demotions(
    capacity: int | None, seats_taken: int, latest_first: tuple[int, ...], moved_back: list[int]
) -> None:
    moved = demotions(capacity, seats_taken, parties(*latest_first))
    assert [p.rsvp_id for p in moved] == moved_back


@pytest.mark.parametrize(
    ("demoted", "first_waiting", "seqs"),
    [
        # They go ahead of everyone waiting (first seq 20), in their own arrival order.
        ([Party(7, 0, seq=15), Party(5, 0, seq=12)], 20, {5: 18, 7: 19}),
        ([Party(3, 0, seq=4)], 1, {3: 0}),
        ([Party(3, 0, seq=4)], None, {}),  # nobody waiting: their own order stands
    ],
)
def test_front_of_waitlist(
    demoted: list[Party], first_waiting: int | None, seqs: dict[int, int]
) -> None:
    assert front_of_waitlist(demoted, first_waiting) == seqs


@pytest.mark.parametrize(
    ("capacity", "waiting", "too_big"),
    [(4, (5, 4, 6), [1, 3]), (4, (1, 2), []), (None, (50,), [])],
)
def test_never_fit(capacity: int | None, waiting: tuple[int, ...], too_big: list[int]) -> None:
    assert [p.rsvp_id for p in never_fit(capacity, parties(*waiting))] == too_big
