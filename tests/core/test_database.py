"""The SQLite connection going back to the pool: a transaction still open is rolled back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage.db import Database
from storage.models import CommunityRow


async def test_a_transaction_left_open_is_rolled_back_when_its_connection_returns(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/potluck.db")
    try:
        await db.upgrade()
        async with db.engine.connect() as conn:
            # Behind SQLAlchemy's back: it does not know this transaction is open.
            driver = (await conn.get_raw_connection()).driver_connection
            assert driver is not None
            await driver.execute("BEGIN IMMEDIATE")
            await driver.execute(
                "INSERT INTO communities (platform, external_id, name, settings, created_at) "
                "VALUES ('console', 'left-open', '', '{}', '2026-11-23 12:00:00')"
            )
        # The next transaction can begin (not "within a transaction") and sees nothing of it.
        async with db.transaction() as session:
            found = await session.scalar(select(func.count()).select_from(CommunityRow))
        assert found == 0
    finally:
        await db.dispose()
