"""SQL for the outbox: insert, claim atomically, settle."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxRow
from storage.repositories import pacing
from storage.repositories.upsert import insert_ignore

_UTC = OutboxRow.__table__.c.due_at.type


def _due(now: datetime):  # type: ignore[no-untyped-def]
    return or_(
        (OutboxRow.status == "pending") & (OutboxRow.due_at <= now),
        (OutboxRow.status == "claimed") & (OutboxRow.lease_until < now),
    )


async def insert(session: AsyncSession, **values: object) -> None:
    """Insert a row; with a dedupe_key, a second insert of the same key does nothing."""
    if values.get("dedupe_key") is not None:
        await session.execute(insert_ignore(session, OutboxRow).values(**values))
    else:
        session.add(OutboxRow(**values))
        await session.flush()


async def replace_pending(session: AsyncSession, coalesce_key: str, **values: object) -> bool:
    """Overwrite a pending row with the same coalesce key (e.g. the latest card edit wins)."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.coalesce_key == coalesce_key, OutboxRow.status == "pending")
        .values(**values)
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
    """Claim up to `limit` due rows. SKIP LOCKED on PostgreSQL lets several processes claim
    disjoint rows; SQLite's IMMEDIATE transactions serialize claims instead. Rows to a
    destination that is paced right now stay where they are until it is free.

    The candidates are picked once, in a MATERIALIZED CTE: as a plain `IN (subquery)`
    PostgreSQL may run the locking subquery again for each row it updates, and SKIP LOCKED
    then skips the rows this very statement already updated, so every due row was claimed."""
    paced = pacing.paced_now(
        pacing.destination_key_sql(
            OutboxRow.platform, OutboxRow.destination_kind, OutboxRow.destination_id
        ),
        now,
    )
    picked = (
        select(OutboxRow.id)
        .where(_due(now), OutboxRow.platform.in_(list(platforms)), ~paced)
        .order_by(OutboxRow.due_at, OutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("picked")
        .prefix_with("MATERIALIZED")
    )
    rows = await session.scalars(
        update(OutboxRow)
        .where(OutboxRow.id.in_(select(picked.c.id)), _due(now))
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


async def settle(session: AsyncSession, row_id: int, worker: str, **values: object) -> bool:
    """Record the outcome, only if this worker still holds the claim."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == row_id, OutboxRow.claimed_by == worker, OutboxRow.status == "claimed"
        )
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def hand_back(session: AsyncSession, row_ids: Sequence[int], worker: str, reason: str) -> int:
    """Give back claims this worker has not started on (shutting down, or a batch that took
    long): they are due again at once for any worker, and the claim does not count as an
    attempt. Returns how many."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id.in_(list(row_ids)),
            OutboxRow.claimed_by == worker,
            OutboxRow.status == "claimed",
        )
        .values(
            status="pending",
            claimed_by=None,
            lease_until=None,
            attempts=OutboxRow.attempts - 1,
            last_error=reason,
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def start_attempt(
    session: AsyncSession, row_id: int, worker: str, *, now: datetime, lease_until: datetime
) -> bool:
    """Just before a platform call: renew this worker's claim and record that the message may
    reach the platform from now on (`maybe_sent`, first attempt time). False when the claim was
    lost to another worker meanwhile: then nothing may be sent."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == row_id, OutboxRow.claimed_by == worker, OutboxRow.status == "claimed"
        )
        .values(
            lease_until=lease_until,
            maybe_sent=True,
            first_attempt_at=func.coalesce(OutboxRow.first_attempt_at, literal(now, type_=_UTC)),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


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


async def drop_pending(
    session: AsyncSession,
    *,
    dedupe_prefix: str | None = None,
    coalesce_key: str | None = None,
    reason: str = "cancelled",
) -> int:
    """Withdraw rows not yet sent (e.g. reminders of an event that moved)."""
    query = update(OutboxRow).where(OutboxRow.status == "pending")
    if dedupe_prefix is not None:
        query = query.where(
            OutboxRow.dedupe_key.like(dedupe_prefix.replace("%", r"\%") + "%", escape="\\")
        )
    if coalesce_key is not None:
        query = query.where(OutboxRow.coalesce_key == coalesce_key)
    # The key is released so a rescheduled row with the same key can be written.
    result = await session.execute(
        query.values(status="dropped", last_error=reason, dedupe_key=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
