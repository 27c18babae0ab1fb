"""A recipient's digest: one outbox row per person and digest time, rewritten as
invitations join it (or leave it) while it waits."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.delivery import Destination
from bot.outbox import Outbox
from cogs.events.views import EventView
from cogs.invitations import keys
from cogs.invitations.replies import digest_message
from storage.models import EventRow, PersonRow
from storage.repositories import invitations as repo


class Addressee(NamedTuple):
    """Who a digest goes to: their people-row id and platform id."""

    id: int
    external_id: str


async def write_digest(
    session: AsyncSession,
    outbox: Outbox,
    platform: str,
    community_id: int,
    person: Addressee,
    zone: str | None,
    due: datetime,
) -> None:
    """(Re)write the person's digest due at `due` (UTC) from their invitations waiting for
    it, in the caller's transaction; withdraw it when none is left."""
    key = keys.digest(person.id, due)
    pending = await repo.pending_digest(session, person.id, due)
    items = []
    for item in pending:
        event = await session.get(EventRow, item.event_id)
        inviter_row = await session.get(PersonRow, item.inviter_id)
        if event is not None:
            name = inviter_row.display_name if inviter_row else "someone"
            items.append((EventView.of(event), name, item))
    if not items:
        await outbox.withdraw(session, key, reason="no invitations left")
        return
    await outbox.enqueue(
        session,
        platform=platform,
        destination=Destination.person(person.external_id),
        message=digest_message(items),
        community_id=community_id,
        kind="invitation-digest",
        due_at=due,
        dedupe_key=key,
        coalesce_key=key,
        timezone=zone,
    )


async def rewrite_digest(
    session: AsyncSession,
    outbox: Outbox,
    *,
    platform: str,
    community_id: int,
    community_zone: str | None,
    person: PersonRow,
    due: datetime,
) -> None:
    """`write_digest` for a person after invitations left or joined their digest due at `due`
    (UTC): in their own zone, else the community's (`community_zone`)."""
    await write_digest(
        session,
        outbox,
        platform,
        community_id,
        Addressee(person.id, person.external_id),
        person.timezone or community_zone,
        due,
    )
