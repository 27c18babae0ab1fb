"""Readiness for a load balancer or an orchestrator: GET /healthz on the bot's web server.

Ready (200, `{"ok": true}`) only while the database answers a `SELECT 1` within
`DATABASE_TIMEOUT` seconds and every platform connection this process was configured with is
up; otherwise 503 with `{"ok": false, "reason": "<one line>"}`, so traffic (Slack's HTTP
requests behind a load balancer) goes to another process. A process that is draining after
SIGTERM is not ready either.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from storage.db import Database, DatabaseUnavailable

# A database that takes longer than this to answer `SELECT 1` is as good as down for a
# probe (Kubernetes' default probe timeout is 1 s, systemd and load balancers allow a few).
DATABASE_TIMEOUT = 2.0


class Health:
    """Who must be up for this process to take work. Platforms register a check when they
    connect (`connection("discord", client_is_up)`); `draining` is set on a stop signal."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.connections: dict[str, Callable[[], bool]] = {}
        self.draining = False

    def connection(self, platform: str, is_up: Callable[[], bool]) -> None:
        """`is_up()` says whether `platform`'s connection works right now."""
        self.connections[platform] = is_up

    async def reason(self) -> str | None:
        """None when ready, else why not (one line)."""
        if self.draining:
            return "shutting down"
        try:
            async with asyncio.timeout(DATABASE_TIMEOUT):
                await self.db.check()
        except DatabaseUnavailable as exc:
            return f"database: {exc}"
        except TimeoutError:
            return f"database: no answer within {DATABASE_TIMEOUT:g}s"
        for platform, is_up in sorted(self.connections.items()):
            if not is_up():
                return f"{platform}: not connected"
        return None

    async def handle(self, _request: web.Request) -> web.Response:
        reason = await self.reason()
        if reason is None:
            return web.json_response({"ok": True})
        return web.json_response({"ok": False, "reason": reason}, status=503)
