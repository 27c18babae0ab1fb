"""Outbox writes of the RSVP hot path whose outcome nothing reads: on SQLite they go to the
database with the transaction's next statement or its COMMIT (`Prepared.send_later`).

Only `bot/outbox.py` calls these, as it does `storage/repositories/outbox.py`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.prepared import Prepared
from storage.repositories.outbox import OUTBOX, REPLACE_PENDING

_REPLACE_PENDING_SOON = Prepared(REPLACE_PENDING)
# Outbox.enqueue's columns, in its order.
_COLUMNS = [
    "platform",
    "community_id",
    "kind",
    "destination_kind",
    "destination_id",
    "fallback_channel_id",
    "timezone",
    "payload",
    "due_at",
    "expires_at",
    "dedupe_key",
    "coalesce_key",
    "collapse_key",
    "edit_of",
    "status",
    "attempts",
    "created_at",
    "maybe_sent",
]


def _insert_unless_pending() -> Any:
    """INSERT one row (its values bound by column name) unless a pending row has its
    coalesce key: with `REPLACE_PENDING` before it, the newest pending row of a key wins
    without reading how many rows the UPDATE changed."""
    binds = {name: bindparam(name, type_=OUTBOX.c[name].type) for name in _COLUMNS}
    pending = (
        select(OUTBOX.c.id)
        .where(OUTBOX.c.coalesce_key == binds["coalesce_key"], OUTBOX.c.status == "pending")
        .exists()
    )
    return OUTBOX.insert().from_select(_COLUMNS, select(*binds.values()).where(~pending))


_INSERT_UNLESS_PENDING = Prepared(_insert_unless_pending())


async def replace_or_insert(session: AsyncSession, values: Mapping[str, object]) -> None:
    """Overwrite the payload and due time of the pending row with the same coalesce key, or
    else insert the row (`values`: `Outbox.enqueue`'s columns; no dedupe key). Two statements
    whose outcome is not read: on SQLite they go with the transaction's next statement or
    its COMMIT (`Prepared.send_later`)."""
    await _REPLACE_PENDING_SOON.send_later(
        session,
        {
            "key": values["coalesce_key"],
            "new_payload": values["payload"],
            "new_due_at": values["due_at"],
        },
    )
    await _INSERT_UNLESS_PENDING.send_later(session, values)


_DROP_BY_KEYS = Prepared(
    update(OUTBOX)
    .where(
        OUTBOX.c.status == "pending",
        OUTBOX.c.dedupe_key.in_(bindparam("keys", expanding=True)),
    )
    .values(status="dropped", last_error=bindparam("reason"), dedupe_key=None)
)


async def drop_pending_later(session: AsyncSession, keys: Sequence[str], reason: str) -> None:
    """`drop_pending(keys=...)` when nobody reads how many rows were withdrawn: on SQLite the
    UPDATE goes with the transaction's next statement or its COMMIT
    (`Prepared.send_later`). ORM objects of those rows in the session are not refreshed."""
    if keys:
        await _DROP_BY_KEYS.send_later(session, {"keys": list(keys), "reason": reason})
