"""SQL for moderators' invitation limit overrides (the community's, a role's, a person's).
Every function works in the caller's session and transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import LimitOverrideRow
from storage.repositories.upsert import insert_ignore

LIMITS = cast(Table, LimitOverrideRow.__table__)


_OVERRIDES = select(LIMITS).where(LIMITS.c.community_id == bindparam("community_id"))


async def overrides(session: AsyncSession, community_id: int) -> list[Any]:
    """The community's overrides as plain rows (the columns of LimitOverrideRow)."""
    return list(await session.execute(_OVERRIDES, {"community_id": community_id}))


async def override(
    session: AsyncSession, community_id: int, scope: str, subject: str, *, create: bool = False
) -> LimitOverrideRow | None:
    found = (
        await session.scalars(
            select(LimitOverrideRow).where(
                LimitOverrideRow.community_id == community_id,
                LimitOverrideRow.scope == scope,
                LimitOverrideRow.subject == subject,
            )
        )
    ).first()
    if found is None and create:
        await session.execute(
            insert_ignore(session, LimitOverrideRow).values(
                community_id=community_id, scope=scope, subject=subject
            )
        )
        return await override(session, community_id, scope, subject)
    return found


async def delete_override(
    session: AsyncSession, community_id: int, scope: str, subject: str
) -> None:
    await session.execute(
        delete(LimitOverrideRow).where(
            LimitOverrideRow.community_id == community_id,
            LimitOverrideRow.scope == scope,
            LimitOverrideRow.subject == subject,
        )
    )
