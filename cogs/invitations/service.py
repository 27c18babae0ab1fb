"""Inviting people: one transaction per /invite that decides, for every person, and writes
the invitations with their outbox rows.

The transaction first takes the community's invitation lock (storage/repositories/
invitations.py `lock_community`: an advisory lock on PostgreSQL, the write lock SQLite's
BEGIN IMMEDIATE already holds), then reads the counts, asks the pure rules in `limits.py`
and writes. Concurrent /invite calls, in any number of processes, therefore see each other's
invitations and can never overshoot a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Destination
from bot.core.errors import UserError
from bot.core.messages import Message
from bot.core.types import Community, Person
from bot.core.zones import zone as zone_of
from bot.outbox import Outbox, Outgoing
from cogs.events import dates
from cogs.events.lookup import find_event, find_view
from cogs.events.views import EventView, Tally
from cogs.invitations import keys
from cogs.invitations.digests import Addressee, rewrite_digest, write_digest
from cogs.invitations.limits import (
    DAY,
    WEEK,
    Decision,
    Inviter,
    Recipient,
    budget_line,
    for_moderators,
    next_free,
    paced,
    paused,
    plan,
)
from cogs.invitations.limits_store import limits_of
from cogs.invitations.replies import (
    invitation_message,
    invitation_payloads,
)
from cogs.invitations.settings import InvitationsSettings
from cogs.invitations.status import SentLine, state_words
from cogs.invitations.timing import held_until
from storage.db import Database
from storage.models import EventRow, InvitationRow, PersonRow
from storage.repositories import audit
from storage.repositories import invitation_facts as facts
from storage.repositories import invitations as repo

BLOCKING_REASONS = ("your invitations are paused", "this event has had", "has had", "you have")

# The inviter's words ("your invitations are paused", "you have invited 10 people in an
# hour") as the audit log says them to a moderator, in the third person, with the names
# left to the reader (audit.BY is the inviter, audit.ABOUT the person named).
_LOGGED = (
    ("your invitations are paused", f"{audit.BY}'s invitations are paused"),
    ("you have invited", f"{audit.BY} invited"),
    ("has had", f"{audit.ABOUT} has had"),
)


def logged_reason(reason: str) -> str:
    """A refusal's reason (limits.decide's words to the inviter) as the audit log keeps it:
    "you have invited 2 people in an hour, the limit" -> "{by} invited 2 people in an hour,
    the limit"; a reason of another kind is kept as it is."""
    for said, logged in _LOGGED:
        if reason.startswith(said):
            return logged + for_moderators_within(reason[len(said) :])
    return reason


def for_moderators_within(rest: str) -> str:
    """The pause reason in brackets of a refusal (" (3 of your last 4 ...)"), in the third
    person (`limits.for_moderators`)."""
    if rest.startswith(" (") and rest.endswith(")"):
        return f" ({for_moderators(rest[2:-1])})"
    return rest


def once_each(named: Sequence[str], people: Sequence[Any]) -> tuple[list[str], list[Any]]:
    """The people named and their rows (`InvitationService._resolve`), each person once
    however they were typed (a mention and a name, "@p13" and "@P13"): the first spelling
    stays; someone unknown counts once per name, whatever its case."""
    seen: set[object] = set()
    kept_named: list[str] = []
    kept: list[Any] = []
    for who, person in zip(named, people, strict=True):
        key = ("person", person.id) if person is not None else ("name", who.casefold())
        if key not in seen:
            seen.add(key)
            kept_named.append(who)
            kept.append(person)
    return kept_named, kept


async def live_event(
    session: AsyncSession, community: Community, ref: str, now: datetime
) -> tuple[EventView, datetime, list[datetime]]:
    """The event `ref` names, its next date and its upcoming dates. Raises UserError when it
    is cancelled or over (nothing to invite anyone to)."""
    view = await find_view(session, community.id, ref, now)
    upcoming = [] if view.cancelled else dates.next_dates(view, now)
    if not upcoming:
        raise UserError(
            f"{view.title} is {'cancelled' if view.cancelled else 'over'}; "
            "there is nothing to invite people to.",
            hint="Type /event list to see upcoming events.",
        )
    return view, upcoming[0], upcoming


@dataclass(frozen=True, slots=True)
class InviteReport:
    """What an /invite did: the event, a decision per person named (in order), the
    inviter's remaining budget in words, and when they may invite again if they can't now."""

    event: EventView
    decisions: list[Decision]
    budget: str | None
    next_at: datetime | None


class InvitationService:
    def __init__(
        self, db: Database, outbox: Outbox, clock: Clock, settings: InvitationsSettings
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings

    # -- /invite people: -------------------------------------------------------------------

    async def invite(
        self,
        community: Community,
        inviter: Person,
        *,
        platform: str,
        event_ref: str,
        named: Sequence[str],
        note: str | None,
    ) -> InviteReport:
        """Decide and write invitations for `named` (platform ids or console names)."""
        now = self.clock.now()
        per_minute = self.outbox.direct_messages.per_minute(platform, community.id)
        async with self.db.transaction() as session:
            await repo.lock_community(session, community.id)
            view, occurrence, upcoming = await live_event(session, community, event_ref, now)
            named, people = once_each(
                named, await self._resolve(session, community.id, view.id, inviter.id, named)
            )
            times = await facts.times(
                session,
                community.id,
                inviter.id,
                view.id,
                [p.id for p in people if p is not None],
                day_ago=now - DAY,
                week_ago=now - WEEK,
            )
            standing = await facts.standing(
                session,
                community.id,
                inviter.id,
                view.id,
                occurrence,
                now=now,
                waiting_cap=per_minute * 60 if per_minute else 0,
            )
            limits = limits_of(standing.overrides, inviter, self.settings.limits())
            state = Inviter(
                sent=times.sent,
                paused_until=standing.paused_until,
                pause_reason=standing.pause_reason,
                event_count=standing.event_count,
            )
            recipients = self._recipients(community, inviter, named, people, times, now)
            decisions = plan(state, recipients, limits, now)
            if per_minute and any(d.outcome == "sent" for d in decisions):
                decisions = paced(decisions, standing.waiting, per_minute, now)
            tally = Tally.of(standing.counts)
            card = invitation_message(
                view,
                occurrence,
                tally,
                upcoming if view.rrule else [],
                inviter.display_name,
                note,
                0,
            )
            await self._write(
                session, community, platform, view, inviter, card, note, people, decisions, now
            )
            sent = state.sent + [now] * sum(d.accepted for d in decisions)
        self.outbox.kick()
        if paused(state, now):  # the pause is the answer: no budget to speak of
            return InviteReport(view, decisions, None, None)
        return InviteReport(
            view, decisions, budget_line(sent, limits, now), next_free(sent, limits, now)
        )

    async def _resolve(
        self,
        session: AsyncSession,
        community_id: int,
        event_id: int,
        inviter_id: int,
        named: Sequence[str],
    ) -> list[Any]:
        """The people named, in order (None for someone unknown here), by platform id, else
        by display name; each with the facts of `facts.people`."""
        rows = await facts.people(session, community_id, event_id, inviter_id, named)
        by_id = {r.external_id: r for r in rows}
        missing = [n.lower() for n in named if n not in by_id]
        by_name = {}
        if missing:
            found = await facts.people(
                session, community_id, event_id, inviter_id, missing, by_name=True
            )
            by_name = {r.display_name.lower(): r for r in found}
        return [by_id.get(n) or by_name.get(n.lower()) for n in named]

    def _recipients(
        self,
        community: Community,
        inviter: Person,
        named: Sequence[str],
        people: Sequence[Any],
        times: facts.Times,
        now: datetime,
    ) -> list[Recipient]:
        out: list[Recipient] = []
        for who, person in zip(named, people, strict=True):
            if person is None:
                out.append(Recipient(who, member=False))
                continue
            until, held_for = self._held(person, community, now)
            out.append(
                Recipient(
                    name=person.display_name or person.external_id,
                    is_inviter=person.id == inviter.id,
                    invited_on=times.invited_on.get(person.id),
                    going=bool(person.going),
                    opted_out=bool(person.opted_out),
                    blocked_inviter=bool(person.blocked_inviter),
                    received=times.received.get(person.id, ()),
                    held_until=until,
                    held_for=held_for,
                )
            )
        return out

    def _held(
        self, person: Any, community: Community, now: datetime
    ) -> tuple[datetime | None, Any]:
        """When a new invitation to this person may arrive: their digest, else the end of
        their quiet hours (theirs, else the community's default). `person` carries their
        settings (`facts.people`; mode None without any)."""
        zone = zone_of(person.timezone or community.timezone)
        digest = (person.digest_every, person.digest_hour) if person.mode == "digest" else None
        # "" is the person's own "no quiet hours" (/invites quiet off), over the default.
        start = person.quiet_from if person.quiet_from is not None else self.settings.quiet_from
        end = person.quiet_to if person.quiet_to is not None else self.settings.quiet_to
        return held_until(now, zone, digest, (start or "", end or ""))

    @staticmethod
    def _invitation(
        community: Community,
        inviter: Person,
        view: EventView,
        person: Any,
        decision: Decision,
        note: str | None,
        now: datetime,
    ) -> dict[str, Any]:
        """The invitation's column values."""
        held = decision.outcome == "queued" and decision.reason in ("digest", "quiet hours")
        # Paced invitations are due now: the outbox's shared new-DM budget spaces them out.
        return dict(
            community_id=community.id,
            event_id=view.id,
            inviter_id=inviter.id,
            recipient_id=person.id,
            note=note,
            status="queued",
            delivery=(("digest" if decision.reason == "digest" else "quiet") if held else "now"),
            complaint=False,
            outbox_key=None,
            created_at=now,
            due_at=decision.until if held and decision.until else now,
        )

    async def _write(
        self,
        session: AsyncSession,
        community: Community,
        platform: str,
        view: EventView,
        inviter: Person,
        card: Message,
        note: str | None,
        people: Sequence[Any],
        decisions: Sequence[Decision],
        now: datetime,
    ) -> None:
        """The accepted invitations in one statement, then their digests and direct messages;
        the refusals that stop an inviter (a pause, a limit) in the audit log, in one more."""
        rows: list[dict[str, Any]] = []
        addressees: list[Any] = []
        refused: list[audit.Record] = []
        for person, decision in zip(people, decisions, strict=True):
            if decision.accepted and person is not None:
                row = self._invitation(community, inviter, view, person, decision, note, now)
                if row["delivery"] == "digest":
                    row["outbox_key"] = str(keys.digest(person.id, row["due_at"]))
                rows.append(row)
                addressees.append(person)
            elif decision.reason.startswith(BLOCKING_REASONS):
                refused.append(
                    audit.Record(
                        subject=audit.Party(person.id, person.display_name) if person else None,
                        reason=logged_reason(decision.reason),
                        detail={"event": view.code},
                    )
                )
        await audit.record_many(
            session,
            community_id=community.id,
            at=now,
            kind="invite.blocked",
            actor=audit.Party(inviter.id, inviter.display_name),
            records=refused,
        )
        ids = await repo.add_invitations(session, rows)
        direct = []
        for row, person, row_id in zip(rows, addressees, ids, strict=True):
            if row["delivery"] == "digest":
                zone = person.timezone or community.timezone
                await write_digest(
                    session,
                    self.outbox,
                    platform,
                    community.id,
                    Addressee(person.id, person.external_id),
                    zone,
                    row["due_at"],
                )
            else:
                direct.append((row, person, row_id))
        await self._write_direct(session, community, platform, card, inviter, direct)

    async def _write_direct(
        self,
        session: AsyncSession,
        community: Community,
        platform: str,
        card: Message,
        inviter: Person,
        rows: list[tuple[dict[str, Any], Any, int]],
    ) -> None:
        """The outbox rows of the invitations sent by direct message, in one statement; each
        is named after its invitation (`keys.invitation`), so the invitation keeps no
        `outbox_key`. No fallback channel: an invitation that can't reach someone privately
        is never posted in public."""
        if not rows:
            return
        payloads = invitation_payloads(card, inviter.display_name, [i for _, _, i in rows])
        outgoing = [
            Outgoing(
                platform=platform,
                destination=Destination.person(person.external_id),
                community_id=community.id,
                kind="invitation",
                due_at=row["due_at"],
                dedupe_key=keys.invitation(row_id),
                timezone=person.timezone or community.timezone,
                payload=payload,
            )
            for (row, person, row_id), payload in zip(rows, payloads, strict=True)
        ]
        await self.outbox.enqueue_many(session, None, outgoing)

    async def forget_inviter(
        self, session: AsyncSession, community: Community, person_id: int
    ) -> None:
        """Before a person is forgotten: withdraw the invitations they sent that are still
        waiting, and rewrite the digests that listed them."""
        rows = list(
            await session.scalars(
                select(InvitationRow).where(
                    InvitationRow.inviter_id == person_id, InvitationRow.status == "queued"
                )
            )
        )
        direct = [keys.invitation(r.id) for r in rows if r.delivery != "digest"]
        if direct:
            await self.outbox.withdraw(session, *direct, reason="inviter forgotten")
        digests = {
            (r.recipient_id, r.due_at)
            for r in rows
            if r.delivery == "digest" and r.recipient_id is not None
        }
        for r in rows:
            await session.delete(r)
        await session.flush()
        for recipient_id, due in digests:
            recipient = await session.get(PersonRow, recipient_id)
            if recipient is not None:
                await rewrite_digest(
                    session,
                    self.outbox,
                    platform=community.platform,
                    community_id=community.id,
                    community_zone=community.timezone,
                    person=recipient,
                    due=due,
                )

    async def event_code(self, community: Community, ref: str) -> str:
        """The short id of the event `ref` names (for the examples in an error, so they work
        as written); `ref` itself when it names none (the error about that comes later)."""
        try:
            async with self.db.sessions() as session:
                return (await find_event(session, community.id, ref, self.clock.now())).code
        except UserError:
            return ref

    # -- /invites sent ---------------------------------------------------------------------

    async def sent(
        self, community: Community, inviter: Person, event_ref: str | None
    ) -> list[SentLine]:
        now = self.clock.now()
        async with self.db.sessions() as session:
            event_id = None
            if event_ref:
                event_id = (await find_event(session, community.id, event_ref, now)).id
            rows = await repo.sent_by(session, inviter.id, keys.INVITATIONS.prefix, event_id)
            events = {
                e.id: e
                for e in await session.scalars(
                    select(EventRow).where(EventRow.id.in_({r[0].event_id for r in rows}))
                )
            }
            answers = await repo.answers(
                session, [(r[0].event_id, r[0].recipient_id) for r in rows]
            )
        lines = []
        for row, name, outbox_status, error in rows:
            event = events[row.event_id]
            lines.append(
                SentLine(
                    name=name,
                    event_title=event.title,
                    event_code=event.code,
                    at=row.created_at,
                    state=state_words(
                        row,
                        name,
                        outbox_status,
                        error,
                        answers.get((row.event_id, row.recipient_id)),
                    )
                    + (["; the event was cancelled"] if event.status == "cancelled" else []),
                )
            )
        return lines
