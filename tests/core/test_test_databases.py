"""The suite's quick databases: a template copy (SQLite) or a pooled, emptied schema
(PostgreSQL) has exactly the schema the real migrations make, and no rows from a test before."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, inspect, text
from sqlalchemy.engine import Connection

from bot.testing import database_for_test
from storage.db import Database
from storage.models import CommunityRow


def _schema(connection: Connection) -> dict[str, Any]:
    found = inspect(connection)
    shape: dict[str, Any] = {}
    for table in sorted(found.get_table_names()):
        shape[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in found.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in found.get_unique_constraints(table)
            ),
            "foreign keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], str(f.get("options")))
                for f in found.get_foreign_keys(table)
            ),
            "primary key": found.get_pk_constraint(table)["constrained_columns"],
        }
    return shape


async def _shape_and_version(db: Database) -> tuple[dict[str, Any], str]:
    async with db.engine.connect() as conn:
        shape = await conn.run_sync(_schema)
        version = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    return shape, str(version)


async def test_the_quick_database_is_the_migrated_one(
    database: Database, migrated_database: Database
) -> None:
    quick, quick_version = await _shape_and_version(database)
    real, real_version = await _shape_and_version(migrated_database)
    assert quick_version == real_version
    assert len(real) > 20 and quick == real


async def test_the_next_test_sees_no_rows_and_counts_ids_from_the_start(
    backend: str, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    first_ids = []
    for run in range(3):
        folder = tmp_path / str(run)
        folder.mkdir()
        async with database_for_test(backend, folder) as db, db.engine.begin() as conn:
            count = (await conn.execute(text("SELECT count(*) FROM communities"))).scalar()
            assert count == 0, f"run {run} saw {count} rows of an earlier test"
            await conn.execute(
                insert(CommunityRow).values(
                    platform="console", external_id=f"c{run}", settings={}, created_at=now
                )
            )
            first_ids.append((await conn.execute(text("SELECT min(id) FROM communities"))).scalar())
    assert first_ids == [first_ids[0]] * 3
