"""Pacing rules as pure functions: GCRA with no burst, and a GCRA meter for error budgets.

GCRA (the generic cell rate algorithm, ITU-T I.371, "virtual scheduling") keeps one moment per
key, the theoretical arrival time (TAT): the earliest moment the next use conforms. With no
burst allowance the rule is short: a use at `now` conforms iff TAT <= now, and then TAT becomes
`now + interval`. Uses of one key are therefore never closer than `interval`, and any window of
`w` seconds holds at most ceil(w / interval) of them, so "N per minute" is never N + 1 in any
minute. A token bucket of N tokens, or a GCRA with a burst of N, allows 2N - 1 in some minute;
bursts are also exactly what anti-spam systems look for, so Potluck spaces its sends evenly.

Because the new TAT is `now + interval` (a value, not an expression over the old one), a shared
key is taken with one conditional UPDATE (`... WHERE tat <= now`) that several processes can
race on without ever overshooting: see storage/repositories/pacing.py.

A *meter* counts events after the fact (Discord's invalid requests): each event pushes the TAT
by `weight`, and sends stop while TAT - now is over `tolerance`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

EPOCH_TAT = datetime.fromisoformat("2000-01-01T00:00:00+00:00")  # "never used": conforms now


def interval_for(count: int, per: timedelta) -> timedelta:
    """The spacing that allows `count` uses per `per` (10 per minute -> 6 s).

    Raises ValueError for a count below 1."""
    if count < 1:
        raise ValueError(f"a rate needs at least one use per period, not {count}")
    return per / count


@dataclass(frozen=True, slots=True)
class Turn:
    """The answer for one use: `ok` with the key's new TAT, or the moment to come back."""

    ok: bool
    tat: datetime  # the key's TAT after this decision (unchanged when refused)
    ready_at: datetime  # when a use would conform (== now when ok)


def take(tat: datetime | None, now: datetime, interval: timedelta) -> Turn:
    """Use a key at `now`. `tat` None means the key was never used. Times are aware UTC."""
    if tat is None or tat <= now:
        return Turn(ok=True, tat=now + interval, ready_at=now)
    return Turn(ok=False, tat=tat, ready_at=tat)


@dataclass(frozen=True, slots=True)
class Gate:
    """A key that must conform for a use but is not spent by it (a Retry-After hold, a
    cool-down, a meter): it conforms while `tat - tolerance <= now`."""

    key: str
    tolerance: timedelta = timedelta(0)

    def ready_at(self, tat: datetime | None) -> datetime | None:
        return None if tat is None else tat - self.tolerance


def ready_at(now: datetime, key_tat: datetime | None, gates: Iterable[datetime | None]) -> datetime:
    """When a key and all its gates conform: the latest of their ready moments, at least now."""
    found = [now] + ([key_tat] if key_tat is not None else [])
    found += [g for g in gates if g is not None]
    return max(found)


def queued(ready: datetime, now: datetime, position: int, interval: timedelta) -> timedelta:
    """How long the `position`-th waiter (0 = first) should wait for a key that is free at
    `ready` and then once per `interval`: spreads waiters out instead of waking them all."""
    return max(ready - now, timedelta(0)) + interval * max(position, 0)


@dataclass(frozen=True, slots=True)
class Meter:
    """At most `limit` events per `window`, counted after they happen, with a safety share.

    Each event adds `weight` to the meter's TAT and sends stop while TAT - now > `tolerance`
    (= window). In any window the events that happened while sends were allowed number at most
    (window + tolerance) / weight = `share` * limit, so the remaining (1 - share) * limit covers
    requests already in flight in every process when the meter closed."""

    limit: int
    window: timedelta
    share: float = 0.8

    @property
    def weight(self) -> timedelta:
        return self.window * 2 / (self.limit * self.share)

    @property
    def tolerance(self) -> timedelta:
        return self.window

    def add(self, tat: datetime | None, now: datetime, events: int = 1) -> datetime:
        """The meter's TAT after `events` more events at `now`."""
        base = now if tat is None or tat < now else tat
        return base + self.weight * events

    def blocked_until(self, tat: datetime | None, now: datetime) -> datetime | None:
        """None while sends may go on, else the moment the meter drops to its tolerance."""
        if tat is None or tat - now <= self.tolerance:
            return None
        return tat - self.tolerance


# Discord: 10,000 invalid requests (HTTP 401, 403 and 429 except `X-RateLimit-Scope: shared`)
# per 10 minutes, then a temporary IP ban. https://discord.com/developers/docs/topics/rate-limits
DISCORD_INVALID_REQUESTS = Meter(limit=10_000, window=timedelta(minutes=10))
