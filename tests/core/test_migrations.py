"""Migrations: the newest one undoes and redoes cleanly, and the tables it makes are the
models' tables, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import Database, alembic_config
from storage.models import Base


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _differences(connection: Connection, table: str) -> list[object]:
    """What autogenerate would change to make `table` match its model."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    found = []
    for diff in compare_metadata(context, Base.metadata):
        for step in diff if isinstance(diff, list) else [diff]:
            if table in repr(step):
                found.append(step)
    return found


async def _run(database: Database, step: str, revision: str) -> None:
    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, step)(cfg, revision)

    async with database.engine.begin() as conn:
        await conn.run_sync(run)


async def test_mentor_topics_downgrades_and_upgrades_again(database: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "migrations must form one chain"
    before = script.get_revision("0011_mentor_topics").down_revision
    assert isinstance(before, str)

    async with database.engine.connect() as conn:
        assert "mentor_topics" in await conn.run_sync(_tables)
        assert await conn.run_sync(_differences, "mentor_topics") == []

    await _run(database, "downgrade", before)
    async with database.engine.connect() as conn:
        tables = await conn.run_sync(_tables)
    assert "mentor_topics" not in tables and "mentor_profiles" in tables

    await _run(database, "upgrade", "head")
    async with database.engine.connect() as conn:
        assert "mentor_topics" in await conn.run_sync(_tables)
        assert await conn.run_sync(_differences, "mentor_topics") == []
