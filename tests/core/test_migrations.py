"""Migrations: the newest one undoes and redoes cleanly, and the tables it makes are the
models' tables, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import Database, alembic_config
from storage.models import Base


@pytest.fixture
def database(migrated_database: Database) -> Database:
    """These tests downgrade and upgrade the schema itself:
    a schema of its own, made by the real migrations."""
    return migrated_database


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


async def test_blocks_move_to_platform_ids_and_back(database: Database) -> None:
    """0015 keeps blocks by platform ids (they outlive /privacy forget) and lets a
    forgotten recipient's invitations stay; a block made before it is carried over."""
    before = "0014_person_level"
    await _run(database, "downgrade", before)
    async with database.engine.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO communities (id, platform, external_id, name, settings, created_at) "
            "VALUES (901, 'console', 'c901', 'c', '{}', CURRENT_TIMESTAMP)"
        )
        for pid, ext in ((911, "ben"), (912, "sam")):
            await conn.exec_driver_sql(
                "INSERT INTO people (id, community_id, external_id, display_name, settings, "
                f"created_at) VALUES ({pid}, 901, '{ext}', '{ext}', '{{}}', CURRENT_TIMESTAMP)"
            )
        await conn.exec_driver_sql(
            "INSERT INTO invitation_blocks (community_id, person_id, blocked_id, created_at) "
            "VALUES (901, 911, 912, CURRENT_TIMESTAMP)"
        )
    await _run(database, "upgrade", "head")
    async with database.engine.connect() as conn:
        tables = await conn.run_sync(_tables)
        assert "invitation_blocks" not in tables
        for table in ("invitation_blocklist", "invitations"):
            assert await conn.run_sync(_differences, table) == [], table
        rows = await conn.exec_driver_sql(
            "SELECT external_id, blocked_external_id FROM invitation_blocklist "
            "WHERE community_id = 901"
        )
        assert [tuple(r) for r in rows] == [("ben", "sam")]
    await _run(database, "downgrade", before)
    async with database.engine.connect() as conn:
        rows = await conn.exec_driver_sql(
            "SELECT person_id, blocked_id FROM invitation_blocks WHERE community_id = 901"
        )
        assert [tuple(r) for r in rows] == [(911, 912)]
    await _run(database, "upgrade", "head")


async def test_pauses_and_limits_move_to_platform_ids_and_back(database: Database) -> None:
    """0016 keeps a pause and a person's limits by platform id (they outlive /privacy
    forget) and adds the tallies of forgotten inviters; both made before it carry over."""
    before = "0015_opt_outs_outlive_forget"
    await _run(database, "downgrade", before)
    async with database.engine.begin() as conn:
        await conn.exec_driver_sql(
            "INSERT INTO communities (id, platform, external_id, name, settings, created_at) "
            "VALUES (902, 'console', 'c902', 'c', '{}', CURRENT_TIMESTAMP)"
        )
        await conn.exec_driver_sql(
            "INSERT INTO people (id, community_id, external_id, display_name, settings, "
            "created_at) VALUES (921, 902, 'sam', 'sam', '{}', CURRENT_TIMESTAMP)"
        )
        await conn.exec_driver_sql(
            "INSERT INTO invitation_pauses (community_id, person_id, until, reason) "
            "VALUES (902, 921, CURRENT_TIMESTAMP, 'spam')"
        )
        await conn.exec_driver_sql(
            "INSERT INTO invitation_limits (community_id, scope, subject, per_inviter_hour) "
            "VALUES (902, 'person', '921', 1)"
        )
    await _run(database, "upgrade", "head")
    async with database.engine.connect() as conn:
        for table in ("invitation_pauses", "invitation_tallies", "invitation_limits"):
            assert await conn.run_sync(_differences, table) == [], table
        pauses = await conn.exec_driver_sql(
            "SELECT external_id, reason FROM invitation_pauses WHERE community_id = 902"
        )
        assert [tuple(r) for r in pauses] == [("sam", "spam")]
        limits = await conn.exec_driver_sql(
            "SELECT subject, per_inviter_hour FROM invitation_limits WHERE community_id = 902"
        )
        assert [tuple(r) for r in limits] == [("sam", 1)]
    await _run(database, "downgrade", before)
    async with database.engine.connect() as conn:
        pauses = await conn.exec_driver_sql(
            "SELECT person_id FROM invitation_pauses WHERE community_id = 902"
        )
        assert [tuple(r) for r in pauses] == [(921,)]
        limits = await conn.exec_driver_sql(
            "SELECT subject FROM invitation_limits WHERE community_id = 902"
        )
        assert [tuple(r) for r in limits] == [("921",)]
    await _run(database, "upgrade", "head")
