"""The database: one async engine, sessions, and Alembic migrations applied at startup."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Hashable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import AsyncAdaptedQueuePool, PoolResetState

from storage import queued, sqlite_trips

MIGRATIONS = Path(__file__).parent / "migrations"

T = TypeVar("T")


class DatabaseUnavailable(Exception):
    """The database cannot be opened or reached. The message is one line saying where and
    why, without the password: "the folder /srv/potluk does not exist"."""


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """Owns the engine. SQLite gets one connection and IMMEDIATE transactions (writes queue in
    the process instead of failing with "database is locked"); PostgreSQL gets a pool.

    Nothing is touched on disk or on the network until `check()` or the first query. A SQLite
    file's folder is created only with `create_folder=True` (the default `data/`): a typo
    in a configured path must not look like an empty, new database."""

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        echo: bool = False,
        create_folder: bool = False,
    ) -> None:
        self.url = url
        self.schema = schema
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.where = parsed.render_as_string(hide_password=True)
        self.create_folder = create_folder
        self.path: Path | None = None
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "sqlite":
            database = parsed.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                self.path = Path(database)
            kwargs.update(
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                connect_args={"timeout": 30},
                pool_reset_on_return=None,  # see _sqlite_setup's "reset"
                module=sqlite_trips.dbapi(),  # one trip to aiosqlite's thread per statement
            )
        else:
            connect_args: dict[str, Any] = {}
            if schema:
                connect_args["server_settings"] = {"search_path": schema}
            kwargs.update(
                pool_size=10, max_overflow=10, pool_pre_ping=True, connect_args=connect_args
            )
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=queued.QueueSession
        )
        self._queued = queued.QueuedTransactions(self.sessions)
        queued.count_writes(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    async def check(self) -> None:
        """Open one connection, creating the SQLite folder if allowed. Raises
        DatabaseUnavailable with the reason when the file cannot be written (missing or
        read-only folder, a folder instead of a file, not a SQLite file) or the server cannot
        be reached (refused, unknown host, no such database or role, no answer)."""
        if self.path is not None:
            try:
                self._check_sqlite_path(self.path)
            except OSError as exc:  # a name too long, a loop of links...
                raise DatabaseUnavailable(
                    f"cannot use the path {self.path}: {exc.strerror or exc}; "
                    "correct the path in database.url"
                ) from None
        try:
            async with self.engine.connect() as conn:
                await conn.exec_driver_sql("SELECT 1")
        except DBAPIError as exc:
            raise DatabaseUnavailable(self._failure(str(exc.orig or exc))) from None
        except TimeoutError:
            raise DatabaseUnavailable(self._failure("no answer in time")) from None
        except OSError as exc:
            # "Connection refused", not asyncio's "Connect call failed ('127.0.0.1', 5432)".
            known = exc.errno is not None and exc.errno > 0 and not isinstance(exc, socket.gaierror)
            reason = os.strerror(exc.errno) if known and exc.errno else exc.strerror or str(exc)
            raise DatabaseUnavailable(self._failure(reason)) from None

    def _failure(self, reason: str) -> str:
        reason = reason.strip().splitlines()[0] if reason.strip() else "unknown error"
        if self.path is not None and reason == "unable to open database file":
            # SQLite's words name neither the file nor a remedy.
            return (
                f"cannot open the SQLite file {self.path}: {reason}; check that its folder "
                "exists and can be written, or point database.url at another file"
            )
        if self.path is not None:
            return f"cannot open the SQLite file {self.path}: {reason}"
        return f"cannot connect to {self.where}: {reason}"

    def _check_sqlite_path(self, path: Path) -> None:
        folder = path.parent
        blocker = next(p for p in (folder, *folder.parents) if p.exists() or p == Path(p.anchor))
        if blocker.exists() and not blocker.is_dir():
            raise DatabaseUnavailable(
                f"{blocker} is a file where the folder for {path} should be; move or rename "
                "that file, or point database.url at another folder"
            )
        if not folder.exists():
            if not self.create_folder:
                raise DatabaseUnavailable(
                    f"the folder {folder} does not exist (create it, or correct the path)"
                )
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnavailable(
                    f"cannot create the folder {folder}: {exc.strerror or exc}"
                ) from None
        if path.is_dir():
            raise DatabaseUnavailable(
                f"{path} is a folder; name a file in it, like {path / 'potluck.db'}"
            )
        # SQLite writes its journal (-wal, -shm) next to the file, so the folder must be
        # writable even when the file already exists.
        for target in (folder, path) if path.exists() else (folder,):
            if not os.access(target, os.W_OK):
                raise DatabaseUnavailable(f"cannot write in {target}: {_why_not_writable(target)}")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on any error. The
        hooks given to `before_commit` run, and the rows given to `write_later` are written,
        right before the commit."""
        async with self.sessions() as session, session.begin():
            yield session
            await queued.finish(session)

    async def queued(
        self, queue: Hashable, work: Callable[[AsyncSession], Coroutine[Any, Any, T]]
    ) -> T:
        """Run `work(session)` in a transaction after every earlier work given the same
        `queue` key in this process, in the order they were given (see
        `storage.queued.QueuedTransactions.run`: works waiting together share a
        transaction, and a work may run twice). Use it for transactions that would wait on
        the same row lock anyway (the RSVPs to one event): they wait here, holding no
        pooled connection."""
        return await self._queued.run(queue, work)

    @staticmethod
    def before_commit(
        session: AsyncSession, key: Hashable, hook: Callable[[], Awaitable[object]]
    ) -> None:
        """See `storage.queued.before_commit`; for transactions from `transaction` and
        `queued`."""
        queued.before_commit(session, key, hook)

    @staticmethod
    def write_later(session: AsyncSession, statement: Any, row: dict[str, Any]) -> None:
        """See `storage.queued.write_later`; for transactions from `transaction` and
        `queued`."""
        queued.write_later(session, statement, row)

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations on this engine's connection."""

        def run(connection: Connection) -> None:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)

        async with self.engine.begin() as conn:
            await conn.run_sync(run)

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_setup(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        driver = conn.connection.driver_connection
        if isinstance(driver, sqlite_trips.OneTripConnection):
            driver.defer_begin("BEGIN IMMEDIATE")  # sent with the first statement
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine.sync_engine, "reset")
    def _reset(dbapi_connection: Any, _record: Any, state: PoolResetState) -> None:
        # The pool's rollback-on-return, only when a transaction is still open (sqlite3's
        # in_transaction): after a commit there is none, and the rollback would be one more
        # trip to aiosqlite's thread per transaction for nothing.
        driver = dbapi_connection.driver_connection
        if isinstance(driver, sqlite_trips.OneTripConnection):
            driver.drop_pending()
        if state.asyncio_safe and driver.in_transaction:
            dbapi_connection.rollback()


def _why_not_writable(target: Path) -> str:
    try:
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            return "it is on a read-only file system"
    except OSError:
        pass
    return "permission denied"


async def upgrade_url(url: str, *, create_folder: bool = False) -> None:
    """Check the database (DatabaseUnavailable when it cannot be used), then migrate it."""
    db = Database(url, create_folder=create_folder)
    try:
        await db.check()
        await db.upgrade()
    finally:
        await db.dispose()
