"""aiosqlite that does not cross to its thread for what cannot wait.

aiosqlite runs every call on a thread of its own, and SQLAlchemy's adapter makes four calls
per SELECT (open a cursor, execute, fetch all, close) and three per write. Each call is a
queue put, a thread wake-up and a hand-back to the event loop; profiling `bench/rsvp_burst.py`
(py-spy, GIL samples) showed those hand-offs costing more than SQLite's own work for an RSVP.

`FastConnection` is an aiosqlite connection that makes fewer crossings:

- Every statement's cursor work (execute, read every row, close) is one call.
- A transaction opened with BEGIN IMMEDIATE (which `storage/db.py` uses for every
  transaction) runs on the event loop's thread: BEGIN IMMEDIATE first tries without
  waiting, and only when another process holds the write lock is it sent to the thread to
  wait there (up to the busy timeout). Once it holds the write lock, nothing can make a
  statement wait in WAL mode (readers never block a writer), so each statement and the
  COMMIT cost only SQLite's own work: microseconds for the look-ups and single-row writes
  of the hot paths. The cost: a long query, or a COMMIT that checkpoints the WAL (every
  1,000 pages written, SQLite's default), holds the loop for as long as it takes.
- Anything else (a statement outside such a transaction) stays on the thread.

Results are buffered, as SQLAlchemy's adapter does for every non-streaming cursor anyway
(nothing in Potluck streams results). Use it through `connect`, given to SQLAlchemy as
`async_creator`.
"""

from __future__ import annotations

import re
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_BEGIN_IMMEDIATE = re.compile(r"\s*BEGIN\s+IMMEDIATE\b", re.IGNORECASE)
_Outcome = tuple[Any, list[Any], int, int | None]


def _run(conn: sqlite3.Connection, sql: str, parameters: Any, many: bool = False) -> _Outcome:
    """On aiosqlite's thread: execute, read every row, close; (description, rows, rowcount,
    lastrowid)."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class FastCursor:
    """The part of aiosqlite's Cursor that SQLAlchemy's adapter uses; results buffered."""

    arraysize = 1

    def __init__(self, connection: FastConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> FastCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def _keep(self, outcome: _Outcome) -> FastCursor:
        self.description, rows, self.rowcount, self.lastrowid = outcome
        self._rows = deque(rows)
        return self

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> FastCursor:
        return await self._connection._statement(self, sql, parameters or (), False)

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> FastCursor:
        return await self._connection._statement(self, sql, parameters, True)

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(len(self._rows), size or self.arraysize)
        return [self._rows.popleft() for _ in range(count)]

    async def fetchall(self) -> list[Any]:
        rows, self._rows = list(self._rows), deque()
        return rows

    async def nextset(self) -> None:
        return None

    async def close(self) -> None:
        self._rows.clear()


class FastConnection(aiosqlite.Connection):
    """An aiosqlite connection that runs what cannot wait on the event loop's thread and only
    what may wait on its own thread (see the module's notes)."""

    _writing = False  # inside a transaction this connection opened with BEGIN IMMEDIATE
    busy_timeout_ms = 5000  # how long BEGIN IMMEDIATE waits for another process's write

    def cursor(self) -> FastCursor:  # type: ignore[override]
        return FastCursor(self)

    async def _statement(
        self, cursor: FastCursor, sql: str, parameters: Any, many: bool
    ) -> FastCursor:
        conn = self._conn
        if self._writing and conn.in_transaction:
            return cursor._keep(_run(conn, sql, parameters, many))
        if not conn.in_transaction and _BEGIN_IMMEDIATE.match(sql):
            outcome = _begin_unless_busy(conn, sql, self.busy_timeout_ms)
            if outcome is None:  # another process is writing: wait for it on the thread
                outcome = await self._execute(_run, conn, sql, parameters, many)
            self._writing = conn.in_transaction
            return cursor._keep(outcome)
        return cursor._keep(await self._execute(_run, conn, sql, parameters, many))

    async def commit(self) -> None:
        await self._end(sqlite3.Connection.commit)

    async def rollback(self) -> None:
        await self._end(sqlite3.Connection.rollback)

    async def _end(self, end: Callable[[sqlite3.Connection], None]) -> None:
        """COMMIT or ROLLBACK: nothing to do outside a transaction (the pool rolls back every
        connection it gets back); on the loop's thread for our own write transaction."""
        conn = self._conn
        writing, self._writing = self._writing, False
        if not conn.in_transaction:
            return
        if writing:
            end(conn)
        else:
            await self._execute(end, conn)


def _begin_unless_busy(conn: sqlite3.Connection, sql: str, busy_timeout_ms: int) -> _Outcome | None:
    """BEGIN IMMEDIATE without waiting; None (and no transaction) when another connection
    holds the write lock."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        return _run(conn, sql, ())
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
        return None
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")


async def connect(database: str, **kwargs: Any) -> FastConnection:
    """Open `database` (a path, ":memory:" or a "file:" URI with uri=True) with sqlite3's
    keyword arguments (timeout in seconds, check_same_thread, uri). The worker thread is a
    daemon, as SQLAlchemy's own aiosqlite connect makes it, so a forgotten connection never
    keeps the process alive."""
    connector: Callable[[], sqlite3.Connection] = partial(sqlite3.connect, database, **kwargs)
    connection = FastConnection(connector, iter_chunk_size=64)
    connection.busy_timeout_ms = int(float(kwargs.get("timeout", 5.0)) * 1000)
    connection._thread.daemon = True
    await connection
    return connection
