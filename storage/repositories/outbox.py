"""SQL for the outbox: insert, claim atomically, settle, withdraw and delete.

Only `bot/outbox.py` calls these: it is the one way rows are changed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, Update, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.db import Database
from storage.models import OutboxRow
from storage.repositories import pacing
from storage.repositories.upsert import insert_ignore

_UTC = OutboxRow.__table__.c.due_at.type


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        (OutboxRow.status == "pending") & (OutboxRow.due_at <= now),
        (OutboxRow.status == "claimed") & (OutboxRow.lease_until < now),
    )


OUTBOX = cast(Table, OutboxRow.__table__)
# Built once: every RSVP writes its card edit through these (statements per RSVP matter).
_INSERT = OUTBOX.insert()
_INSERT_IGNORE = {name: insert_ignore(name, OUTBOX) for name in ("sqlite", "postgresql")}
REPLACE_PENDING = (
    update(OUTBOX)
    .where(OUTBOX.c.coalesce_key == bindparam("key"), OUTBOX.c.status == "pending")
    .values(payload=bindparam("new_payload"), due_at=bindparam("new_due_at"))
)


async def insert(session: AsyncSession, **values: object) -> None:
    """Insert a row; with a dedupe_key, a second insert of the same key does nothing."""
    if values.get("dedupe_key") is not None:
        await session.execute(_INSERT_IGNORE[session.get_bind().dialect.name], values)
    else:
        await session.execute(_INSERT, values)


def insert_many(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    """Insert rows (each with the same keys) with a statement built once, in one executemany
    right before the session's next statement or its commit (`Database.write_later`), with
    the other rows given since: the reminders of a whole batch of answers in one trip. A row
    whose dedupe_key exists is skipped."""
    statement = _INSERT_IGNORE[session.get_bind().dialect.name]
    for row in rows:
        Database.write_later(session, statement, row)


async def replace_pending(
    session: AsyncSession, coalesce_key: str, *, payload: str, due_at: datetime
) -> bool:
    """Overwrite a pending row with the same coalesce key (e.g. the latest card edit wins)."""
    result = await session.execute(
        REPLACE_PENDING, {"key": coalesce_key, "new_payload": payload, "new_due_at": due_at}
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_due(
    session: AsyncSession,
    *,
    now: datetime,
    worker: str,
    lease: timedelta,
    platforms: Sequence[str],
    limit: int,
) -> list[OutboxRow]:
    """Claim up to `limit` due rows for `worker` until `now + lease`; returns them oldest first.
    Rows to a destination that is paced right now stay where they are until it is free.

    Two statements in the caller's transaction: lock the ids (PostgreSQL's `FOR UPDATE SKIP
    LOCKED`, so several processes claim disjoint rows without waiting on each other), then
    update exactly those rows, again only where still due. One `UPDATE ... WHERE id IN
    (SELECT ... LIMIT n FOR UPDATE SKIP LOCKED)` is not enough: when a row it reads was just
    changed by another claimer, PostgreSQL re-runs the sub-select (EvalPlanQual re-check) and
    takes more than `limit` rows. SQLite ignores the lock clause; its IMMEDIATE transactions
    serialize claims instead.

    First, rows that a later row with the same collapse key supersedes are dropped (see
    `drop_superseded`), so only the latest of them is ever claimed."""
    await drop_superseded(session, now)
    paced = pacing.paced_now(
        pacing.destination_key_sql(
            OutboxRow.platform, OutboxRow.destination_kind, OutboxRow.destination_id
        ),
        now,
    )
    ids = list(
        await session.scalars(
            select(OutboxRow.id)
            .where(_due(now), OutboxRow.platform.in_(list(platforms)), ~paced)
            .order_by(OutboxRow.due_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not ids:
        return []
    rows = await session.scalars(
        update(OutboxRow)
        .where(OutboxRow.id.in_(ids), _due(now))
        .values(
            status="claimed",
            claimed_by=worker,
            lease_until=now + lease,
            attempts=OutboxRow.attempts + 1,
        )
        .returning(OutboxRow)
        .execution_options(synchronize_session=False)
    )
    return sorted(rows.all(), key=lambda r: (r.due_at, r.id))


async def drop_superseded(session: AsyncSession, now: datetime) -> int:
    """Drop the pending rows due by `now` when a later row with the same collapse key is due
    by `now` too (pending, claimed or sent): after an outage that spans both reminder times
    of a date, the person gets the nearer one only. Keys are kept, so the dropped rows are
    never written again. Returns how many were dropped."""
    result = await session.execute(superseded_rows(now))
    return int(result.rowcount)  # type: ignore[attr-defined]


def superseded_rows(now: datetime) -> Update:
    """`drop_superseded`'s statement. A later row is looked up by collapse key and due time
    (the index ix_outbox_collapse_due), once per pending row with a key."""
    later = aliased(OutboxRow)
    superseded = (
        select(later.id)
        .where(
            later.collapse_key == OutboxRow.collapse_key,
            later.status.in_(("pending", "claimed", "sent")),
            later.due_at <= now,
            later.due_at > OutboxRow.due_at,
        )
        .exists()
    )
    return (
        update(OutboxRow)
        .where(
            OutboxRow.status == "pending",
            OutboxRow.collapse_key.is_not(None),
            OutboxRow.due_at <= now,
            superseded,
        )
        .values(status="dropped", last_error="superseded by a later one")
        .execution_options(synchronize_session=False)
    )


async def settle(session: AsyncSession, row_id: int, worker: str, **values: object) -> bool:
    """Record the outcome, only if this worker still holds the claim."""
    return await settle_many(session, worker, [(row_id, values)]) == 1


# Outcomes are recorded for many rows at once: one UPDATE per set of columns, run with
# executemany. Bound names carry a prefix: a name equal to a column's is SQLAlchemy's own.
_SETTLE_BY_COLUMNS: dict[tuple[str, ...], Any] = {}


def _settle_statement(columns: tuple[str, ...]) -> Any:
    statement = _SETTLE_BY_COLUMNS.get(columns)
    if statement is None:
        c = OUTBOX.c
        statement = (
            OUTBOX.update()
            .where(
                c.id == bindparam("o_id"),
                c.claimed_by == bindparam("o_worker"),
                c.status == "claimed",
            )
            .values({name: bindparam(f"o_{name}", type_=c[name].type) for name in columns})
        )
        _SETTLE_BY_COLUMNS[columns] = statement
    return statement


async def settle_many(
    session: AsyncSession, worker: str, outcomes: Sequence[tuple[int, Mapping[str, object]]]
) -> int | None:
    """Record each (row id, column values) outcome, only where this worker still holds the
    claim: one executemany per set of columns. Returns how many rows were updated, or None
    when the driver cannot tell for executemany (asyncpg)."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for row_id, values in outcomes:
        bound = {f"o_{name}": value for name, value in values.items()}
        bound.update(o_id=row_id, o_worker=worker)
        groups.setdefault(tuple(sorted(values)), []).append(bound)
    updated: int | None = 0
    for columns, rows in groups.items():
        result = await session.execute(_settle_statement(columns), rows)
        if len(rows) == 1 or session.get_bind().dialect.supports_sane_multi_rowcount:
            if updated is not None:
                updated += int(result.rowcount)  # type: ignore[attr-defined]
        else:
            updated = None
    return updated


async def settled_by(session: AsyncSession, worker: str, row_ids: Sequence[int]) -> set[int]:
    """Of ``row_ids``, those this worker holds in a final state (sent, failed or dropped):
    the rows whose outcome it recorded, not those another worker took over."""
    c = OUTBOX.c
    result = await session.execute(
        select(c.id).where(
            c.id.in_(list(row_ids)),
            c.claimed_by == worker,
            c.status.in_(("sent", "failed", "dropped")),
        )
    )
    return set(result.scalars())


_HAND_BACK = (
    OUTBOX.update()
    .where(
        OUTBOX.c.id == bindparam("row_id"),
        OUTBOX.c.claimed_by == bindparam("worker"),
        OUTBOX.c.status == "claimed",
    )
    .values(
        status="pending",
        claimed_by=None,
        lease_until=None,
        attempts=OUTBOX.c.attempts - 1,
        last_error=bindparam("reason"),
        maybe_sent=bindparam("was_maybe_sent", type_=OUTBOX.c.maybe_sent.type),
        first_attempt_at=bindparam("was_first_attempt_at", type_=_UTC),
    )
)


async def hand_back(
    session: AsyncSession,
    rows: Sequence[tuple[int, bool, datetime | None]],
    worker: str,
    reason: str,
) -> None:
    """Give back claims this worker has not sent (shutting down, or a batch that took long):
    they are due again at once for any worker, and the claim does not count as an attempt.
    Each row is (id, `maybe_sent`, `first_attempt_at`) as claimed: an attempt started but not
    sent is undone."""
    if rows:
        await session.execute(
            _HAND_BACK,
            [
                {
                    "row_id": row_id,
                    "worker": worker,
                    "reason": reason,
                    "was_maybe_sent": maybe_sent,
                    "was_first_attempt_at": first_attempt_at,
                }
                for row_id, maybe_sent, first_attempt_at in rows
            ],
        )


_START_ATTEMPTS = (
    OUTBOX.update()
    .where(
        OUTBOX.c.id.in_(bindparam("row_ids", expanding=True)),
        OUTBOX.c.claimed_by == bindparam("worker"),
        OUTBOX.c.status == "claimed",
    )
    .values(
        lease_until=bindparam("new_lease_until", type_=_UTC),
        maybe_sent=True,
        first_attempt_at=func.coalesce(
            OUTBOX.c.first_attempt_at, bindparam("attempt_at", type_=_UTC)
        ),
    )
    .returning(OUTBOX.c.id)
)


async def start_attempts(
    session: AsyncSession,
    row_ids: Sequence[int],
    worker: str,
    *,
    now: datetime,
    lease_until: datetime,
) -> set[int]:
    """Just before their platform calls: renew this worker's claims and record that the
    messages may reach the platform from now on (`maybe_sent`, first attempt time), in one
    statement. Returns the ids started; a row missing was lost to another worker meanwhile,
    and nothing may be sent for it."""
    if not row_ids:
        return set()
    result = await session.execute(
        _START_ATTEMPTS,
        {
            "row_ids": list(row_ids),
            "worker": worker,
            "new_lease_until": lease_until,
            "attempt_at": now,
        },
    )
    return set(result.scalars().all())


async def find_by_key(session: AsyncSession, dedupe_key: str) -> OutboxRow | None:
    return (
        await session.execute(select(OutboxRow).where(OutboxRow.dedupe_key == dedupe_key))
    ).scalar_one_or_none()


async def next_due_at(session: AsyncSession, platforms: Sequence[str]) -> datetime | None:
    pending = await session.scalar(
        select(func.min(OutboxRow.due_at)).where(
            OutboxRow.status == "pending", OutboxRow.platform.in_(list(platforms))
        )
    )
    leased = await session.scalar(
        select(func.min(OutboxRow.lease_until)).where(
            OutboxRow.status == "claimed", OutboxRow.platform.in_(list(platforms))
        )
    )
    candidates = [d for d in (pending, leased) if d is not None]
    if not candidates:
        return None
    # func.min bypasses the UTC type on some backends; normalise.
    from storage.models.base import UTCDateTime

    conv = UTCDateTime().process_result_value
    return min(conv(d, session.get_bind().dialect) for d in candidates)  # type: ignore[type-var]


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern matching text that starts with `prefix` (its wildcards escaped)."""
    return prefix.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"


async def drop_pending(
    session: AsyncSession,
    *,
    keys: Sequence[str] = (),
    prefix: str | None = None,
    community_id: int | None = None,
    person_id: str | None = None,
    kind: str | None = None,
    reason: str = "cancelled",
) -> int:
    """Withdraw rows not yet sent: those with one of `keys`, or a dedupe key starting with
    `prefix`, or (with `community_id`, `person_id` and `kind`) that kind addressed to that
    person. Their keys are released, so a rescheduled row with the same key can be written.
    Returns how many rows were withdrawn."""
    query = update(OutboxRow).where(OutboxRow.status == "pending")
    if keys:
        query = query.where(OutboxRow.dedupe_key.in_(list(keys)))
    elif prefix is not None:
        query = query.where(OutboxRow.dedupe_key.like(_like_prefix(prefix), escape="\\"))
    elif community_id is not None and person_id is not None and kind is not None:
        query = query.where(
            OutboxRow.community_id == community_id,
            OutboxRow.destination_kind == "person",
            OutboxRow.destination_id == person_id,
            OutboxRow.kind == kind,
        )
    else:
        return 0
    result = await session.execute(
        query.values(status="dropped", last_error=reason, dedupe_key=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def pending_zones(session: AsyncSession, prefix: str) -> dict[str, str]:
    """{platform user id: zone} of the pending rows to people whose dedupe key starts with
    `prefix` and that carry a zone."""
    rows = await session.execute(
        select(OutboxRow.destination_id, OutboxRow.timezone).where(
            OutboxRow.status == "pending",
            OutboxRow.destination_kind == "person",
            OutboxRow.timezone.is_not(None),
            OutboxRow.dedupe_key.like(_like_prefix(prefix), escape="\\"),
        )
    )
    return {user: str(zone) for user, zone in rows.all()}


def _mention(person_id: str) -> str:
    """How a stored message mentions this person: a Mention segment as pydantic writes it,
    `{"kind":"mention","user_id":"U1",...}`."""
    return '"kind":"mention","user_id":' + json.dumps(person_id, ensure_ascii=False)


async def delete_about_person(session: AsyncSession, community_id: int, person_id: str) -> int:
    """Delete every row of the community addressed to this person (sent, pending, failed or
    dropped) and every row whose message mentions them (the channel post made in place of an
    undeliverable direct message always does). Returns how many rows were deleted."""
    result = await session.execute(
        delete(OutboxRow).where(
            OutboxRow.community_id == community_id,
            OutboxRow.destination_kind == "person",
            OutboxRow.destination_id == person_id,
        )
    )
    deleted = int(result.rowcount)  # type: ignore[attr-defined]
    needle = _mention(person_id)
    candidates = await session.execute(
        select(OutboxRow.id, OutboxRow.payload).where(
            OutboxRow.community_id == community_id,
            OutboxRow.payload.like("%" + _like_prefix(needle), escape="\\"),
        )
    )
    # LIKE ignores case on SQLite; keep only exact mentions.
    mentioning = [row_id for row_id, payload in candidates.all() if needle in payload]
    if mentioning:
        result = await session.execute(delete(OutboxRow).where(OutboxRow.id.in_(mentioning)))
        deleted += int(result.rowcount)  # type: ignore[attr-defined]
    return deleted


async def backlog(session: AsyncSession, now: datetime) -> dict[str, tuple[int, datetime | None]]:
    """Per platform: how many rows are still to send (pending or claimed), and the due time
    (UTC) of the oldest of them already due at `now` (None when none is due yet)."""
    from storage.models.base import UTCDateTime

    conv = UTCDateTime().process_result_value
    dialect = session.get_bind().dialect
    unsent = OutboxRow.status.in_(("pending", "claimed"))
    depth = await session.execute(
        select(OutboxRow.platform, func.count()).where(unsent).group_by(OutboxRow.platform)
    )
    found: dict[str, tuple[int, datetime | None]] = {p: (int(n), None) for p, n in depth.all()}
    oldest = await session.execute(
        select(OutboxRow.platform, func.min(OutboxRow.due_at))
        .where(unsent, OutboxRow.due_at <= now)
        .group_by(OutboxRow.platform)
    )
    for platform, due in oldest.all():
        found[platform] = (found.get(platform, (0, None))[0], conv(due, dialect))
    return found
