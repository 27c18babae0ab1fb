"""SQLite through aiosqlite in one trip to its thread per statement.

aiosqlite runs every call on the connection's own thread, and SQLAlchemy's adapter makes
three or four calls per statement (open a cursor, execute, fetch the rows, close it), each a
trip there and back: about 20 trips for one RSVP, and each trip waits for the thread to be
scheduled on a busy machine. Here a statement is one trip: its cursor is opened, executed,
read to the end and closed on the thread in one call, and the rows come back with it. The
BEGIN of a transaction travels with its first statement, and a transaction that sent none
commits or rolls back without a trip. Several statements can share a trip (`run_all`), and
writes whose outcome nobody reads (`send_later`) travel with the next statement or with the
COMMIT: one lone RSVP is 2 trips (the BEGIN with the event's locked read and the read of the
answers; its writes with the COMMIT; see `storage/prepared.py`).

`Database` builds its SQLite engine with `module=dbapi()`; the URL stays
`sqlite+aiosqlite://`, and everything else (sqlite3's errors, the pool, SQLAlchemy's
dialect) is aiosqlite's and SQLAlchemy's own.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_

# How long a failed open waits for aiosqlite's thread to stop (it only closes a handle).
CLOSE_WAIT_SECONDS = 5.0

# What sqlite3 gives back for one statement: description, rowcount, lastrowid, rows.
_Outcome = tuple[Any, int, int | None, list[Any]]
# A statement waiting for the next trip: SQL, parameters, executemany or not.
Pending = tuple[str, Any, bool]


def _send_pending(conn: sqlite3.Connection, begin: str | None, pending: list[Pending]) -> None:
    """On the connection's thread: the BEGIN not sent yet, then the writes given for later."""
    if begin is not None:
        conn.execute(begin)
    for sql, parameters, many in pending:
        if many:
            conn.executemany(sql, parameters)
        else:
            conn.execute(sql, parameters)


def _run(
    conn: sqlite3.Connection,
    begin: str | None,
    pending: list[Pending],
    sql: str,
    parameters: Any,
    many: bool,
) -> _Outcome:
    """On the connection's thread: what waits to be sent, then the statement, read to the
    end."""
    _send_pending(conn, begin, pending)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneTripCursor:
    """An aiosqlite cursor whose `execute` is the only trip: the rows are fetched with it,
    and fetching and closing happen here. Rows are held in memory, as SQLAlchemy's adapter
    does anyway for every cursor but a server-side one."""

    def __init__(self, conn: OneTripConnection) -> None:
        self._conn = conn
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Any = None) -> OneTripCursor:
        return await self._send(sql, () if parameters is None else parameters, False)

    async def executemany(self, sql: str, parameters: Any) -> OneTripCursor:
        return await self._send(sql, parameters, True)

    async def _send(self, sql: str, parameters: Any, many: bool) -> OneTripCursor:
        outcome = await self._conn.run(sql, parameters, many)
        self.description, self.rowcount, self.lastrowid, rows = outcome
        self._rows = deque(rows)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        size = self.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(size, len(self._rows)))]

    async def fetchall(self) -> Sequence[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def close(self) -> None:
        self._rows = deque()


def _run_all(
    conn: sqlite3.Connection,
    begin: str | None,
    pending: list[Pending],
    statements: list[tuple[str, Any]],
) -> list[_Outcome]:
    """On the connection's thread: what waits to be sent, then each statement, read to the
    end, in order."""
    _send_pending(conn, begin, pending)
    return [_run(conn, None, [], sql, parameters, False) for sql, parameters in statements]


def _send_and_commit(conn: sqlite3.Connection, begin: str | None, pending: list[Pending]) -> None:
    """On the connection's thread: what waits to be sent, then the COMMIT."""
    _send_pending(conn, begin, pending)
    conn.commit()


class OneTripConnection(aiosqlite.Connection):
    """aiosqlite's connection with `OneTripCursor`s, a BEGIN that waits for the first
    statement (`defer_begin`) and writes that wait for the next trip (`send_later`).
    `trips` and `statements` count what was sent to the thread (a BEGIN or COMMIT is not a
    statement)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int):
        super().__init__(connector, iter_chunk_size)
        self.pending_begin: str | None = None
        self.pending: list[Pending] = []
        self.trips = 0
        self.statements = 0

    async def run(self, sql: str, parameters: Any = (), many: bool = False) -> _Outcome:
        """One trip: what waits to be sent, then `sql` (executed once, or for each of
        `parameters` with `many`), read to the end. Returns (description, rowcount,
        lastrowid, rows) of `sql`. An error of a write sent along is raised here."""
        begin, self.pending_begin = self.pending_begin, None
        pending, self.pending = self.pending, []
        self.trips += 1
        self.statements += 1 + len(pending)
        return await self._execute(  # type: ignore[no-any-return]
            _run, self._conn, begin, pending, sql, parameters, many
        )

    async def run_all(self, statements: list[tuple[str, Any]]) -> list[_Outcome]:
        """`run` for several statements (SQL, parameters) in one trip, in order; their
        outcomes in the same order. An error stops there and is raised."""
        begin, self.pending_begin = self.pending_begin, None
        pending, self.pending = self.pending, []
        self.trips += 1
        self.statements += len(statements) + len(pending)
        return await self._execute(  # type: ignore[no-any-return]
            _run_all, self._conn, begin, pending, statements
        )

    def send_later(self, sql: str, parameters: Any, many: bool = False) -> None:
        """Send `sql` right before the next statement or the COMMIT, in the same trip; its
        errors are raised there. A rollback drops it."""
        self.pending.append((sql, parameters, many))

    def drop_pending(self) -> None:
        """Forget what was not sent (the transaction ends without it)."""
        self.pending_begin = None
        self.pending = []

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def defer_begin(self, statement: str) -> None:
        """Send `statement` (a BEGIN) on the thread right before the next statement."""
        self.pending_begin = statement

    async def commit(self) -> None:
        begin, self.pending_begin = self.pending_begin, None
        pending, self.pending = self.pending, []
        if not pending:
            if begin is None:  # statements were sent: commit them
                self.trips += 1
                await super().commit()
            return  # else nothing was sent: nothing to commit
        self.trips += 1
        self.statements += len(pending)
        await self._execute(_send_and_commit, self._conn, begin, pending)

    async def rollback(self) -> None:
        begin = self.pending_begin
        self.drop_pending()
        if begin is not None:  # nothing was sent: nothing to roll back
            return
        self.trips += 1
        await super().rollback()


class _OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        """As `aiosqlite.connect(database, **sqlite3_arguments)`, with `OneTripConnection`."""
        (database,) = arg
        iter_chunk_size = kw.pop("iter_chunk_size", 64)
        connection = OneTripConnection(lambda: sqlite3.connect(database, **kw), iter_chunk_size)
        connection._thread.daemon = True  # as SQLAlchemy's adapter does
        try:
            opened: Any = await_(connection)
        except Exception:
            # After a failed open aiosqlite stops its thread, which then reports to this
            # event loop. Wait for it here: a process that stops on the error closes its loop
            # right after, and the thread's late report would print a traceback under the
            # one-line error.
            await_(asyncio.to_thread(connection._thread.join, CLOSE_WAIT_SECONDS))
            raise
        return AsyncAdapt_aiosqlite_connection(self, opened)


def dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The `module=` for `create_async_engine` with a `sqlite+aiosqlite://` URL."""
    return _OneTripDbapi(aiosqlite, sqlite3)
