"""A test harness shipped with Potluck: an in-process front door that drives the real registry,
dispatcher, checks, storage and outbox, and records what people would see.

    chat = await Conversation.open(bot)
    reply = await chat.say('/event create title:"Party" when:"friday 6pm"', as_="ana")
    await chat.press(reply, "Going", as_="sam")
    dms = await chat.deliver()          # run the outbox, get what it sent
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from bot.app import Potluck
from bot.core.delivery import Delivery
from bot.core.messages import Message
from bot.core.types import Actor, ChannelRef, Level
from storage.db import Database

PG_ENV = "POTLUCK_TEST_DATABASE_URL"


@asynccontextmanager
async def scratch_database(backend: str, workdir: Path) -> AsyncIterator[Database]:
    """An empty database for one test or benchmark run: a SQLite file in `workdir`, or a
    schema of its own in the PostgreSQL database named by POTLUCK_TEST_DATABASE_URL,
    dropped afterwards. Migrations are the caller's (`await db.upgrade()`)."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{workdir}/potluck-scratch.db")
        try:
            yield db
        finally:
            await db.dispose()
        return
    url = _postgresql_url()
    schema = f"scratch_{uuid.uuid4().hex[:12]}"
    await _admin(url, f'CREATE SCHEMA "{schema}"')
    db = Database(url, schema=schema)
    try:
        yield db
    finally:
        await db.dispose()
        await _admin(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@dataclass
class _Templates:
    """What the migrations produced the first time, per test process."""

    sqlite_file: Path | None = None
    postgresql: list[tuple[str, Any]] | None = None


_templates = _Templates()


async def migrate_from_template(db: Database) -> None:
    """Bring an empty scratch database (`scratch_database`, not yet used) to the migrations'
    head the quick way. The real Alembic migrations run once per process on a template; each
    later database gets their result: on SQLite a copy of the template's file (about 1 ms,
    against 0.2 s for the migrations), on PostgreSQL the statements those migrations sent,
    sent again in this database's schema (its `search_path`) in one transaction.
    `tests/core/test_test_databases.py` checks that both give the schema migrating gives."""
    if db.is_sqlite:
        assert db.path is not None, "a scratch SQLite database is a file"
        if _templates.sqlite_file is None:
            folder = Path(tempfile.mkdtemp(prefix="potluck-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            template = Database(f"sqlite+aiosqlite:///{folder}/template.db")
            try:
                await template.upgrade()
            finally:
                await template.dispose()  # the last connection's close checkpoints the WAL
            _templates.sqlite_file = folder / "template.db"
        shutil.copyfile(_templates.sqlite_file, db.path)
        wal = _templates.sqlite_file.with_name("template.db-wal")
        if wal.exists():
            shutil.copyfile(wal, db.path.with_name(db.path.name + "-wal"))
        return
    if _templates.postgresql is None:
        sent: list[tuple[str, Any]] = []

        def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if not statement.lstrip().upper().startswith("SELECT"):
                sent.append((statement, parameters))

        event.listen(db.engine.sync_engine, "before_cursor_execute", record)
        try:
            await db.upgrade()
        finally:
            event.remove(db.engine.sync_engine, "before_cursor_execute", record)
        _templates.postgresql = sent
        return
    script = _templates.postgresql
    async with db.engine.begin() as conn:
        if all(not parameters for _, parameters in script):
            # A scratch schema need not survive a crash: no waiting for the WAL flush.
            quick = "SET LOCAL synchronous_commit = off"
            await _send_script(conn, [quick, *(statement for statement, _ in script)])
        else:
            for statement, parameters in script:
                await conn.exec_driver_sql(statement, parameters)


@asynccontextmanager
async def database_for_test(backend: str, workdir: Path) -> AsyncIterator[Database]:
    """A database at the migrations' head for one test, made quickly: on SQLite a copy of a
    template file (`migrate_from_template`); on PostgreSQL a schema from this process's pool,
    emptied when the test is over (every table's rows deleted, every sequence restarted) and
    handed to the next test, since creating, migrating and dropping a schema costs 0.3-1 s
    of the server's time per test. A schema that cannot be emptied within 5 s (a test left a
    transaction open) is left out of the pool and dropped by `drop_schema_pool`. A test that
    changes the schema itself (migrations, storage parameters) takes `scratch_database` and
    real migrations instead."""
    if backend == "sqlite":
        async with scratch_database(backend, workdir) as db:
            await migrate_from_template(db)
            yield db
        return
    url = _postgresql_url()
    if _pool.free:
        schema = _pool.free.pop()
    else:
        schema = f"scratch_pool_{os.getpid()}_{len(_pool.made)}"
        # A run that was killed may have left this name behind (process ids come round again).
        await _admin(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await _admin(url, f'CREATE SCHEMA "{schema}"')
        _pool.made.append(schema)
        db = Database(url, schema=schema)
        try:
            await migrate_from_template(db)
        finally:
            await db.dispose()
    db = Database(url, schema=schema)
    try:
        yield db
    finally:
        await db.dispose()
    if await _empty_schema(url, schema):
        _pool.free.append(schema)


@dataclass
class _SchemaPool:
    made: list[str] = field(default_factory=list)
    free: list[str] = field(default_factory=list)


_pool = _SchemaPool()


async def _empty_schema(url: str, schema: str) -> bool:
    """Delete every row but the migration version and restart every sequence, so the schema
    is as the migrations left it. False when that could not be done."""
    engine = create_async_engine(url, connect_args={"server_settings": {"search_path": schema}})
    try:
        async with engine.begin() as conn:
            names = await conn.exec_driver_sql(
                "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
                "AND c.relkind IN ('r', 'S')"
            )
            rows: list[Any] = list(names.all())
            found = [(str(name), str(kind)) for name, kind in rows]
            script = [
                "SET LOCAL lock_timeout = '5s'",
                "SET LOCAL session_replication_role = replica",  # no foreign-key order needed
                *(
                    f'DELETE FROM "{n}"'
                    for n, kind in found
                    if kind == "r" and n != "alembic_version"
                ),
                *(f'ALTER SEQUENCE "{n}" RESTART' for n, k in found if k == "S"),
            ]
            await _send_script(conn, script)
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def drop_schema_pool() -> None:
    """Drop every schema `database_for_test` made in this process (at the end of a test run)."""
    url = os.environ.get(PG_ENV)
    if url and _pool.made:
        for schema in _pool.made:
            await _admin(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    _pool.made.clear()
    _pool.free.clear()


async def _send_script(conn: AsyncConnection, statements: list[str]) -> None:
    """Send statements without parameters to PostgreSQL in one round trip (asyncpg's simple
    query protocol takes several at once)."""
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    assert driver is not None
    await driver.execute(";\n".join(statements))


def _postgresql_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        raise RuntimeError(
            f"PostgreSQL needs {PG_ENV}, like postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
    return url


async def _admin(url: str, sql: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@dataclass
class Said:
    who: str
    line: str
    reply: Message


@dataclass
class Conversation:
    bot: Potluck
    community_id: str = "test-community"
    community_name: str = "Test chapter"
    channel: str = "general"
    levels: dict[str, Level] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)
    transcript: list[Said] = field(default_factory=list)
    sent: list[Delivery] = field(default_factory=list)

    @classmethod
    def attach(cls, bot: Potluck, **kwargs: object) -> Conversation:
        chat = cls(bot=bot, **kwargs)  # type: ignore[arg-type]
        bot.outbox.add_sender("console", _Recorder(chat))
        return chat

    def actor(self, who: str, level: Level | None = None) -> Actor:
        return Actor(
            platform="console",
            community_id=self.community_id,
            community_name=self.community_name,
            user_id=who,
            display_name=who,
            channel=ChannelRef(external_id=self.channel, name=self.channel),
            level=level if level is not None else self.levels.get(who, Level.MEMBER),
            timezone_hint=self.zones.get(who),
        )

    async def say(self, line: str, *, as_: str = "alice", level: Level | None = None) -> Message:
        reply = await self.bot.dispatcher.run_line(self.actor(as_, level), line)
        self.transcript.append(Said(as_, line, reply))
        return reply

    async def press(
        self,
        message: Message,
        label: str,
        *,
        as_: str = "alice",
        level: Level | None = None,
        ref: str | None = None,
    ) -> Message:
        matches = [b for b in message.buttons if b.label.lower().startswith(label.lower())]
        if not matches:
            labels = [b.label for b in message.buttons]
            raise AssertionError(f"no button {label!r} on the message; it has {labels}")
        reply = await self.bot.dispatcher.press(
            self.actor(as_, level), matches[0].custom_id, message_ref=ref
        )
        self.transcript.append(Said(as_, f"[press {matches[0].label}]", reply))
        return reply

    async def deliver(self) -> list[Delivery]:
        """Run one outbox pass; return what was sent during it."""
        before = len(self.sent)
        await self.bot.outbox.pump()
        return self.sent[before:]

    def to(self, who: str) -> list[Delivery]:
        """Every direct message sent to `who` so far."""
        return [d for d in self.sent if d.destination.kind == "person" and d.destination.id == who]


class _Recorder:
    """The harness's outbox sender: records instead of sending."""

    def __init__(self, chat: Conversation) -> None:
        self.chat = chat

    async def deliver(self, item: Delivery) -> str | None:
        self.chat.sent.append(item)
        return item.edit_ref or f"msg-{len(self.chat.sent)}"
