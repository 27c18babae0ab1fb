"""SQLite statements make one trip each to aiosqlite's thread, and transactions keep their
BEGIN IMMEDIATE lock, rows, counts and rollbacks (storage/sqlite_trips.py)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database, DatabaseUnavailable
from storage.models import CommunityRow


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/potluck.db")
    await database.upgrade()
    try:
        yield database
    finally:
        await database.dispose()


async def count_trips(db: Database) -> list[str]:
    """The names of the calls sent to the SQLite thread from now on."""
    async with db.engine.connect() as conn:
        driver: Any = (await conn.get_raw_connection()).driver_connection
    trips: list[str] = []
    sent = driver._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", repr(fn)))
        return await sent(fn, *args, **kwargs)

    driver._execute = counted
    return trips


def community(n: int) -> dict[str, Any]:
    return {
        "platform": "console",
        "external_id": f"c{n}",
        "name": f"Community {n}",
        "settings": {},
        "created_at": datetime(2026, 11, 30, 12, 0, tzinfo=UTC),
    }


async def test_each_statement_is_one_trip_and_the_begin_goes_with_the_first(
    db: Database,
) -> None:
    async with db.transaction() as session:
        await session.execute(insert(CommunityRow), [community(1), community(2)])
    trips = await count_trips(db)
    async with db.transaction() as session:
        found = await session.scalar(select(func.count()).select_from(CommunityRow))
        changed = await session.execute(
            update(CommunityRow).where(CommunityRow.external_id == "c1").values(name="Renamed")
        )
    # BEGIN with the SELECT, the UPDATE, the COMMIT: aiosqlite alone took 11 trips.
    assert trips == ["_run", "_run", "commit"]
    assert found == 2
    assert changed.rowcount == 1  # type: ignore[attr-defined]


async def test_a_transaction_that_sends_nothing_makes_no_trip(db: Database) -> None:
    trips = await count_trips(db)
    async with db.engine.begin():  # BEGIN and COMMIT, nothing between
        pass
    assert trips == []
    async with db.transaction() as session:  # the connection is still usable
        assert await session.scalar(text("SELECT 1")) == 1


async def test_the_write_lock_is_held_from_the_first_read(db: Database, tmp_path: Path) -> None:
    """Another process cannot write between our read and our write (capacity holds)."""
    other = sqlite3.connect(tmp_path / "potluck.db", timeout=0, isolation_level=None)
    try:
        async with db.transaction() as session:
            await session.scalar(select(func.count()).select_from(CommunityRow))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after our commit
        other.execute("ROLLBACK")
    finally:
        other.close()


async def test_rows_come_back_whole_and_a_failed_transaction_keeps_nothing(
    db: Database,
) -> None:
    async with db.transaction() as session:
        made = await session.execute(
            insert(CommunityRow).returning(CommunityRow.external_id),
            [community(n) for n in range(150)],
        )
        assert sorted(made.scalars()) == sorted(f"c{n}" for n in range(150))
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            await session.execute(insert(CommunityRow), [community(150)])
            await session.execute(insert(CommunityRow), [community(3)])  # already there
    async with db.transaction() as session:
        rows = (
            await session.execute(select(CommunityRow.external_id).order_by(CommunityRow.id))
        ).all()
    assert [r.external_id for r in rows] == [f"c{n}" for n in range(150)]
    async with db.transaction() as session:  # a server-side cursor, read in parts
        streamed = await session.stream(
            select(CommunityRow.external_id).order_by(CommunityRow.id),
            execution_options={"yield_per": 40},
        )
        assert [x async for x in streamed.scalars()] == [f"c{n}" for n in range(150)]


async def test_a_failed_open_leaves_no_thread_to_report_after_the_error(tmp_path: Path) -> None:
    """A process that stops on "cannot open" closes its event loop right away; aiosqlite's
    thread must be done by then, or it prints a traceback under the one-line error."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    database = Database(f"sqlite+aiosqlite:///{blocker}/x/../potluck.db")
    database.path = None  # skip the path check: let SQLite itself fail to open the file
    for _ in range(5):
        with pytest.raises(DatabaseUnavailable, match="unable to open database file"):
            await database.check()
        workers = [t for t in threading.enumerate() if "_connection_worker_thread" in t.name]
        assert not [t for t in workers if t.is_alive()], workers
    await database.dispose()
