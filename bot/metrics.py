"""Prometheus metrics for one bot process, served at /metrics by the web server.

Each `Metrics` has its own `CollectorRegistry` (never the library's global one), so two bots
in one test process, or a test and the bot it drives, count apart. What is counted:

- potluck_outbox_depth{platform}: rows still to send (pending or claimed), read from the
  database at each scrape, so every process reports the shared queue;
- potluck_outbox_oldest_due_age_seconds{platform}: how long ago the oldest of them fell due
  (0 when none is due yet), also read at scrape time;
- potluck_outbox_sends_total, _retries_total, _rate_limited_total (HTTP 429, Retry-After),
  _new_dms_too_fast_total (Discord error 40003), each by platform, for this process;
- potluck_command_seconds{command}: a histogram of how long commands and buttons took;
- potluck_errors_total{kind}: failures shown to people as "ref ABC123", by what failed;
- potluck_invitation_decisions_total{outcome}: for the invitations cog to count its
  decisions ("sent", "later", "refused", ...) with `metrics.invitation_decisions.labels(
  outcome=...).inc()`.

Format: the Prometheus text exposition format 0.0.4, written by prometheus-client.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bot.core.clock import Clock
from bot.core.telemetry import DeliveryOutcome
from storage.db import Database
from storage.repositories import outbox as outbox_repo

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

# Commands answer in milliseconds on a quiet bot; Discord gives an interaction 3 s before it
# must be deferred, so the buckets are dense below 3 s and stop at 10 s.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)


class Metrics:
    """The counters of one process. Implements bot.core.telemetry.Telemetry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.outbox_depth = Gauge(
            "potluck_outbox_depth",
            "Outbox rows still to send (pending or claimed), all processes, at scrape time.",
            ["platform"],
            registry=r,
        )
        self.outbox_oldest_due_age = Gauge(
            "potluck_outbox_oldest_due_age_seconds",
            "Seconds since the oldest unsent outbox row fell due (0: none due), at scrape time.",
            ["platform"],
            registry=r,
        )
        self.sends = Counter(
            "potluck_outbox_sends", "Messages the platform accepted.", ["platform"], registry=r
        )
        self.retries = Counter(
            "potluck_outbox_retries",
            "Sends that failed unexpectedly and will be tried again.",
            ["platform"],
            registry=r,
        )
        self.rate_limited = Counter(
            "potluck_outbox_rate_limited",
            "Sends refused with HTTP 429 (Retry-After honoured).",
            ["platform"],
            registry=r,
        )
        self.new_dms_too_fast = Counter(
            "potluck_outbox_new_dms_too_fast",
            "New direct messages refused as opened too fast (Discord error 40003).",
            ["platform"],
            registry=r,
        )
        self.command_seconds = Histogram(
            "potluck_command_seconds",
            "Time from a command or button reaching the bot to its answer.",
            ["command"],
            buckets=COMMAND_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "potluck_errors",
            "Failures shown to people with a ref, by what failed.",
            ["kind"],
            registry=r,
        )
        self.invitation_decisions = Counter(
            "potluck_invitation_decisions",
            "Invitation decisions by outcome.",
            ["outcome"],
            registry=r,
        )
        self._by_outcome = {
            "sent": self.sends,
            "retry": self.retries,
            "rate_limited": self.rate_limited,
            "dms_too_fast": self.new_dms_too_fast,
        }
        self._platforms: set[str] = set()

    # -- Telemetry ---------------------------------------------------------------------------

    def command_finished(self, command: str, seconds: float) -> None:
        self.command_seconds.labels(command=command).observe(seconds)

    def error(self, kind: str) -> None:
        self.errors.labels(kind=kind).inc()

    def delivery(self, platform: str, outcome: DeliveryOutcome) -> None:
        self._by_outcome[outcome].labels(platform=platform).inc()

    def platform(self, name: str) -> None:
        """Show `name`'s series (at 0) before anything happened on it."""
        self._platforms.add(name)
        for counter in self._by_outcome.values():
            counter.labels(platform=name)

    # -- scraping ----------------------------------------------------------------------------

    async def render(self, db: Database, now: datetime) -> bytes:
        """The text exposition of every metric, the outbox gauges read from `db` as of `now`
        (UTC). Raises what the database raises when it cannot be read."""
        async with db.sessions() as session:
            backlog = await outbox_repo.backlog(session, now)
        for platform in self._platforms | set(backlog):
            depth, oldest = backlog.get(platform, (0, None))
            self.outbox_depth.labels(platform=platform).set(depth)
            age = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
            self.outbox_oldest_due_age.labels(platform=platform).set(age)
        return generate_latest(self.registry)

    def handler(
        self, db: Database, clock: Clock
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        """The aiohttp handler for GET /metrics: 200 with the exposition, or 503 with one
        line when the database cannot be read (Prometheus then records the scrape as failed
        rather than a queue of zero)."""

        async def metrics(_request: web.Request) -> web.Response:
            try:
                body = await self.render(db, clock.now())
            except Exception as exc:
                return web.Response(status=503, text=f"database: {type(exc).__name__}\n")
            response = web.Response(body=body)
            response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
            response.charset = "utf-8"
            return response

        return metrics
