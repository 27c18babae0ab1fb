"""SQLite through storage/sqlite_connection.py: BEGIN is held back and sent with the first
statement, yet still waits for another process's write on aiosqlite's thread, so the bot
keeps answering meanwhile; a failed transaction leaves nothing behind; results, row counts
and errors come back as from plain aiosqlite."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import Database


@pytest.fixture
async def database(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/fast.db")
    async with db.transaction() as session:
        await session.execute(text("CREATE TABLE seats (name TEXT PRIMARY KEY, party INTEGER)"))
    yield db
    await db.dispose()


async def test_a_write_waits_for_another_process_without_holding_up_the_bot(
    database: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "fast.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    other.execute("INSERT INTO seats VALUES ('first', 1)")

    async def write() -> None:
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO seats VALUES ('second', 2)"))

    waiting = asyncio.create_task(write())
    for _ in range(20):  # the loop keeps running other work while the write waits
        await asyncio.sleep(0)
    assert not waiting.done()
    other.execute("COMMIT")
    other.close()
    await waiting
    async with database.transaction() as session:
        rows = (await session.execute(text("SELECT name, party FROM seats ORDER BY party"))).all()
    assert [tuple(r) for r in rows] == [("first", 1), ("second", 2)]


async def test_a_failed_transaction_leaves_nothing_behind(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.transaction() as session:
            await session.execute(text("INSERT INTO seats VALUES ('ana', 1)"))
            await session.execute(text("INSERT INTO seats VALUES ('ana', 2)"))
    async with database.transaction() as session:
        await session.execute(text("INSERT INTO seats VALUES ('bo', 3)"))
        result = await session.execute(text("SELECT name FROM seats"))
        assert [r.name for r in result] == ["bo"]
        updated = await session.execute(text("UPDATE seats SET party = 4 WHERE name = 'bo'"))
        assert updated.rowcount == 1  # type: ignore[attr-defined]
