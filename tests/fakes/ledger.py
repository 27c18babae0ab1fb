"""What a stand-in platform created, when and for whom: the evidence for exactly-once and
pacing checks, plus a way to hold a request's answer after the platform acted on it.

Times are `time.monotonic()` seconds taken when the request arrived, in the test process, so
they can be compared across stand-ins and with moments the test takes itself.
"""

# The wait helpers take `timeout=` by design (tests read better than asyncio.timeout blocks).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Created:
    """One message the platform really created (a deduplicated repeat is not one)."""

    at: float
    destination: str  # the channel id it went to
    message_id: str
    token: str | None  # which bot process asked (its token), when known
    key: str | None  # the idempotency key it carried (Discord nonce, Slack metadata), if any
    body: Any = None


@dataclass(frozen=True)
class DMOpen:
    """A request to open a DM channel; `new` when no channel with that person existed."""

    at: float
    user_id: str
    new: bool
    token: str | None


@dataclass
class Ledger:
    created: list[Created] = field(default_factory=list)
    dm_opens: list[DMOpen] = field(default_factory=list)
    repeats: int = 0  # creates answered with an existing message (Discord's nonce rule)

    def by_destination(self) -> dict[str, list[float]]:
        out: dict[str, list[float]] = defaultdict(list)
        for c in self.created:
            out[c.destination].append(c.at)
        return dict(out)

    def new_dm_times(self) -> list[float]:
        return [o.at for o in self.dm_opens if o.new]

    def keys(self) -> list[str]:
        return [c.key for c in self.created if c.key]


def most_in_window(times: Iterable[float], window: float) -> int:
    """The largest number of `times` inside any half-open window [t, t + window)."""
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, bisect.bisect_left(ordered, start + window) - i)
    return best


@dataclass
class Hold:
    """Answers to matching requests wait (after the platform acted) until released."""

    matches: Callable[[Any], bool]
    held: list[Any] = field(default_factory=list)
    released: asyncio.Event = field(default_factory=asyncio.Event)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        self.released.set()

    async def wait_held(self, timeout: float = 10.0) -> Any:
        """The first held request, once there is one."""
        async with asyncio.timeout(timeout):
            await self._arrived.wait()
        return self.held[0]


@dataclass
class Holds:
    active: list[Hold] = field(default_factory=list)

    def add(self, matches: Callable[[Any], bool]) -> Hold:
        hold = Hold(matches)
        self.active.append(hold)
        return hold

    async def pause(self, request: Any) -> None:
        for hold in self.active:
            if not hold.released.is_set() and hold.matches(request):
                hold.held.append(request)
                hold._arrived.set()
                await hold.released.wait()
                return

    def release_all(self) -> None:
        for hold in self.active:
            hold.release()
