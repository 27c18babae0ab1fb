"""Who gets a seat: the capacity, waitlist, promotion and demotion rules, over plain values.

No database and no messages: the service gathers the counts and the parties, calls these, and
writes the outcome. A party is one person plus their guests; seats count the whole party. The
waitlist is served in arrival order (`seq`); a party too big for the free seats waits while a
smaller one behind it may pass, as on Meetup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.core.errors import UserError
from cogs.events.views import Tally
from cogs.events.words import count

Answer = Literal["yes", "maybe", "no", "clear"]  # what a person says; "clear" removes it


@dataclass(frozen=True, slots=True)
class Party:
    """One person's answer as the seating rules see it."""

    rsvp_id: int
    guests: int
    seq: int = 0  # arrival order

    @property
    def size(self) -> int:
        return 1 + self.guests


def _plural(n: int, word: str) -> str:
    return count(n, word)


def decide(
    title: str,
    capacity: int | None,
    tally: Tally,
    answer: Answer,
    old: str | None,
    old_guests: int,
    guests: int,
) -> str:
    """The status an answer gets: "going", "maybe", "no" or "waitlist".

    `old`/`old_guests` are the person's current status and guests (None if they had not
    answered), `guests` the guests they bring now, `tally` the date's counts before this answer.
    Raises UserError when a party can never be seated (bigger than the capacity) or when
    someone going asks for more guests than there are free seats (they keep their spot)."""
    if answer in ("maybe", "no"):
        return answer
    party = 1 + guests
    if capacity is None:
        return "going"
    if old == "going":
        free = capacity - (tally.going_seats - (1 + old_guests))
        if party > free:
            kept = (
                f"You keep your spot with {_plural(old_guests, 'guest')}."
                if old_guests
                else ("You keep your spot.")
            )
            if free <= 1:
                raise UserError(
                    f"“{title}” is full, so there is no room for guests"
                    + (": the one spot is yours." if capacity == 1 else "."),
                    hint=f"{kept} Ask the organizer for more spots to bring someone.",
                )
            raise UserError(
                f"There is room for {_plural(free, 'person')} in your "
                f"party, so you can bring at most {_plural(free - 1, 'guest')}.",
                hint=f"{kept} Try guests:{free - 1}.",
            )
        return "going"
    if party > capacity:
        # A party that could never be seated is refused, not left waiting forever.
        most = capacity - 1
        if most == 0:
            raise UserError(
                f"“{title}” has 1 spot in all, so guests can't come: the one spot is for you.",
                hint="Try guests:0 to answer for yourself, or ask the organizer for more spots.",
            )
        raise UserError(
            f"“{title}” has {_plural(capacity, 'spot')} "
            f"in all, so a party of {party} can never fit: you can bring at most "
            f"{_plural(most, 'guest')}.",
            hint=f"Try guests:{most}, or ask the organizer for more spots.",
        )
    if old == "waitlist":
        return "waitlist"  # promotions seat the party as soon as it fits, in order
    # Anyone still waiting needs more seats than are free (else they had been seated), so a
    # party that fits now may take them, as on Meetup.
    return "going" if party <= capacity - tally.going_seats else "waitlist"


def gives_back(answer: Answer, old: str | None, old_guests: int, guests: int) -> bool:
    """Whether an answer only gives seats back (or changes nothing): "no", "maybe" from an
    answer already counted, or "yes" with no more guests than before. These still count
    after the RSVP deadline, since the organizer would rather know and a waiting party can
    take the seat; anything that asks for a seat or more seats does not."""
    if answer == "no":
        return True
    if answer == "maybe":
        return old in ("going", "maybe", "waitlist")
    return old in ("going", "waitlist") and guests <= old_guests


def promotions(capacity: int | None, going_seats: int, waiting: Sequence[Party]) -> list[Party]:
    """The waiting parties (given in arrival order) that move up now: each one that fits the
    seats still free, in order, until none are free. Without a capacity, all of them."""
    if capacity is None:
        return list(waiting)
    free = capacity - going_seats
    seated: list[Party] = []
    for party in waiting:
        if free <= 0:
            break
        if party.size > free:
            continue
        seated.append(party)
        free -= party.size
    return seated


def demotions(capacity: int | None, going_seats: int, going: Sequence[Party]) -> list[Party]:
    """After the capacity went down: the parties going (given latest answer first) that move
    back to the waitlist, latest first, until the rest fit."""
    if capacity is None:
        return []
    moved: list[Party] = []
    for party in going:
        if going_seats <= capacity:
            break
        moved.append(party)
        going_seats -= party.size
    return moved


def front_of_waitlist(demoted: Sequence[Party], first_waiting_seq: int | None) -> dict[int, int]:
    """New arrival numbers for parties moved back to the waitlist: they had a seat, so they go
    ahead of everyone already waiting (whose first `seq` is `first_waiting_seq`), in their
    own arrival order. Returns {rsvp_id: seq}; empty when nobody was waiting (their own
    numbers already put them in order)."""
    if first_waiting_seq is None:
        return {}
    ordered = sorted(demoted, key=lambda p: (p.seq, p.rsvp_id))
    start = first_waiting_seq - len(ordered)
    return {p.rsvp_id: start + i for i, p in enumerate(ordered)}


def never_fit(capacity: int | None, waiting: Sequence[Party]) -> list[Party]:
    """Waiting parties bigger than the whole capacity: they can never move up."""
    if capacity is None:
        return []
    return [p for p in waiting if p.size > capacity]
