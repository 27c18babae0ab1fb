"""Fixtures: a fresh database per test on SQLite and (when configured) PostgreSQL, an injected
clock, the real bot with its cogs, and the in-process conversation harness."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.testing import PG_ENV, Conversation, database_for_test, drop_schema_pool, scratch_database
from storage.db import Database

# Property tests: a fixed seed and a bounded number of examples, so every run (and CI) tries
# the same inputs in the same time. HYPOTHESIS_PROFILE=explore tries new random ones.
hypothesis_settings.register_profile(
    "potluck",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
hypothesis_settings.register_profile(
    "explore", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "potluck"))


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


@pytest.fixture
async def database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database at the migrations' head. The real migrations run once per test process;
    each test then gets a copy (SQLite) or an emptied schema from a pool (PostgreSQL):
    `bot.testing.database_for_test`."""
    async with database_for_test(backend, tmp_path) as db:
        yield db


@pytest.fixture
async def migrated_database(backend: str, tmp_path: Path) -> AsyncIterator[Database]:
    """A database of its own, brought to the head by the real migrations, for tests that
    change the schema (downgrades, storage parameters) or read the planner's statistics."""
    folder = tmp_path / "migrated"
    folder.mkdir()
    async with scratch_database(backend, folder) as db:
        await db.upgrade()
        yield db


def pytest_sessionfinish(session: pytest.Session) -> None:
    asyncio.run(drop_schema_pool())


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
