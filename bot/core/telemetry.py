"""What the core reports about its own work, for whoever counts it (bot/metrics.py).

The core knows no metrics library: the dispatcher and the outbox call these methods, and the
composition root (bot/app.py) passes the Prometheus implementation. `NoTelemetry` counts
nothing, for tests and tools that build a dispatcher or an outbox on their own.

It also carries the log context: which platform and community the current task works for,
kept in a context variable so every log line written meanwhile (ours or a library's) can name
them (bot/logs.py adds them to each record).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, Protocol

# What a delivery attempt came to, as counted per platform:
#   sent: the platform accepted it; retry: an unexpected error, tried again later;
#   rate_limited: the platform said 429 (Retry-After); dms_too_fast: Discord's 40003.
DeliveryOutcome = Literal["sent", "retry", "rate_limited", "dms_too_fast"]


class Telemetry(Protocol):
    def command_finished(self, command: str, seconds: float) -> None:
        """A command or button press was answered after `seconds` (wall time)."""
        ...

    def error(self, kind: str) -> None:
        """A failure was shown to someone as "ref ABC123"; `kind` is what failed:
        "command", "button", "form", "event"."""
        ...

    def delivery(self, platform: str, outcome: DeliveryOutcome) -> None:
        """One outbox delivery attempt on `platform` ended with `outcome`."""
        ...


class NoTelemetry:
    def command_finished(self, command: str, seconds: float) -> None:
        pass

    def error(self, kind: str) -> None:
        pass

    def delivery(self, platform: str, outcome: DeliveryOutcome) -> None:
        pass


@dataclass(frozen=True, slots=True)
class LogContext:
    """Who the current task works for: a platform name and our community id (or None)."""

    platform: str | None = None
    community: int | None = None


current_log_context: contextvars.ContextVar[LogContext] = contextvars.ContextVar(
    "potluck_log_context",
    default=LogContext(),  # noqa: B039 (frozen: never changed in place)
)


@contextmanager
def log_context(platform: str | None, community: int | None) -> Iterator[None]:
    """Name `platform` and `community` on every log line written inside the block."""
    token = current_log_context.set(LogContext(platform, community))
    try:
        yield
    finally:
        current_log_context.reset(token)
