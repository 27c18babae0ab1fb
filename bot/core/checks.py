"""Declarative checks the dispatcher runs before a handler: permission level and rate limits."""

from __future__ import annotations

import math

from cachetools import TTLCache

from bot.core.clock import Clock, SystemClock
from bot.core.commands import CommandSpec, Cooldown
from bot.core.errors import PermissionDenied, RateLimited
from bot.core.types import Invocation, Level

# How many (person, limit) windows are remembered at once. Past that the least recently used
# is forgotten first (that person may then get one window's uses early). Measured with
# tracemalloc: about 360 bytes for a person with one recent command, 1.3 KB with 30.
REMEMBERED_WINDOWS = 100_000


def require_level(inv: Invocation, needed: Level, what: str) -> None:
    if inv.person.level < needed:
        raise PermissionDenied(
            f"Only {needed.label}s can use {what}.",
            hint="Ask a moderator of this community if you need it.",
        )


class RateLimiter:
    """Moving-window limits per person: a community-wide flood guard plus per-command
    cooldowns. A limit of `rate` uses per `per` seconds refuses a use while the person's
    `rate`-th latest counted use is at most `per` seconds old (`Cooldown.per` is rounded to
    whole seconds, at least 1), and says to try again the first whole second it would work.
    Refused uses are not counted.

    Each person's latest uses live in a `cachetools.TTLCache` per window length: bounded
    (`REMEMBERED_WINDOWS`), and an entry is dropped lazily once its newest use is a window
    (plus one second) old, with no background thread. The `limits` library's in-memory
    moving window did the same counting, but its storage rescans every person's window every
    10 ms from a thread while commands keep coming: 8-16% of a core with 1,000-10,000 people
    in the window (`bench/rate_limiter.py`, README "Rate limiter").

    Kept in memory on purpose: limits protect one process's chat traffic, and losing them on
    restart is harmless. Times come from `clock` (the dispatcher's), so tests move them.
    """

    def __init__(self, per_minute: int, clock: Clock | None = None) -> None:
        self.flood = Cooldown(rate=per_minute, per=60.0) if per_minute > 0 else None
        self.clock: Clock = clock or SystemClock()
        # window length in seconds -> (person id, scope, rate) -> their latest counted uses
        self._recent: dict[int, TTLCache[tuple[int, str, int], tuple[float, ...]]] = {}

    def check(self, inv: Invocation, spec: CommandSpec | None = None) -> None:
        """Count one use by this person (a command, or a button press when spec is None);
        raises RateLimited, saying how long to wait, when a limit is spent."""
        if self.flood is not None:
            self._hit(inv, "*", self.flood, "commands")
        if spec is not None and spec.cooldown is not None:
            self._hit(inv, spec.name, spec.cooldown, f"/{spec.name}")

    def _timestamp(self) -> float:
        return self.clock.now().timestamp()

    def _hit(self, inv: Invocation, scope: str, rule: Cooldown, what: str) -> None:
        window = max(1, round(rule.per))
        recent = self._recent.get(window)
        if recent is None:
            # One second past the window, so a use exactly `window` seconds old still counts.
            recent = TTLCache(REMEMBERED_WINDOWS, window + 1, timer=self._timestamp)
            self._recent[window] = recent
        key = (inv.person.id, scope, rule.rate)
        now = inv.now.timestamp()
        uses = recent.get(key, ())  # oldest first, at most `rate` of them
        if len(uses) == rule.rate and uses[0] >= now - window:
            # The oldest of the last `rate` uses frees a use once it is strictly older than
            # the window, so the first whole second that works is the one after that.
            wait = max(1, math.floor(uses[0] + window - now) + 1)
            raise RateLimited(
                f"You are sending {what} too quickly.",
                hint=f"Try again in {wait} second{'' if wait == 1 else 's'}.",
            )
        # Setting the entry restarts its time to live from this use.
        recent[key] = (*uses[1:], now) if len(uses) == rule.rate else (*uses, now)
