"""The composition root: builds the bot from settings and wires core, storage and cogs."""

from __future__ import annotations

import asyncio
import gc
import logging
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from bot.config import (
    CORE_SECTIONS,
    DEFAULT_DATABASE_URL,
    ConfigError,
    Settings,
    validate_cog_settings,
)
from bot.core import timetext
from bot.core.clock import Clock, SystemClock
from bot.core.commands import Cog
from bot.core.dispatcher import Dispatcher
from bot.core.errors import RegistryError
from bot.core.registry import Registry, cog_module_path
from bot.health import Health
from bot.metrics import Metrics
from bot.outbox import Outbox
from bot.scheduler import Scheduler
from bot.web import WebServer
from storage.db import Database
from storage.repositories.identity import IdentityStore

log = logging.getLogger("potluck")

M = TypeVar("M", bound=BaseModel)


class Potluck:
    """Everything a cog's `setup(bot)` may use: settings, db, identity, outbox, scheduler."""

    def __init__(
        self, settings: Settings, *, clock: Clock | None = None, db: Database | None = None
    ) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db = db or Database(
            settings.database.url,
            echo=settings.database.echo,
            # Only the default data/ is created; a configured folder must exist.
            create_folder=settings.database.url == DEFAULT_DATABASE_URL,
        )
        self.registry = Registry()
        self.metrics = Metrics()
        self.identity = IdentityStore(self.db, settings.bot.timezone)
        self.dispatcher = Dispatcher(
            self.registry,
            self.identity,
            self.clock,
            commands_per_minute=settings.bot.commands_per_minute,
            telemetry=self.metrics,
        )
        self.outbox = Outbox(
            self.db,
            self.clock,
            lease_seconds=settings.bot.outbox_lease_seconds,
            telemetry=self.metrics,
        )
        self.scheduler = Scheduler()
        self.health = Health(self.db)
        self.web = WebServer()
        self.web.add_route("GET", "/healthz", self.health.handle)
        self.web.add_route("GET", "/metrics", self.metrics.handler(self.db, self.clock))

    # -- cogs ------------------------------------------------------------------------------

    def add_cog(self, cog: Cog) -> None:
        self.registry.add_cog(cog)

    def cog_settings(self, model: type[M], section: str) -> M:
        """Validate the `[section]` table of the config file for a cog."""
        return validate_cog_settings(model, section, self.settings.cog_section(section))  # type: ignore[return-value]

    async def load_cogs(self, names: list[str] | None = None) -> None:
        names = self.settings.bot.cogs if names is None else names
        for name in names:
            try:
                await self.registry.load(cog_module_path(name), self)
            except RegistryError as exc:
                if isinstance(exc.__cause__, ConfigError):  # the cog's own section is wrong:
                    raise exc.__cause__ from None  # its line names that setting already
                raise ConfigError(f"config error: bot.cogs: {exc}") from None
        unknown = set(self.settings.model_extra or {}) - CORE_SECTIONS - set(self.registry.cogs)
        if unknown:
            raise ConfigError(
                f"config error: [{sorted(unknown)[0]}] is not a section Potluck knows "
                f"(core sections: {', '.join(sorted(CORE_SECTIONS))}; loaded cogs: "
                f"{', '.join(self.registry.cogs)})"
            )

    def cog(self, name: str) -> Any:
        return self.registry.cogs.get(name)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, *, migrate: bool = True, schedule: bool = True) -> None:
        """Load cogs, migrate, start the scheduler and deliver what fell due while down.
        Raises DatabaseUnavailable (storage.db) when the database cannot be opened."""
        if not self.registry.cogs:
            await self.load_cogs()
        if migrate:
            await self.db.check()
            await self.db.upgrade()
        await asyncio.to_thread(timetext.prepare)
        for cog in self.registry.cogs.values():
            await cog.on_ready()
        if schedule:
            self.outbox.on_wake = self._wake_outbox
            self.scheduler.every(
                "outbox-poll", self.settings.bot.outbox_poll_seconds, self.outbox.pump
            )
            self.scheduler.every("pacing-prune", 3600, self.outbox.pacer.prune)
            self.scheduler.start()
            self.scheduler.at("outbox-wake", self.clock.now(), self.outbox.pump)

    def _wake_outbox(self, when: datetime) -> None:
        if self.scheduler.running:
            self.scheduler.at("outbox-wake", when, self.outbox.pump)

    async def close(self, outbox_grace_seconds: float | None = 5.0) -> None:
        """Stop the scheduler, the outbox (waiting at most `outbox_grace_seconds` for the
        row in hand), the cogs, the web server and the database, in that order."""
        self.scheduler.pause()
        await self.outbox.close(grace_seconds=outbox_grace_seconds)
        self.scheduler.shutdown()
        for cog in list(self.registry.cogs.values()):
            try:
                await cog.on_close()
            except Exception:
                log.exception("cog %s failed to close", cog.name)
        await self.web.stop()
        await self.db.dispose()


def freeze_startup_objects() -> int:
    """Collect once, then move every object alive after start-up (modules, cogs, settings,
    SQLAlchemy's compiled statements, the platform clients) into the garbage collector's
    permanent generation (`gc.freeze`, Python's gc documentation), so its full collections
    stop re-scanning them: about 150,000 objects, which cost about 0.1 s of CPU per full
    collection, roughly one every 2,000 commands in an RSVP burst (README, Benchmarks).

    Called once by the long-running front doors (`potluck run`, `potluck console`) after
    they started; not by `Potluck.start`, so tests that start many bots free each one. An
    object frozen here that later becomes garbage in a reference cycle is never freed, so
    call it only once start-up is over. Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
