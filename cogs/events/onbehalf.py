"""Organizers answering for someone else: who may, whom, and the audit-log entry it leaves.

An organizer of the event (or a moderator) may set or clear anyone's answer with
`/rsvp ... person:`, before or after the RSVP deadline; each change is recorded in the audit
log in the same transaction (storage/repositories/audit.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import NotFound
from bot.core.types import Person
from cogs.events.lookup import require_organizer
from cogs.events.views import EventView
from storage.models import PersonRow
from storage.repositories import audit
from storage.repositories import events as repo

AUDIT_KIND = "rsvp.set"


async def on_behalf(
    session: AsyncSession, view: EventView, person: Person, for_person: str | None
) -> PersonRow | None:
    """The people row whose answer `person` sets, or None when it is their own (no
    `for_person`, or their own platform id). Raises PermissionDenied unless `person`
    organizes the event (or is a moderator), NotFound for someone never seen here."""
    if for_person is None or for_person == person.external_id:
        return None
    require_organizer(view, person, "answer for others to")
    target = await repo.person_by_external(session, view.community_id, for_person)
    if target is None:
        raise NotFound(
            f"I don't know `{for_person}` in this community yet.",
            hint="They need to have used Potluck here once.",
        )
    return target


async def record_on_behalf(
    session: AsyncSession,
    view: EventView,
    occurrence: datetime,
    person: Person,
    target: PersonRow,
    old: str | None,
    new: str,
    now: datetime,
) -> None:
    """The audit-log entry: who set whose answer to which event and date, from what to what
    (`new` is "cleared" when the answer was removed)."""
    await audit.record(
        session,
        community_id=view.community_id,
        at=now,
        kind=AUDIT_KIND,
        actor=audit.Party(person.id, person.display_name),
        subject=audit.Party(target.id, target.display_name or target.external_id),
        detail={
            "event": view.code,
            "title": view.title,
            "date_utc": occurrence.isoformat(),
            "from": old,
            "to": new,
        },
    )
