"""A recipient's waiting invitations follow their settings: when they change or end their
digest, change their quiet hours or zone, or turn invitations off and on again, every
invitation still queued for them is held back or re-timed as a new one would be
(service.py `InvitationService._held`), in the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.delivery import Destination
from bot.core.zones import zone as zone_of
from bot.outbox import Outbox, Outgoing
from cogs.events import dates
from cogs.events.views import EventView, Tally
from cogs.invitations import keys
from cogs.invitations.digests import Addressee, write_digest
from cogs.invitations.replies import invitation_message, invitation_payloads
from cogs.invitations.settings import InvitationsSettings
from cogs.invitations.timing import DigestEvery, held_until
from storage.models import EventRow, InvitationRow, PersonRow
from storage.repositories import consent
from storage.repositories import events as events_repo


async def reschedule(
    session: AsyncSession,
    outbox: Outbox,
    settings: InvitationsSettings,
    *,
    platform: str,
    community_id: int,
    community_zone: str,
    person_id: int,
    now: datetime,
) -> int:
    """Re-time the person's queued invitations (people-row id `person_id`) after a change of
    their settings; `now` is UTC. Their outbox rows (direct messages and digests) are
    withdrawn, then, unless the person turned invitations off, written again: in the next
    digest when they have one, else each as it comes (due at the end of their quiet hours,
    or now: the outbox paces new direct messages as usual). While invitations are off the
    invitations stay queued with no outbox row. An invitation whose event is cancelled or
    over is withdrawn instead. Returns how many invitations are on their way again."""
    rows = list(
        await session.scalars(
            select(InvitationRow)
            .where(InvitationRow.recipient_id == person_id, InvitationRow.status == "queued")
            .order_by(InvitationRow.id)
        )
    )
    person = await session.get(PersonRow, person_id)
    if not rows or person is None:
        return 0
    old_digests = {r.due_at for r in rows if r.delivery == "digest"}
    await outbox.withdraw(
        session,
        *[keys.invitation(r.id) for r in rows if r.delivery != "digest"],
        *[keys.digest(person_id, due) for due in old_digests],
        reason="recipient's settings changed",
    )
    if await consent.suppressed(session, community_id, [person.external_id]):
        return 0  # kept, unsent, for /invites on
    pref = await consent.preference(session, community_id, person_id)
    digest: tuple[DigestEvery, int] | None = None
    quiet = (settings.quiet_from or "", settings.quiet_to or "")
    if pref is not None:
        if pref.mode == "digest":
            digest = (pref.digest_every, pref.digest_hour)  # type: ignore[assignment]
        if pref.quiet_from is not None and pref.quiet_to is not None:
            quiet = (pref.quiet_from, pref.quiet_to)
    zone_name = person.timezone or community_zone
    until, why = held_until(now, zone_of(zone_name), digest, quiet)
    direct: list[tuple[InvitationRow, EventView]] = []
    new_digest = False
    for row in rows:
        event = await session.get(EventRow, row.event_id)
        view = EventView.of(event) if event is not None else None
        if view is None or view.cancelled or not dates.next_dates(view, now):
            row.status = "withdrawn"
            continue
        row.due_at = until or now
        if why == "digest":
            row.delivery, row.outbox_key = "digest", str(keys.digest(person_id, row.due_at))
            new_digest = True
        else:
            row.delivery, row.outbox_key = ("quiet" if why else "now"), None
            direct.append((row, view))
    await session.flush()
    if new_digest and until is not None:
        await write_digest(
            session,
            outbox,
            platform,
            community_id,
            Addressee(person_id, person.external_id),
            zone_name,
            until,
        )
    await _send_direct(session, outbox, platform, community_id, person, zone_name, direct, now)
    return len(direct) + sum(r.delivery == "digest" and r.status == "queued" for r in rows)


async def _send_direct(
    session: AsyncSession,
    outbox: Outbox,
    platform: str,
    community_id: int,
    person: PersonRow,
    zone_name: str,
    rows: list[tuple[InvitationRow, EventView]],
    now: datetime,
) -> None:
    """One outbox row per invitation, named after it (`keys.invitation`), each card built
    for its event's next date and its inviter, as /invite builds it."""
    outgoing = []
    for row, view in rows:
        upcoming = dates.next_dates(view, now)
        inviter = await session.get(PersonRow, row.inviter_id)
        name = inviter.display_name if inviter is not None else "someone"
        tally = Tally.of(await events_repo.counts(session, view.id, upcoming[0]))
        card = invitation_message(
            view, upcoming[0], tally, upcoming if view.rrule else [], name, row.note, 0
        )
        (payload,) = invitation_payloads(card, name, [row.id])
        outgoing.append(
            Outgoing(
                platform=platform,
                destination=Destination.person(person.external_id),
                community_id=community_id,
                kind="invitation",
                due_at=row.due_at,
                dedupe_key=keys.invitation(row.id),
                timezone=zone_name,
                payload=payload,
            )
        )
    if outgoing:
        await outbox.enqueue_many(session, None, outgoing)
