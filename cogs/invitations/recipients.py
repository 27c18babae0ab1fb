"""What recipients decide: their settings (/invites off|on|digest|quiet|block|unblock) and
their answers to an invitation. "No more from" and "No invitations at all" are honoured at
once and count as complaints against the inviter; past the reputation threshold the inviter
is paused, told why, and the moderators are alerted, all in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Destination
from bot.core.errors import BadOption, UserError, someone_else
from bot.core.messages import Bold, Code, Message, Time, rich
from bot.core.types import Community, Person
from bot.outbox import Outbox
from cogs.invitations import keys
from cogs.invitations.digests import rewrite_digest
from cogs.invitations.limits import AUTO_PAUSE_REASON, over_threshold
from cogs.invitations.naming import person_word
from cogs.invitations.rescheduling import reschedule
from cogs.invitations.settings import InvitationsSettings
from cogs.invitations.timing import DigestEvery
from cogs.moderation.alerts import ModeratorAlerts, alert_key
from storage.db import Database
from storage.models import CommunityRow, PersonRow, RecipientPreferenceRow
from storage.repositories import audit, consent
from storage.repositories import invitations as repo

Choice = Literal["decline", "block", "off"]
TurnedOn = Literal["on", "ended", "already"]
Digest = tuple[str, int] | None  # (daily | weekly, the hour), or None: each as it comes


@dataclass(frozen=True, slots=True)
class Answered:
    """What a recipient's button did: `inviter` is the inviter's name; `paused_until` is set
    when this complaint paused the inviter."""

    choice: Choice
    inviter: str
    paused_until: datetime | None = None
    already: bool = False  # the block or "no invitations at all" was so before this press
    inviter_known: bool = True  # False: the inviter was forgotten (nobody to name)


@dataclass(frozen=True, slots=True)
class RecipientSettings:
    off: bool
    mode: str
    digest_every: str
    digest_hour: int
    quiet: tuple[str, str] | None
    blocked: list[str]


class Recipients:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        clock: Clock,
        settings: InvitationsSettings,
        alerts: ModeratorAlerts,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings
        self.alerts = alerts

    # -- settings --------------------------------------------------------------------------

    async def set_off(self, community: Community, person: Person) -> bool:
        """Turn invitations off; False when they were off already. A digest setting stays,
        for when they are turned on again, and so do the invitations waiting for them: none
        is sent while invitations are off (`rescheduling.reschedule`)."""
        async with self.db.transaction() as session:
            now = self.clock.now()
            changed = await consent.suppress(session, community.id, person.external_id, now)
            await self._follow(session, community, person)
            return changed

    async def set_on(self, community: Community, person: Person) -> tuple[TurnedOn, Digest]:
        """/invites on: take invitations again. Returns what changed ("on": they were off,
        and come as before, in the digest when there is one; "ended": they were on, in a
        digest, which ended: each as it comes now; "already": nothing) and the digest
        (every, hour) they come in now, or None: each as it comes."""
        async with self.db.transaction() as session:
            was_off = await consent.unsuppress(session, community.id, person.external_id)
            pref = await consent.preference(session, community.id, person.id)
            digest = pref is not None and pref.mode == "digest"
            if was_off:
                turned: TurnedOn = "on"
            elif digest:
                assert pref is not None
                pref.mode, turned, digest = "on", "ended", False
            else:
                turned = "already"
            if turned != "already":
                await self._follow(session, community, person)
        self.outbox.kick()
        return turned, (pref.digest_every, pref.digest_hour) if digest and pref else None

    async def set_digest(
        self, community: Community, person: Person, every: DigestEvery | None, hour: int | None
    ) -> tuple[str, int]:
        """Gather invitations in a digest `every` day or week (None: as it was, daily for a
        first digest) at `hour` (their zone; None: as it was); the invitations waiting move
        to the new digest. Returns the digest's (every, hour) now."""
        async with self.db.transaction() as session:
            pref = await self._pref(session, community.id, person.id)
            pref.mode = "digest"
            if every is not None:
                pref.digest_every = every
            if hour is not None:
                pref.digest_hour = hour
            await self._follow(session, community, person)
            return pref.digest_every, pref.digest_hour

    async def end_digest(self, community: Community, person: Person) -> bool:
        """Invitations come each as it comes again; False when there was no digest."""
        async with self.db.transaction() as session:
            pref = await consent.preference(session, community.id, person.id)
            if pref is None or pref.mode != "digest":
                return False
            pref.mode = "on"
            await self._follow(session, community, person)
        self.outbox.kick()
        return True

    async def set_quiet(
        self, community: Community, person: Person, start: str | None, end: str | None
    ) -> bool:
        """Quiet hours from `start` to `end` ("HH:MM", the person's zone); None for both
        means none, over the community's default (stored as ""). The invitations waiting
        are re-timed. Returns False when the quiet hours were so already."""
        async with self.db.transaction() as session:
            pref = await self._pref(session, community.id, person.id)
            own = pref.quiet_from is not None and pref.quiet_to is not None
            before = (
                (pref.quiet_from, pref.quiet_to)
                if own
                else (self.settings.quiet_from or "", self.settings.quiet_to or "")
            )
            changed = before != (start or "", end or "")
            pref.quiet_from, pref.quiet_to = start or "", end or ""
            await self._follow(session, community, person)
        self.outbox.kick()
        return changed

    async def block(self, community: Community, person: Person, other: Person) -> bool:
        """Take no invitations from `other`; False when `person` had blocked them already.
        Raises BadOption for blocking oneself."""
        if other.id == person.id:
            other_name = someone_else(person.external_id, person.display_name)
            raise BadOption(
                "You can't block yourself.",
                hint=f"Name someone else, like /invites block person:@{other_name}",
            )
        async with self.db.transaction() as session:
            fresh = await consent.block(
                session, community.id, person.external_id, other.external_id, self.clock.now()
            )
            await self._withdraw(session, person.id, other.id, "inviter blocked")
        return fresh

    async def unblock(self, person: Person, blocked: str) -> bool:
        """Take invitations from the person with platform id `blocked` again; False when
        they were not blocked."""
        async with self.db.transaction() as session:
            return await consent.unblock(session, person.community_id, person.external_id, blocked)

    async def show(self, community: Community, person: Person) -> RecipientSettings:
        async with self.db.sessions() as session:
            off = bool(await consent.suppressed(session, community.id, [person.external_id]))
            pref = await consent.preference(session, community.id, person.id)
            blocked = await consent.blocked_names(session, community.id, person.external_id)
        own = pref is not None and pref.quiet_from is not None and pref.quiet_to is not None
        start = pref.quiet_from if own and pref else self.settings.quiet_from
        end = pref.quiet_to if own and pref else self.settings.quiet_to
        return RecipientSettings(
            off=off,
            mode=pref.mode if pref else "on",
            digest_every=pref.digest_every if pref else "daily",
            digest_hour=pref.digest_hour if pref else self.settings.digest_hour,
            quiet=(start, end) if start and end else None,
            blocked=blocked,
        )

    async def _pref(
        self, session: AsyncSession, community_id: int, person_id: int
    ) -> RecipientPreferenceRow:
        pref = await consent.preference(
            session, community_id, person_id, create=True, digest_hour=self.settings.digest_hour
        )
        assert pref is not None
        return pref

    async def follow_zone(self, community: Community, person: Person) -> None:
        """After the person's zone changed: their waiting invitations move to their digest
        or quiet hours in the new zone."""
        async with self.db.transaction() as session:
            await self._follow(session, community, person)
        self.outbox.kick()

    async def _follow(self, session: AsyncSession, community: Community, person: Person) -> None:
        """The person's waiting invitations follow their settings (`reschedule`), under the
        community's invitation lock, so an /invite deciding at the same time either sees the
        new settings or has its invitation re-timed here."""
        await session.flush()
        await repo.lock_community(session, community.id)
        await reschedule(
            session,
            self.outbox,
            self.settings,
            platform=community.platform,
            community_id=community.id,
            community_zone=community.timezone,
            person_id=person.id,
            now=self.clock.now(),
        )

    async def _withdraw(
        self, session: AsyncSession, person_id: int, inviter_id: int | None, reason: str
    ) -> None:
        """Withdraw the person's waiting invitations (from one inviter, or all), and their
        direct messages; the digests that listed them are rewritten without them."""
        rows = await repo.withdraw_pending_from(session, person_id, inviter_id)
        found = [keys.invitation(r.id) for r in rows if r.delivery != "digest"]
        if found:
            await self.outbox.withdraw(session, *found, reason=reason)
        person = await session.get(PersonRow, person_id)
        community = await session.get(CommunityRow, person.community_id) if person else None
        for due in {r.due_at for r in rows if r.delivery == "digest"}:
            if person is not None and community is not None:
                await rewrite_digest(
                    session,
                    self.outbox,
                    platform=community.platform,
                    community_id=community.id,
                    community_zone=community.timezone,
                    person=person,
                    due=due,
                )

    # -- answers to an invitation ----------------------------------------------------------

    async def answer(
        self, community: Community, person: Person, invitation_id: int, choice: Choice
    ) -> Answered:
        """Apply a recipient's button. Raises UserError for someone else's invitation."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await repo.invitation(session, invitation_id)
            if row is None or row.recipient_id != person.id:
                raise UserError(
                    "This invitation isn't yours, or is no longer there.",
                    hint="/invites show lists your invitation settings.",
                )
            inviter = await session.get(PersonRow, row.inviter_id)
            inviter_name = inviter.display_name if inviter else "them"
            if row.answered_at is None:
                row.answered_at = now
            row.status = "declined"
            if choice == "decline":
                return Answered(choice, inviter_name)
            me = audit.Party(person.id, person.display_name)
            if choice == "block":
                fresh = inviter is not None and await consent.block(
                    session, community.id, person.external_id, inviter.external_id, now
                )
                await self._withdraw(session, person.id, row.inviter_id, "no more from inviter")
            else:
                fresh = await consent.suppress(session, community.id, person.external_id, now)
                # A complaint: unlike /invites off, the invitations waiting are withdrawn
                # (the reply says so).
                await self._withdraw(session, person.id, None, "no invitations at all")
            # One complaint per invitation: pressing an opt-out again (or the other one)
            # still honours it but is neither logged again nor counted again.
            already = row.complaint
            row.complaint = True
            await session.flush()
            paused = None
            if not already:
                words = "no more from" if choice == "block" else "no invitations at all"
                await audit.record(
                    session,
                    community_id=community.id,
                    at=now,
                    kind="invite.complaint",
                    actor=me,
                    subject=audit.Party(row.inviter_id, inviter_name),
                    reason=words,
                    detail={"invitation": row.id, "event_id": row.event_id},
                )
                if inviter is not None:
                    paused = await self._reputation(session, community, inviter, now)
        self.outbox.kick()
        return Answered(
            choice, inviter_name, paused, already=not fresh, inviter_known=inviter is not None
        )

    async def _reputation(
        self, session: AsyncSession, community: Community, inviter: PersonRow, now: datetime
    ) -> datetime | None:
        rule = self.settings.reputation()
        recent = await repo.recent_of_inviter(
            session, community.id, inviter.id, inviter.external_id, rule.window
        )
        complaints = sum(recent)
        if not over_threshold(complaints, len(recent), rule):
            return None
        current = await repo.pause_of(session, community.id, inviter.external_id)
        if current is not None and current.until > now:
            return None
        until = now + rule.pause
        why = AUTO_PAUSE_REASON.format(complaints=complaints, of=len(recent))
        await repo.set_pause(session, community.id, inviter.external_id, until, why, None)
        await audit.record(
            session,
            community_id=community.id,
            at=now,
            kind="invite.auto-pause",
            subject=audit.Party(inviter.id, inviter.display_name),
            reason=f"{complaints} of their last {len(recent)} invitations drew complaints",
            detail={"until": until.isoformat(), "complaints": complaints, "of": len(recent)},
        )
        await self.outbox.enqueue(
            session,
            platform=community.platform,
            destination=Destination.person(inviter.external_id),
            message=Message(
                title="Your invitations are paused",
                text=rich(
                    f"{why} (people chose “No more from you” or “No invitations at all”), so "
                    "Potluck has paused your invitations until ",
                    Time(at=until, style="full"),
                    ". This protects the community from looking like spam. The moderators "
                    "have been told; ask them if you think this is a mistake.",
                ),
                accent="warning",
            ),
            community_id=community.id,
            kind="invite-notice",
            dedupe_key=keys.inviter_paused(inviter.id, until),
            timezone=inviter.timezone or community.timezone,
        )
        await self.alerts.send(
            session,
            community_id=community.id,
            platform=community.platform,
            title="Invitations paused after complaints",
            text=rich(
                Bold(text=inviter.display_name or inviter.external_id),
                f": {complaints} of their last {len(recent)} invitations drew complaints, so "
                "their invitations are paused until ",
                Time(at=until, style="full"),
                ". ",
                Code(text="/modlog kind:invite."),
                " shows the complaints; ",
                Code(
                    text="/limits resume person:"
                    + person_word(inviter.display_name or inviter.external_id)
                ),
                " lifts the pause.",
            ),
            key=alert_key("paused", inviter.id, until),
        )
        return until


def settings_words(s: RecipientSettings) -> str:
    if s.off:
        head = "Invitations: off (nobody can invite you; /invites on turns them back on)."
    elif s.mode == "digest":
        head = (
            f"Invitations: one {s.digest_every} digest at {s.digest_hour:02d}:00 your time "
            "(/invites digest every:off ends it)."
        )
    else:
        head = "Invitations: on, each as it comes."
    quiet = (
        f"Quiet hours: {s.quiet[0]} to {s.quiet[1]} your time (/invites quiet off removes them)."
        if s.quiet
        else "Quiet hours: none."
    )
    blocked = f"Blocked: {', '.join(s.blocked)}." if s.blocked else "Blocked: nobody."
    return "\n".join((head, quiet, blocked))
