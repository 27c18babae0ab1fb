"""SQL for a recipient's consent to invitations: "no invitations at all" (suppressions),
per-inviter blocks and the digest/quiet-hours preferences. Every function works in the
caller's session and transaction; times are UTC.

Suppressions and blocks are kept by platform id, so they outlive `/privacy forget` (like an
e-mail suppression list); preferences belong to the person and go with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BlockRow, PersonRow, RecipientPreferenceRow, SuppressionRow
from storage.repositories.upsert import insert_ignore


async def suppressed(
    session: AsyncSession, community_id: int, external_ids: Sequence[str]
) -> set[str]:
    if not external_ids:
        return set()
    rows = await session.scalars(
        select(SuppressionRow.external_id).where(
            SuppressionRow.community_id == community_id,
            SuppressionRow.external_id.in_(external_ids),
        )
    )
    return set(rows)


async def preferences(
    session: AsyncSession, community_id: int, person_ids: Sequence[int]
) -> dict[int, RecipientPreferenceRow]:
    if not person_ids:
        return {}
    rows = await session.scalars(
        select(RecipientPreferenceRow).where(
            RecipientPreferenceRow.community_id == community_id,
            RecipientPreferenceRow.person_id.in_(person_ids),
        )
    )
    return {r.person_id: r for r in rows}


async def preference(
    session: AsyncSession,
    community_id: int,
    person_id: int,
    *,
    create: bool = False,
    digest_hour: int = 9,
) -> RecipientPreferenceRow | None:
    found = (await preferences(session, community_id, [person_id])).get(person_id)
    if found is None and create:
        found = RecipientPreferenceRow(
            community_id=community_id,
            person_id=person_id,
            mode="on",
            digest_every="daily",
            digest_hour=digest_hour,
        )
        session.add(found)
        await session.flush()
    return found


async def suppress(
    session: AsyncSession, community_id: int, external_id: str, now: datetime
) -> bool:
    """Turn invitations off for `external_id`; False when they were off already."""
    result: Any = await session.execute(
        insert_ignore(session, SuppressionRow).values(
            community_id=community_id, external_id=external_id, created_at=now
        )
    )
    return bool(result.rowcount)


async def unsuppress(session: AsyncSession, community_id: int, external_id: str) -> bool:
    """Forget that the person turned invitations off; False when they had not."""
    result: Any = await session.execute(
        delete(SuppressionRow).where(
            SuppressionRow.community_id == community_id, SuppressionRow.external_id == external_id
        )
    )
    return bool(result.rowcount)


async def block(
    session: AsyncSession, community_id: int, external_id: str, blocked: str, now: datetime
) -> bool:
    """Record that the person with platform id `external_id` takes no invitations from the
    one with platform id `blocked` (kept by platform ids: it outlives /privacy forget);
    False when they had blocked them already (nothing written)."""
    result: Any = await session.execute(
        insert_ignore(session, BlockRow).values(
            community_id=community_id,
            external_id=external_id,
            blocked_external_id=blocked,
            created_at=now,
        )
    )
    return bool(result.rowcount)


async def unblock(session: AsyncSession, community_id: int, external_id: str, blocked: str) -> bool:
    result: Any = await session.execute(
        delete(BlockRow).where(
            BlockRow.community_id == community_id,
            BlockRow.external_id == external_id,
            BlockRow.blocked_external_id == blocked,
        )
    )
    return bool(result.rowcount)


async def blocked_names(session: AsyncSession, community_id: int, external_id: str) -> list[str]:
    """Who the person blocked, by name (the platform id of someone Potluck no longer
    knows), sorted."""
    rows = await session.scalars(
        select(func.coalesce(PersonRow.display_name, BlockRow.blocked_external_id))
        .select_from(BlockRow)
        .outerjoin(
            PersonRow,
            (PersonRow.community_id == BlockRow.community_id)
            & (PersonRow.external_id == BlockRow.blocked_external_id),
        )
        .where(BlockRow.community_id == community_id, BlockRow.external_id == external_id)
    )
    return sorted(rows)
