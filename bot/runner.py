"""Running the platform front doors (Discord, Slack) and the web server in one process."""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.app import Potluck, freeze_startup_objects
from bot.config import Settings, StartupError
from bot.web import ListenError

log = logging.getLogger("potluck")

# systemd's TimeoutStopSec and Kubernetes' terminationGracePeriodSeconds default to 90 s and
# 30 s; Potluck promises to be gone within 10 s of SIGTERM. The row in hand gets at most
# OUTBOX_STOP_SECONDS of that (a send is one HTTP call; discord.py and slack_sdk time out
# far later, so a hung one is left to its lease instead); closing connections takes the rest.
STOP_SECONDS = 10.0
OUTBOX_STOP_SECONDS = 5.0


class FrontDoor(Protocol):
    async def start(self) -> None: ...

    async def wait_closed(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Address:
    """Where the web server listens, and the settings that chose it (for error lines)."""

    section: str  # "web" or "slack"
    host: str
    port: int


def web_addresses(settings: Settings) -> list[Address]:
    """The shared web server's addresses: [web] plus Slack's own host/port in HTTP mode."""
    addresses = []
    if settings.web.enabled:
        addresses.append(Address("web", settings.web.host, settings.web.port))
    if settings.slack.bot_token and not settings.slack.app_token:
        host = settings.slack.host or settings.web.host
        port = settings.slack.port if settings.slack.port is not None else settings.web.port
        addresses.append(Address("slack", host, port))
    return addresses


async def listen(bot: Potluck, addresses: list[Address]) -> None:
    """Start the web server on `addresses`. Raises StartupError naming the setting and the
    address when one cannot be used: `web.port: cannot listen on 127.0.0.1:8080: address
    already in use`. No addresses: no web server."""
    if not addresses:
        return
    try:
        await bot.web.start([(a.host, a.port) for a in addresses])
    except ListenError as exc:
        raise StartupError(listen_error_line(exc, addresses)) from None


def listen_error_line(exc: ListenError, addresses: list[Address]) -> str:
    """One line naming the setting to change: the port when it is taken or privileged,
    else the host (not an address of this machine, or a name that does not resolve)."""
    section = next(
        (a.section for a in addresses if (a.host, a.port) == (exc.host, exc.port)), "web"
    )
    key = "port" if exc.errno in (errno.EADDRINUSE, errno.EACCES) else "host"
    hint = " (another program uses it; choose another port)" if key == "port" else ""
    return f"{section}.{key}: cannot listen on {exc.host}:{exc.port}: {exc.reason}{hint}"


async def run_platforms(settings: Settings, on_ready: Callable[[], None] | None = None) -> int:
    """Start Discord and/or Slack and the web server, run until a front door closes.

    Startup raises StartupError (one line: a taken port, a refused token) or storage's
    DatabaseUnavailable; whatever had started is stopped again first. `on_ready` is called
    once everything is up."""
    bot = Potluck(settings)
    doors: list[FrontDoor] = []
    try:
        await bot.load_cogs()
        if settings.discord.token:
            from bot.adapters.discord import DiscordAdapter

            doors.append(DiscordAdapter(bot))
        if settings.slack.bot_token:
            from bot.adapters.slack import SlackAdapter

            doors.append(SlackAdapter(bot))
        await bot.start()
        # The port first: it fails fast and locally, before any platform sees a login.
        await listen(bot, web_addresses(settings))
        for door in doors:
            await door.start()
        freeze_startup_objects()
        log.info(
            "Potluck is up: %s",
            ", ".join(
                [type(door).__name__.removesuffix("Adapter") for door in doors]
                + [f"web server on http://{host}:{port}" for host, port in bot.web.addresses]
            ),
        )
        if on_ready is not None:
            on_ready()
        waiting = [asyncio.create_task(door.wait_closed()) for door in doors]
        try:
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in waiting:
                task.cancel()
    finally:
        await drain(bot, doors)
    return 0


async def drain(bot: Potluck, doors: list[FrontDoor]) -> None:
    """Stop in the order that loses nothing, within about STOP_SECONDS: say not ready
    (/healthz 503), answer new commands with "restarting" instead of running them, let the
    outbox finish the row in hand and hand back the rest of its batch (released claims,
    due as before, for another process or the next start), then close the platform
    connections (Slack first answers what it already acknowledged) and the database."""
    bot.health.draining = True
    bot.dispatcher.accepting = False
    try:
        bot.scheduler.pause()
        await bot.outbox.close(grace_seconds=OUTBOX_STOP_SECONDS)
        for door in doors:
            try:
                await door.stop()
            except Exception:
                log.exception("stopping %s failed", type(door).__name__)
    finally:
        await bot.close()  # whatever a door did, the outbox and database close in order
