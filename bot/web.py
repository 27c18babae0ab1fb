"""The bot's small web server: the calendar feed, Slack's HTTP endpoint, /healthz (bot/health.py)
and /metrics (bot/metrics.py) share it."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.core.control_chars import remove_control_characters

log = logging.getLogger("potluck.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ListenError(OSError):
    """The web server could not listen on `host`:`port` (taken, not an address of this
    machine, a privileged port); `reason` is the system's words for it, `errno` its code."""

    def __init__(self, host: str, port: int, reason: str, code: int | None = None) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.errno = code
        self.host = host
        self.port = port
        self.reason = reason


class WebServer:
    def __init__(self) -> None:
        self.app = web.Application()
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.addresses: list[tuple[str, int]] = []  # (host, bound port) while listening
        # Why the server is off when it could not start (a busy port): addresses it would
        # hand out, such as the calendar feed's, lead nowhere then. None: not known to be off.
        self.off_reason: str | None = None

    def add_route(self, method: str, path: str, handler: Handler) -> None:
        """Serve `handler` at `path`; a request whose path parameters carry control
        characters (a NUL, which PostgreSQL refuses in text) is a 404 before it runs. A GET
        route answers HEAD too, with the GET's status and headers and no body (RFC 9110
        section 9.3.2; aiohttp's add_get with allow_head), as `curl -I` and link checkers
        expect."""

        async def guarded(request: web.Request) -> web.StreamResponse:
            for value in request.match_info.values():
                if remove_control_characters(value) != value:
                    raise web.HTTPNotFound()
            return await handler(request)

        if method.upper() == "GET":
            self.app.router.add_get(path, guarded, allow_head=True)
        else:
            self.app.router.add_route(method, path, guarded)

    def add_subapp(self, prefix: str, app: web.Application) -> None:
        self.app.add_subapp(prefix, app)

    async def start(self, addresses: list[tuple[str, int]]) -> list[int]:
        """Listen on every (host, port); port 0 picks a free one. Returns the bound ports.
        Raises ListenError for the first address that cannot be used, listening on none."""
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        ports: list[int] = []
        bound: list[tuple[str, int]] = []
        for host, port in dict.fromkeys(addresses):
            site = web.TCPSite(self._runner, host, port)
            try:
                await site.start()
            except OSError as exc:
                await self.stop()
                raise ListenError(host, port, _reason(exc), exc.errno) from None
            server = site._server
            sockets = getattr(server, "sockets", None) or []
            ports.append(sockets[0].getsockname()[1] if sockets else port)
            bound.append((host, ports[-1]))
            log.debug("web server on http://%s:%s", host, ports[-1])
        self.addresses = bound
        self.port = ports[0] if ports else None
        return ports

    async def stop(self) -> None:
        self.addresses = []
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def _reason(exc: OSError) -> str:
    """The system's words ("address already in use"), not asyncio's "error while attempting
    to bind on address ..."; a host name that does not resolve keeps the resolver's words."""
    if isinstance(exc, socket.gaierror) or not exc.errno or exc.errno < 0:
        return exc.strerror or str(exc)
    return os.strerror(exc.errno).lower()
