"""Declarative checks the dispatcher runs before a handler: permission level and rate limits."""

from __future__ import annotations

import math

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from bot.core.commands import CommandSpec, Cooldown
from bot.core.errors import PermissionDenied, RateLimited
from bot.core.types import Invocation, Level


def require_level(inv: Invocation, needed: Level, what: str) -> None:
    if inv.person.level < needed:
        raise PermissionDenied(
            f"Only {needed.label}s can use {what}.",
            hint="Ask a moderator of this community if you need it.",
        )


class RateLimiter:
    """Moving-window limits per person: a community-wide flood guard plus per-command
    cooldowns, counted by the `limits` library's moving window in memory (each use is
    remembered for its window; expired ones are dropped by the library, so memory stays
    bounded by the traffic of the last window).

    Kept in memory on purpose: limits protect one process's chat traffic, and losing them on
    restart is harmless. Windows are whole seconds (`Cooldown.per` is rounded, at least 1).
    """

    def __init__(self, per_minute: int, storage: MemoryStorage | None = None) -> None:
        self.flood = Cooldown(rate=per_minute, per=60.0) if per_minute > 0 else None
        self.storage = storage or MemoryStorage()
        self._window = MovingWindowRateLimiter(self.storage)

    def check(self, inv: Invocation, spec: CommandSpec | None = None) -> None:
        """Count one use by this person (a command, or a button press when spec is None);
        raises RateLimited, saying how long to wait, when a limit is spent."""
        if self.flood is not None:
            self._hit(inv, "*", self.flood, "commands")
        if spec is not None and spec.cooldown is not None:
            self._hit(inv, spec.name, spec.cooldown, f"/{spec.name}")

    def _hit(self, inv: Invocation, scope: str, rule: Cooldown, what: str) -> None:
        item = RateLimitItemPerSecond(rule.rate, max(1, round(rule.per)))
        who = str(inv.person.id)
        if self._window.hit(item, who, scope):
            return
        reset = self._window.get_window_stats(item, who, scope).reset_time
        # The moving window frees a use only once its oldest hit is strictly older than the
        # window, so the first whole second that works is the one after `reset`.
        wait = max(1, math.floor(reset - inv.now.timestamp()) + 1)
        raise RateLimited(
            f"You are sending {what} too quickly.",
            hint=f"Try again in {wait} second{'' if wait == 1 else 's'}.",
        )
