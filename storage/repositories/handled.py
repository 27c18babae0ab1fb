"""Platform requests already acted on, so a retried delivery of one never runs twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.core import HandledRequest
from storage.repositories.upsert import insert_ignore

KEY_MAX = 200  # the width of handled_requests.key


async def first_time(session: AsyncSession, key: str, now: datetime) -> bool:
    """Record the request `key` (cut to 200 characters) as handled at `now` (UTC); False when
    it was recorded before, by this process or another."""
    result = await session.execute(
        insert_ignore(session, HandledRequest).values(key=key[:KEY_MAX], created_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_before(session: AsyncSession, prefix: str, cutoff: datetime) -> int:
    """Delete the records whose key starts with `prefix` made before `cutoff` (UTC); returns
    how many."""
    escaped = prefix.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    result = await session.execute(
        delete(HandledRequest).where(
            HandledRequest.key.like(escaped + "%", escape="\\"), HandledRequest.created_at < cutoff
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def seen(session: AsyncSession, key: str) -> bool:
    """Whether `key` (cut to 200 characters) was recorded as handled."""
    found = await session.get(HandledRequest, key[:KEY_MAX])
    return found is not None
