"""Statements of the hot paths (one RSVP) compiled once and sent straight to SQLite.

Each statement a session executes passes through SQLAlchemy's session, connection,
execution context and result machinery: 70-300 us of CPU in the event loop's thread per
statement on this project's machine, most of a lone RSVP's cost. On SQLite a `Prepared`
statement is compiled once by SQLAlchemy; each run fills in the parameters as SQLAlchemy's
execution context does (IN lists expanded by `SQLCompiler.construct_expanded_state`, kept
per length), applies the column types' own bind and result processors (a row is a named
tuple of the selected columns), and sends the SQL as one trip to
aiosqlite's thread (`sqlite_trips.OneTripConnection.run_all`), about 15 us. Several reads
can share one trip (`rows_together`). Writes whose outcome is not read (`send_later`) wait
for the next trip: the next statement's, or the COMMIT's. On PostgreSQL the session
executes the statement as usual.

Rows given to `write_later` (one executemany per statement, for a batch of answers) are
sent before any statement run here, so everything reaches the database in the order given.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import BindParameter

from storage.sqlite_trips import OneTripConnection

WRITES = "potluck_writes"  # connection.info key: statements other than SELECT sent on it
LATER = "potluck_write_later"  # session.info key: {statement: [rows]}
GIVEN_LATER = "potluck_given_later"  # session.info key: rows ever given to write_later
_DRIVER = "potluck_driver"  # session.info key: (transaction, OneTripConnection, its info)


class _Bind(NamedTuple):
    """Where one positional parameter's value comes from, and its type's bind processor."""

    key: str  # the value given under this name
    bind: BindParameter[Any]  # else its own value
    process: Callable[[Any], Any] | None
    item: int = -1  # from 0: this item of an IN list's values


class _Form(NamedTuple):
    compiled: SQLCompiler
    binds: tuple[_Bind, ...] | None  # None: IN lists, expanded for their lengths (`expanded`)
    row: Callable[..., Any] | None  # builds a result row (a named tuple); None: no rows
    results: tuple[Callable[[Any], Any] | None, ...]  # the columns' result processors
    lean: bool  # False: a column's default is computed in Python; the session executes it
    lists: tuple[str, ...]  # the names of the IN lists' values
    expanded: dict[tuple[int, ...], tuple[str, tuple[_Bind, ...]]]  # by the lists' lengths


# Most lengths of IN lists one statement keeps a form for (answers read ahead: up to 100).
EXPANDED_FORMS = 128


class Prepared:
    """A Core statement (select, insert, update, delete) run on SQLite without SQLAlchemy's
    per-statement execution machinery, and by the session elsewhere. Build it once, at
    import time: its compiled form is kept."""

    def __init__(self, statement: Executable) -> None:
        self.statement: Any = statement  # an Executable ClauseElement
        # An INSERT without values names the columns of the rows given: one form per set.
        self._by_columns = isinstance(statement, Insert) and statement.select is None
        self._forms: dict[tuple[str, ...] | None, _Form] = {}

    def _sqlite(self, dialect: Dialect, values: Mapping[str, Any]) -> _Form:
        keys = tuple(values) if self._by_columns else None
        form = self._forms.get(keys)
        if form is None:
            compiled = self.statement.compile(
                dialect=dialect, column_keys=list(keys) if keys is not None else None
            )
            assert isinstance(compiled, SQLCompiler) and compiled.positiontup is not None
            processors = cast(dict[str, Callable[[Any], Any]], compiled._bind_processors)
            binds = (
                None
                if compiled.post_compile_params or compiled.literal_execute_params
                else tuple(
                    _Bind(compiled.binds[name].key, compiled.binds[name], processors.get(name))
                    for name in compiled.positiontup
                )
            )
            plain = not (compiled.literal_execute_params or compiled.escaped_bind_names)
            lists = tuple(b.key for b in compiled.post_compile_params) if plain else ()
            columns = list(getattr(self.statement, "selected_columns", None) or [])
            row = namedtuple("Row", [c.key for c in columns], rename=True) if columns else None  # type: ignore[misc]
            results = tuple(c.type._cached_result_processor(dialect, None) for c in columns)
            lean = not (compiled.insert_prefetch or compiled.update_prefetch)
            form = _Form(compiled, binds, row, results, lean, lists, {})
            self._forms[keys] = form
        return form

    @staticmethod
    def _expanded(form: _Form, values: Mapping[str, Any]) -> tuple[str, tuple[_Bind, ...]] | None:
        """The SQL and the positional parameters' sources for IN lists of these lengths (kept
        per lengths, as SQLAlchemy expands them: `SQLCompiler.construct_expanded_state`); None
        when SQLAlchemy must expand them at each run (tuples, literal values)."""
        if not form.lists or any(
            not isinstance(values.get(key), list | tuple) for key in form.lists
        ):
            return None
        lengths = tuple(len(values[key]) for key in form.lists)
        found = form.expanded.get(lengths)
        if found is not None:
            return found
        if any(isinstance(item, tuple) for key in form.lists for item in values[key]):
            return None
        compiled = form.compiled
        state = compiled.construct_expanded_state(values)
        assert state.positiontup is not None
        processors = cast(dict[str, Callable[[Any], Any]], compiled._bind_processors)
        items = cast(dict[str, Callable[[Any], Any]], state.processors)
        into = {
            name: (original, index)
            for original, names in state.parameter_expansion.items()
            for index, name in enumerate(names)
        }
        sources = []
        for name in state.positiontup:
            original, index = into.get(name, (name, -1))
            bind = compiled.binds[original]
            process = items.get(name) if index >= 0 else processors.get(name)
            sources.append(_Bind(bind.key, bind, process, index))
        found = (state.statement, tuple(sources))
        if len(form.expanded) < EXPANDED_FORMS:
            form.expanded[lengths] = found
        return found

    def _parameters(self, form: _Form, values: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The SQL and its positional parameters, through the types' bind processors, as
        SQLAlchemy's execution context makes them (`SQLCompiler.construct_params`)."""
        sql, binds = form.compiled.string, form.binds
        if binds is None and (planned := self._expanded(form, values)) is not None:
            sql, binds = planned
        if binds is not None:
            out = []
            for key, bind, process, index in binds:
                if key in values:
                    value = values[key] if index < 0 else values[key][index]
                elif bind.required:
                    raise KeyError(f"a value is required for bind parameter {key!r}")
                else:
                    value = bind.effective_value if bind.callable else bind.value
                out.append(value if process is None else process(value))
            return sql, tuple(out)
        compiled = form.compiled
        state = compiled.construct_expanded_state(values)
        # The statement's processors, and those of the values an IN list was expanded into.
        processors = cast(dict[str, Callable[[Any], Any]], compiled._bind_processors)
        if state.processors:
            processors = {**processors, **state.processors}
        parameters = state.parameters
        assert state.positiontup is not None
        expanded = []
        for name in state.positiontup:
            value = parameters[name]
            process = processors.get(name)
            expanded.append(value if process is None else process(value))
        return state.statement, tuple(expanded)

    async def rows(self, session: AsyncSession, values: Mapping[str, Any]) -> list[Any]:
        """Run a SELECT; its rows, each with the columns by name (`row.id`)."""
        (found,) = await rows_together(session, (self, values))
        return found

    def _made(self, form: _Form, raw: list[Any]) -> list[Any]:
        assert form.row is not None
        make, results = form.row, form.results
        return [
            make(*(v if p is None else p(v) for p, v in zip(results, r, strict=True))) for r in raw
        ]

    async def send_later(self, session: AsyncSession, values: Mapping[str, Any]) -> None:
        """Run an INSERT, UPDATE or DELETE whose outcome nobody reads: on SQLite it waits for
        the transaction's next trip (its next statement, or the COMMIT) and its errors are
        raised there; elsewhere it runs now."""
        driver = await sqlite_driver(session)
        form = None if driver is None else self._sqlite(session.get_bind().dialect, values)
        if driver is None or form is None or not form.lean:
            await session.execute(self.statement, values)
            return
        await send_waiting(session, driver)
        _count_write(session)
        driver.send_later(*self._parameters(form, values))

    def queue_many(
        self, session: AsyncSession, driver: OneTripConnection, rows: list[dict[str, Any]]
    ) -> bool:
        """Give `rows` (each with the same keys) to `driver` as one executemany for its next
        trip (SQLite only). False, with nothing given, when the session must execute them
        (a column's default is computed in Python)."""
        form = self._sqlite(session.get_bind().dialect, rows[0])
        if not form.lean:
            return False
        sent = [self._parameters(form, row) for row in rows]
        driver.send_later(sent[0][0], [parameters for _, parameters in sent], many=True)
        return True


async def rows_together(
    session: AsyncSession, *selects: tuple[Prepared, Mapping[str, Any]]
) -> list[list[Any]]:
    """Run SELECTs in the order given, on SQLite in one trip; the rows of each (see
    `Prepared.rows`). A lock one of them takes (FOR UPDATE, or SQLite's BEGIN IMMEDIATE
    sent with the first) holds for the ones after it."""
    driver = await sqlite_driver(session)
    forms = []
    if driver is not None:
        dialect = session.get_bind().dialect
        forms = [statement._sqlite(dialect, values) for statement, values in selects]
    if driver is None or not all(form.lean for form in forms):
        return [
            list((await session.execute(statement.statement, values)).all())
            for statement, values in selects
        ]
    await send_waiting(session, driver)
    outcomes = await driver.run_all(
        [
            statement._parameters(form, values)
            for (statement, values), form in zip(selects, forms, strict=True)
        ]
    )
    return [
        statement._made(form, outcome[3])
        for (statement, _), form, outcome in zip(selects, forms, outcomes, strict=True)
    ]


_PREPARED: dict[Any, Prepared] = {}


def prepared(statement: Executable) -> Prepared:
    """The `Prepared` of a statement built once (a module's constant), kept here."""
    found = _PREPARED.get(statement)
    if found is None:
        found = _PREPARED[statement] = Prepared(statement)
    return found


async def sqlite_driver(session: AsyncSession) -> OneTripConnection | None:
    """The session's SQLite connection (`sqlite_trips`), its transaction begun; None on other
    databases."""
    kept = _kept(session)
    if kept is not None:
        return kept[1]
    if session.get_bind().dialect.name != "sqlite":
        return None
    connection = await session.connection()
    driver = connection.sync_connection.connection.driver_connection  # type: ignore[union-attr]
    if not isinstance(driver, OneTripConnection):
        return None
    session.info[_DRIVER] = (session.sync_session.get_transaction(), driver, connection.info)
    return driver


def _kept(session: AsyncSession) -> tuple[Any, OneTripConnection, dict[Any, Any]] | None:
    kept = session.info.get(_DRIVER)
    if kept is not None and kept[0] is session.sync_session.get_transaction():
        return kept  # type: ignore[no-any-return]
    return None


async def send_waiting(session: AsyncSession, driver: OneTripConnection) -> None:
    """Hand the rows given to `write_later` to the driver, for its next trip, in the order
    given; rows it cannot take (a column's default computed in Python) the session executes
    now, after what the driver holds."""
    later: dict[Any, list[dict[str, Any]]] | None = session.info.pop(LATER, None)
    for statement, rows in (later or {}).items():
        if not prepared(statement).queue_many(session, driver, rows):
            await session.execute(statement, rows)


def write_later(session: AsyncSession, statement: Any, row: dict[str, Any]) -> None:
    """See `storage.queued.write_later`."""
    session.info.setdefault(LATER, {}).setdefault(statement, []).append(row)
    session.info[GIVEN_LATER] = session.info.get(GIVEN_LATER, 0) + 1


def _count_write(session: AsyncSession) -> None:
    kept = _kept(session)
    assert kept is not None
    info = kept[2]
    info[WRITES] = info.get(WRITES, 0) + 1
