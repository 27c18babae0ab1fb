"""What a database was sent while a bench measured: SQL statements and, on SQLite, trips to
aiosqlite's thread (`storage/sqlite_trips.py` counts both on its connection; a BEGIN or a
COMMIT is not a statement). On PostgreSQL, and on SQLite before its connection counted
them, the statements SQLAlchemy executed ("before_cursor_execute"); trips are not counted
there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from storage.db import Database
from storage.sqlite_trips import OneTripConnection


class Sent:
    """`await start()`, run the work, `await stop()`; then `statements` and `trips` (None
    on PostgreSQL) hold what was sent in between."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.statements = 0
        self.trips: int | None = None
        self._driver: OneTripConnection | None = None
        self._from = (0, 0)
        self._counting = False

    def _seen(self, *_: Any) -> None:
        if self._counting:
            self.statements += 1

    async def _sqlite(self) -> OneTripConnection | None:
        if not self.db.is_sqlite:
            return None
        async with self.db.engine.connect() as conn:  # SQLite's one pooled connection
            driver = (await conn.get_raw_connection()).driver_connection
        counts = isinstance(driver, OneTripConnection) and hasattr(driver, "trips")
        return driver if counts else None

    async def start(self) -> None:
        self.statements, self.trips = 0, None
        self._driver = await self._sqlite()
        if self._driver is not None:
            self._from = (self._driver.statements, self._driver.trips)
        else:  # PostgreSQL, or SQLite before its connection counted (an older version)
            event.listen(self.db.engine.sync_engine, "before_cursor_execute", self._seen)
        self._counting = True

    async def stop(self) -> None:
        self._counting = False
        if self._driver is None:
            event.remove(self.db.engine.sync_engine, "before_cursor_execute", self._seen)
        else:
            statements, trips = self._from
            self.statements = self._driver.statements - statements
            self.trips = self._driver.trips - trips
