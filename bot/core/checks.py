"""Declarative checks the dispatcher runs before a handler: permission level and rate limits."""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.core.commands import CommandSpec, Cooldown
from bot.core.errors import PermissionDenied, RateLimited
from bot.core.types import Invocation, Level

Check = Callable[[Invocation, CommandSpec], Awaitable[None]]


def require_level(inv: Invocation, needed: Level, what: str) -> None:
    if inv.person.level < needed:
        raise PermissionDenied(
            f"Only {needed.label}s can use {what}.",
            hint="Ask a moderator of this community if you need it.",
        )


class RateLimiter:
    """Sliding-window limits per person: a community-wide flood guard plus per-command cooldowns.

    Kept in memory on purpose: limits protect one process's chat traffic, and losing them on
    restart is harmless.
    """

    def __init__(self, per_minute: int) -> None:
        self.flood = Cooldown(rate=per_minute, per=60.0) if per_minute > 0 else None
        self._hits: dict[tuple[int, str], deque[datetime]] = {}

    def check(self, inv: Invocation, spec: CommandSpec) -> None:
        if self.flood is not None:
            self._hit((inv.person.id, "*"), self.flood, inv.now, "commands")
        if spec.cooldown is not None:
            self._hit((inv.person.id, spec.name), spec.cooldown, inv.now, f"/{spec.name}")

    def _hit(self, key: tuple[int, str], rule: Cooldown, now: datetime, what: str) -> None:
        hits = self._hits.setdefault(key, deque())
        while hits and (now - hits[0]).total_seconds() >= rule.per:
            hits.popleft()
        if len(hits) >= rule.rate:
            wait = rule.per - (now - hits[0]).total_seconds()
            raise RateLimited(
                f"You are sending {what} too quickly.",
                hint=f"Try again in {max(1, round(wait))} seconds.",
            )
        hits.append(now)
        if len(self._hits) > 50_000:  # forget idle people so memory stays bounded
            for k in [k for k, v in self._hits.items() if not v][:10_000]:
                del self._hits[k]
