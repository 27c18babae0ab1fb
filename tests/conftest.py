"""Fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL, an injected
clock, the real bot with its cogs, and the in-process conversation harness."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.testing import Conversation
from storage.db import Database

PG_ENV = "POTLUCK_TEST_DATABASE_URL"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does may reach beyond 127.0.0.1."""
    try:
        from tests.fakes.netguard import install_loopback_guard
    except ImportError:  # pragma: no cover - the guard ships with the stand-in servers
        return
    install_loopback_guard(monkeypatch)


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not os.environ.get(PG_ENV):
        pytest.skip(f"PostgreSQL half skipped: set {PG_ENV} to run it")
    return str(request.param)


async def _fresh_database(backend: str, tmp_path: object) -> tuple[Database, str | None]:
    if backend == "sqlite":
        return Database(f"sqlite+aiosqlite:///{tmp_path}/potluck-test.db"), None
    url = os.environ[PG_ENV]
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    await admin.dispose()
    return Database(url, schema=schema), schema


async def _drop_schema(schema: str) -> None:
    admin = create_async_engine(os.environ[PG_ENV])
    async with admin.begin() as conn:
        await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await admin.dispose()


@pytest.fixture
async def database(backend: str, tmp_path: object) -> AsyncIterator[Database]:
    db, schema = await _fresh_database(backend, tmp_path)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()
        if schema:
            await _drop_schema(schema)


@pytest.fixture
def clock() -> ManualClock:
    # A Monday; the fixed start makes "next friday" and DST cases reproducible.
    return ManualClock(datetime(2026, 11, 23, 12, 0, tzinfo=UTC))


@pytest.fixture
def settings() -> Settings:
    return Settings()


@pytest.fixture
async def bot(database: Database, clock: ManualClock, settings: Settings) -> AsyncIterator[Potluck]:
    potluck = Potluck(settings, clock=clock, db=database)
    await potluck.load_cogs()
    await potluck.start(migrate=False, schedule=False)
    try:
        yield potluck
    finally:
        await potluck.close()


@pytest.fixture
def chat(bot: Potluck) -> Conversation:
    return Conversation.attach(bot)
