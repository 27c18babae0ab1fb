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


_MAX_TRACKED = 50_000


class RateLimiter:
    """Sliding-window limits per person: a community-wide flood guard plus per-command cooldowns.

    Kept in memory on purpose: limits protect one process's chat traffic, and losing them on
    restart is harmless.
    """

    def __init__(self, per_minute: int) -> None:
        self.flood = Cooldown(rate=per_minute, per=60.0) if per_minute > 0 else None
        self._hits: dict[tuple[int, str], deque[datetime]] = {}
        self._cleaned_at: datetime | None = None

    def check(self, inv: Invocation, spec: CommandSpec | None = None) -> None:
        """Count one use by this person (a command, or a button press when spec is None)."""
        if self.flood is not None:
            self._hit((inv.person.id, "*"), self.flood, inv.now, "commands")
        if spec is not None and spec.cooldown is not None:
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
        if len(self._hits) > _MAX_TRACKED and (
            self._cleaned_at is None or (now - self._cleaned_at).total_seconds() >= 60
        ):
            self._cleaned_at = now
            self._forget_idle(now)

    def _forget_idle(self, now: datetime) -> None:
        """Drop people whose last use is older than every window, so memory stays bounded."""
        longest = max([self.flood.per if self.flood else 0.0, 3600.0])
        for key in [
            k for k, v in self._hits.items() if not v or (now - v[-1]).total_seconds() >= longest
        ]:
            del self._hits[key]
