"""INSERT ... ON CONFLICT DO NOTHING for both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_ignore(session: AsyncSession | str, table: Any) -> Any:
    """An insert that silently skips rows violating a unique constraint; for the session's
    database, or the dialect named ("sqlite" or "postgresql")."""
    dialect = session if isinstance(session, str) else session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table).on_conflict_do_nothing()


def insert_or_update(
    session: AsyncSession,
    table: Any,
    keys: list[str],
    values: list[dict[str, Any]],
    update: dict[str, Any],
    where: Any = None,
) -> Any:
    """One INSERT ... ON CONFLICT (keys) DO UPDATE statement for one or many rows; values in
    `update` may be callables of the `excluded` row, and `where` limits which existing rows
    are updated. Callers add RETURNING."""
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).values(values)
    return stmt.on_conflict_do_update(
        index_elements=keys,
        set_={k: (v(stmt.excluded) if callable(v) else v) for k, v in update.items()},
        where=where,
    )


def upsert(dialect: str, table: Any, keys: list[str], update: dict[str, Any]) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE without values, for the dialect named ("sqlite"
    or "postgresql"): build it once and execute it with a list of rows (SQLAlchemy sends
    them as multi-row INSERTs, its "insertmanyvalues"), so it is compiled once. Values in
    `update` may be callables of the `excluded` row. Callers add RETURNING."""
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table)
    return stmt.on_conflict_do_update(
        index_elements=keys,
        set_={k: (v(stmt.excluded) if callable(v) else v) for k, v in update.items()},
    )
