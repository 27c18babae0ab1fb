"""SQL for shared pacing: GCRA keys taken with one conditional UPDATE, holds, meters, and the
direct-message channels every process knows about.

Taking a key is `UPDATE pacing SET tat = :now + interval WHERE key = :key AND tat <= :now AND
no gate is closed`: the database decides, so N processes racing for one key get exactly one
success and can never overshoot (PostgreSQL re-checks the WHERE clause on the row after a
concurrent update commits; SQLite runs one writer at a time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    delete,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core import gcra
from storage.models import DirectChannelRow, PaceRow
from storage.repositories.upsert import insert_ignore, insert_or_update

DESTINATION = "dest"
_PACE = cast(Table, PaceRow.__table__)


def destination_key(platform: str, kind: str, destination_id: str) -> str:
    """The pacing key of one channel or person: `dest:<platform>:<kind>:<id>`."""
    return f"{DESTINATION}:{platform}:{kind}:{destination_id}"


def destination_key_sql(platform: Any, kind: Any, destination_id: Any) -> Any:
    """`destination_key` as an SQL expression over columns (|| on SQLite and PostgreSQL)."""
    return (
        literal(f"{DESTINATION}:") + platform + literal(":") + kind + literal(":") + destination_id
    )


def paced_now(key: Any, now: datetime) -> Any:
    """SQL: the pacing key `key` (an expression) is not free at `now`."""
    return exists().where(PaceRow.key == key, PaceRow.tat > now)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _gates_closed(now: datetime, gates: Sequence[gcra.Gate]):  # type: ignore[no-untyped-def]
    if not gates:
        return false()
    gate = aliased(PaceRow)
    return exists().where(
        or_(*(and_(gate.key == g.key, gate.tat > now + g.tolerance) for g in gates))
    )


# Built once: every send reads its destination's and platform's keys through it.
_TATS = select(_PACE.c.key, _PACE.c.tat).where(_PACE.c.key.in_(bindparam("keys", expanding=True)))


async def tats(session: AsyncSession, keys: Sequence[str]) -> dict[str, datetime]:
    rows = await session.execute(_TATS, {"keys": list(keys)})
    return {key: tat for key, tat in rows.all()}


async def take(
    session: AsyncSession,
    key: str,
    *,
    now: datetime,
    interval: timedelta,
    gates: Sequence[gcra.Gate] = (),
) -> gcra.Turn:
    """Use `key` at `now` if it conforms and every gate is open (GCRA, no burst). Returns the
    turn: `ok`, or `ready_at`, when the key and its gates next conform (a hint for coming back;
    the next take decides). With a zero interval nothing is written: only holds are checked."""
    if interval <= timedelta(0):  # nothing to spend: the key only waits out its holds
        found = await tats(session, [key, *(g.key for g in gates)])
        ready = gcra.ready_at(now, found.get(key), (g.ready_at(found.get(g.key)) for g in gates))
        return gcra.Turn(ok=ready <= now, tat=found.get(key, now), ready_at=ready)
    taken = await session.execute(
        update(PaceRow)
        .where(PaceRow.key == key, PaceRow.tat <= now, ~_gates_closed(now, gates))
        .values(tat=now + interval)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(taken):
        return gcra.Turn(ok=True, tat=now + interval, ready_at=now)
    found = await tats(session, [key, *(g.key for g in gates)])
    ready = gcra.ready_at(now, found.get(key), (g.ready_at(found.get(g.key)) for g in gates))
    if key not in found and ready <= now:
        # First use of this key: whoever inserts it has taken it.
        inserted = await session.execute(
            insert_ignore(session, PaceRow).values(key=key, tat=now + interval)
        )
        if _rowcount(inserted):
            return gcra.Turn(ok=True, tat=now + interval, ready_at=now)
        found = await tats(session, [key])
        ready = max(ready, found.get(key, now))
    return gcra.Turn(ok=False, tat=found.get(key, now), ready_at=max(ready, now))


async def reserve(
    session: AsyncSession, reservations: Mapping[str, datetime], *, now: datetime
) -> set[str]:
    """Take each key that conforms at `now` (TAT at most `now`, or never used) by setting its
    TAT to the time given: one INSERT ... ON CONFLICT DO UPDATE for all of them. Returns the
    keys taken; of processes racing for one key exactly one gets it (the conflict re-checks
    the condition on the row another has just written)."""
    statement = insert_or_update(
        session,
        _PACE,
        ["key"],
        # In key order, as every process takes them: two runs wanting the same keys on
        # PostgreSQL then wait for each other instead of deadlocking.
        [{"key": key, "tat": until} for key, until in sorted(reservations.items())],
        {"tat": lambda excluded: excluded.tat},
        where=_PACE.c.tat <= literal(now, type_=_PACE.c.tat.type),
    ).returning(_PACE.c.key)
    return set((await session.scalars(statement)).all())


_MOVE_BACK = (
    _PACE.update()
    .where(
        _PACE.c.key == bindparam("reserved_key"),
        _PACE.c.tat == bindparam("reserved_tat", type_=_PACE.c.tat.type),
    )
    .values(tat=bindparam("new_tat", type_=_PACE.c.tat.type))
)


async def move_back(session: AsyncSession, moves: Sequence[tuple[str, datetime, datetime]]) -> None:
    """For each (key, reserved TAT, new TAT): set the new TAT where the key still holds the
    reserved one (one executemany)."""
    if moves:
        await session.execute(
            _MOVE_BACK,
            [
                {"reserved_key": key, "reserved_tat": reserved, "new_tat": new}
                for key, reserved, new in sorted(moves)
            ],
        )


async def hold(session: AsyncSession, key: str, until: datetime) -> bool:
    """Keep `key` closed until `until` (a Retry-After): moves its TAT later, never earlier.
    Returns True when this call moved it."""
    moved = await session.execute(
        update(PaceRow)
        .where(PaceRow.key == key, PaceRow.tat < until)
        .values(tat=until)
        .execution_options(synchronize_session=False)
    )
    if _rowcount(moved):
        return True
    inserted = await session.execute(insert_ignore(session, PaceRow).values(key=key, tat=until))
    return bool(_rowcount(inserted))


async def open_hold(session: AsyncSession, key: str, *, now: datetime, until: datetime) -> bool:
    """Close `key` until `until` only if it is open now. True for the one caller that closed
    it, so a cool-down that several processes run into at once is announced once."""
    await session.execute(insert_ignore(session, PaceRow).values(key=key, tat=gcra.EPOCH_TAT))
    started = await session.execute(
        update(PaceRow)
        .where(PaceRow.key == key, PaceRow.tat <= now)
        .values(tat=until)
        .execution_options(synchronize_session=False)
    )
    return bool(_rowcount(started))


async def meter_add(
    session: AsyncSession, key: str, meter: gcra.Meter, *, now: datetime, events: int
) -> datetime:
    """Count `events` on a meter, under a row lock (these are rare: errors). Returns the TAT."""
    await session.execute(insert_ignore(session, PaceRow).values(key=key, tat=gcra.EPOCH_TAT))
    current = await session.scalar(select(PaceRow.tat).where(PaceRow.key == key).with_for_update())
    tat = meter.add(current, now, events)
    await session.execute(update(PaceRow).where(PaceRow.key == key).values(tat=tat))
    return tat


async def prune(session: AsyncSession, before: datetime) -> int:
    """Forget keys whose TAT is long past: they conform exactly as a missing key does."""
    result = await session.execute(delete(PaceRow).where(PaceRow.tat < before))
    return _rowcount(result)


# -- direct-message channels ----------------------------------------------------------------


async def dm_channel(session: AsyncSession, platform: str, user_id: str) -> str | None:
    return await session.scalar(
        select(DirectChannelRow.channel_id).where(
            DirectChannelRow.platform == platform, DirectChannelRow.user_id == user_id
        )
    )


async def remember_dm_channel(
    session: AsyncSession,
    *,
    platform: str,
    user_id: str,
    channel_id: str,
    community_id: int | None,
    now: datetime,
) -> None:
    await session.execute(
        insert_or_update(
            session,
            DirectChannelRow,
            ["platform", "user_id"],
            [
                dict(
                    platform=platform,
                    user_id=user_id,
                    channel_id=channel_id,
                    community_id=community_id,
                    opened_at=now,
                    queued_at=None,
                )
            ],
            {"channel_id": channel_id, "opened_at": now, "queued_at": None},
        )
    )


async def queue_position(
    session: AsyncSession,
    *,
    platform: str,
    community_id: int | None,
    user_id: str,
    now: datetime,
    horizon: timedelta,
) -> int:
    """This person's place (0 = first) among people of the community waiting for a new DM
    channel; joins the queue first if they are not in it. Entries older than `horizon` are
    not counted (their messages were most likely dropped)."""
    await session.execute(
        insert_ignore(session, DirectChannelRow).values(
            platform=platform, user_id=user_id, community_id=community_id, queued_at=now
        )
    )
    mine = await session.scalar(
        select(DirectChannelRow.queued_at).where(
            DirectChannelRow.platform == platform, DirectChannelRow.user_id == user_id
        )
    )
    if mine is None:  # they have a channel after all
        return 0
    community = (
        DirectChannelRow.community_id.is_(None)
        if community_id is None
        else DirectChannelRow.community_id == community_id
    )
    ahead = await session.scalar(
        select(func.count())
        .select_from(DirectChannelRow)
        .where(
            DirectChannelRow.platform == platform,
            community,
            DirectChannelRow.channel_id.is_(None),
            DirectChannelRow.queued_at > now - horizon,
            # Joined no later than this person (at one instant: those already there).
            DirectChannelRow.queued_at <= mine,
            DirectChannelRow.user_id != user_id,
        )
    )
    return int(ahead or 0)


async def forget_dm_channel(session: AsyncSession, platform: str, user_id: str) -> None:
    """A person asked to be forgotten: their DM channel is not kept either, nor any group DM
    they are in (kept under the members' ids joined by commas)."""
    await session.execute(
        delete(DirectChannelRow).where(
            DirectChannelRow.platform == platform,
            or_(
                DirectChannelRow.user_id == user_id,
                DirectChannelRow.user_id.like(f"{user_id},%"),
                DirectChannelRow.user_id.like(f"%,{user_id}"),
                DirectChannelRow.user_id.like(f"%,{user_id},%"),
            ),
        )
    )
