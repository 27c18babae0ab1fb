"""Inviting a whole role: one post in the event's channel that mentions that role and nobody
else, once per role and event, at most `role_posts_day` a day per community, and never by an
inviter whose invitations are paused. Refusals are logged (`invite.blocked`) in the same
transaction, posts as `invite.role` with the role and the event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import Destination
from bot.core.errors import UserError
from bot.core.inflection import count
from bot.core.types import Community, Person
from bot.outbox import Outbox
from cogs.events.lookup import require_organizer
from cogs.events.views import EventView, Tally
from cogs.invitations import keys
from cogs.invitations.limits import DAY, window_wait
from cogs.invitations.limits_store import limits_for
from cogs.invitations.naming import Role
from cogs.invitations.replies import role_post_message
from cogs.invitations.service import live_event
from cogs.invitations.settings import InvitationsSettings
from storage.db import Database
from storage.repositories import audit
from storage.repositories import events as events_repo
from storage.repositories import invitations as repo


class RolePosts:
    def __init__(
        self, db: Database, outbox: Outbox, clock: Clock, settings: InvitationsSettings
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.clock = clock
        self.settings = settings

    async def invite_role(
        self, community: Community, inviter: Person, *, platform: str, event_ref: str, role: Role
    ) -> tuple[EventView, str]:
        """One post in the event's channel mentioning only `role`. Returns the event and the
        channel. Raises RoleRefused, after logging it (`invite.blocked`), when the inviter's
        invitations are paused (said before anything else) or the community's role posts for
        the day are spent; RoleAlreadyInvited for a role invited to the event before."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            await repo.lock_community(session, community.id)
            view, occurrence, upcoming = await live_event(session, community, event_ref, now)
            refused = await self._paused(session, community, inviter, view, role)
            if refused is None:
                require_organizer(view, inviter, "invite a whole role")
                earlier = await repo.role_post_of(session, view.id, role.id)
                if earlier is not None:
                    raise RoleAlreadyInvited(role.name, view.title, view.code, earlier)
                limits = await limits_for(session, community.id, inviter, self.settings.limits())
                refused = await self._role_posts_spent(
                    session, community, inviter, view, role, limits
                )
            if refused is None:
                await self._post_role(
                    session, community, inviter, platform, view, occurrence, upcoming, role, now
                )
        # Raised after the transaction, so the refusal's log entry is kept.
        if refused is not None:
            raise refused
        self.outbox.kick()
        return view, view.channel_id

    async def _paused(
        self,
        session: AsyncSession,
        community: Community,
        inviter: Person,
        view: EventView,
        role: Role,
    ) -> RoleRefused | None:
        """The refusal when the inviter's invitations are paused (logged as `invite.blocked`,
        like a paused `/invite people:`), else None. Comes before any other answer."""
        now = self.clock.now()
        pause = await repo.pause_of(session, community.id, inviter.external_id)
        if pause is None or pause.until <= now:
            return None
        why = f" ({pause.reason})" if pause.reason else ""
        await self._log_refusal(
            session, community, inviter, view, role, f"{audit.BY}'s invitations are paused{why}"
        )
        return RoleRefused(
            f"Your invitations are paused{why}, so @{role.name} was not invited.",
            again=pause.until,
            next_words="They can go again ",
            hint="Ask a moderator if you think this is a mistake.",
        )

    async def _role_posts_spent(
        self,
        session: AsyncSession,
        community: Community,
        inviter: Person,
        view: EventView,
        role: Role,
        limits: Any,
    ) -> RoleRefused | None:
        """The refusal when the community's role posts for the day are spent (logged as
        `invite.blocked`, like every refused invitation), else None."""
        if limits.role_posts_day is None:
            return None
        now = self.clock.now()
        times = await repo.role_post_times(session, community.id, now - DAY)
        wait = window_wait(times, limits.role_posts_day, DAY, now)
        if wait is None:
            return None
        posts = count(limits.role_posts_day, "role post")
        await self._log_refusal(
            session, community, inviter, view, role, f"{posts} a day, the limit"
        )
        return RolePostsSpent(limits.role_posts_day, wait)

    async def _log_refusal(
        self,
        session: AsyncSession,
        community: Community,
        inviter: Person,
        view: EventView,
        role: Role,
        why: str,
    ) -> None:
        """Log a refused role post as `invite.blocked`, like every refused invitation."""
        await audit.record(
            session,
            community_id=community.id,
            at=self.clock.now(),
            kind="invite.blocked",
            actor=audit.Party(inviter.id, inviter.display_name),
            reason=f"@{role.name} to {view.title}: {why}",
            detail={"event": view.code, "role": role.name},
        )

    async def _post_role(
        self,
        session: AsyncSession,
        community: Community,
        inviter: Person,
        platform: str,
        view: EventView,
        occurrence: datetime,
        upcoming: list[datetime],
        role: Role,
        now: datetime,
    ) -> None:
        """The role post with its outbox row and its log entry (`invite.role`, naming the role
        and the event)."""
        tally = Tally.of(await events_repo.counts(session, view.id, occurrence))
        await repo.add_role_post(
            session,
            community_id=community.id,
            event_id=view.id,
            inviter_id=inviter.id,
            role_id=role.id,
            created_at=now,
        )
        message = role_post_message(
            view, occurrence, tally, upcoming if view.rrule else [], inviter.display_name, role
        )
        await self.outbox.enqueue(
            session,
            platform=platform,
            destination=Destination.channel(view.channel_id),
            message=message,
            community_id=community.id,
            kind="invitation-role",
            dedupe_key=keys.ROLE_POSTS.key(view.id, role.id, now),
        )
        await audit.record(
            session,
            community_id=community.id,
            at=now,
            kind="invite.role",
            actor=audit.Party(inviter.id, inviter.display_name),
            reason=f"@{role.name} to {view.title} ({view.code})",
            detail={"event": view.code, "role": role.name},
        )


class RoleAlreadyInvited(UserError):
    """A role is invited to an event once, ever, as each person is."""

    def __init__(self, role: str, event: str, code: str, on: datetime) -> None:
        super().__init__(
            f"@{role} was already invited to {event} on {on:%Y-%m-%d} (UTC).",
            hint=(
                "Invite another role, or people who missed it with "
                f'/invite event:{code} people:"@ann @ben"'
            ),
        )


class RoleRefused(UserError):
    """A role post refused until `again` (UTC). The reply (replies.py `role_refused`) says
    `next_words` and that time in each reader's own zone, like every other refusal, then
    the hint."""

    def __init__(self, message: str, *, again: datetime, next_words: str, hint: str) -> None:
        super().__init__(message, hint=hint)
        self.again = again
        self.next_words = next_words


class RolePostsSpent(RoleRefused):
    """The community's role posts for the day are spent: `limit` a day."""

    def __init__(self, limit: int, again: datetime) -> None:
        super().__init__(
            f"This community has made its {count(limit, 'role invitation')} for today (the limit).",
            again=again,
            next_words="The next can go ",
            hint=f"A moderator can raise the limit with /limits set role_posts_day:{limit + 1}",
        )
        self.limit = limit
