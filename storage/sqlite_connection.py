"""aiosqlite that does not cross to its thread for what cannot wait.

aiosqlite runs every call on a thread of its own, and SQLAlchemy's adapter makes four calls
per SELECT (open a cursor, execute, fetch all, close) and three per write. Each call is a
queue put, a thread wake-up and a hand-back to the event loop; profiling `bench/rsvp_burst.py`
(py-spy, GIL samples) showed those hand-offs costing more than SQLite's own work for an RSVP.

`FastConnection` is an aiosqlite connection that makes fewer crossings:

- Every statement's cursor work (execute, read every row, close) is one call.
- Inside a transaction opened with BEGIN IMMEDIATE (which `storage/db.py` uses for every
  transaction), statements run on the event loop's thread directly. That transaction holds
  SQLite's write lock, and in WAL mode nothing else can then make a statement wait (readers
  never block a writer), so a statement costs only SQLite's own work: microseconds for the
  index look-ups and single-row writes of the hot paths.
- What can wait stays on the thread: BEGIN IMMEDIATE itself (it waits up to the busy timeout
  for another process's write), COMMIT (it may checkpoint the WAL and fsync) and ROLLBACK,
  and any statement outside such a transaction.

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
    """An aiosqlite connection that runs a write transaction's statements on the event loop's
    thread and everything that may wait on its own thread (see the module's notes)."""

    _writing = False  # inside a transaction this connection opened with BEGIN IMMEDIATE

    def cursor(self) -> FastCursor:  # type: ignore[override]
        return FastCursor(self)

    async def _statement(
        self, cursor: FastCursor, sql: str, parameters: Any, many: bool
    ) -> FastCursor:
        conn = self._conn
        if self._writing and conn.in_transaction:
            return cursor._keep(_run(conn, sql, parameters, many))
        outcome = await self._execute(_run, conn, sql, parameters, many)
        self._writing = conn.in_transaction and _BEGIN_IMMEDIATE.match(sql) is not None
        return cursor._keep(outcome)

    async def commit(self) -> None:
        self._writing = False
        await super().commit()

    async def rollback(self) -> None:
        self._writing = False
        await super().rollback()


async def connect(database: str, **kwargs: Any) -> FastConnection:
    """Open `database` (a path, ":memory:" or a "file:" URI with uri=True) with sqlite3's
    keyword arguments (timeout in seconds, check_same_thread, uri). The worker thread is a
    daemon, as SQLAlchemy's own aiosqlite connect makes it, so a forgotten connection never
    keeps the process alive."""
    connector: Callable[[], sqlite3.Connection] = partial(sqlite3.connect, database, **kwargs)
    connection = FastConnection(connector, iter_chunk_size=64)
    connection._thread.daemon = True
    await connection
    return connection
