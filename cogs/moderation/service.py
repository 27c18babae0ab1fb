"""Moderators' changes to invitation limits and pauses, each written with its audit-log entry
in one transaction, and reads of the audit log."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.types import Community, Person
from cogs.invitations.limits import DAY, HOUR, LIMIT_NAMES, Limits, for_moderators, remaining
from cogs.invitations.limits_store import COMMUNITY, limits_for, person_scope, role_scope, values_of
from storage.db import Database
from storage.repositories import audit
from storage.repositories import invitation_limits as limit_rows
from storage.repositories import invitations as repo


@dataclass(frozen=True, slots=True)
class Change:
    """A change of limits: who it is for, in words, and the values before and after."""

    scope_words: str
    old: dict[str, int | None]
    new: dict[str, int | None]


@dataclass(frozen=True, slots=True)
class Standing:
    """One inviter's limits in force, what is left of them, and their pause (UTC)."""

    limits: Limits
    left_hour: int | None
    left_day: int | None
    paused_until: datetime | None
    pause_reason: str | None


class Moderation:
    def __init__(self, db: Database, clock: Clock, base: Limits) -> None:
        self.db = db
        self.clock = clock
        self.base = base

    async def community_limits(self, community: Community) -> dict[str, int | None]:
        async with self.db.sessions() as session:
            row = await limit_rows.override(session, community.id, *COMMUNITY)
        return self.base.overlay(values_of(row)).as_dict()

    async def standing(self, community: Community, person: Person) -> Standing:
        now = self.clock.now()
        async with self.db.sessions() as session:
            limits = await limits_for(session, community.id, person, self.base)
            sent = await repo.inviter_times(
                session, community.id, person.id, person.external_id, now - DAY
            )
            pause = await repo.pause_of(session, community.id, person.external_id)
        active = pause is not None and pause.until > now
        return Standing(
            limits,
            remaining(sent, limits.per_inviter_hour, HOUR, now),
            remaining(sent, limits.per_inviter_day, DAY, now),
            pause.until if active and pause else None,
            for_moderators(pause.reason) if active and pause and pause.reason else None,
        )

    async def set_limits(
        self,
        community: Community,
        moderator: Person,
        *,
        person: Person | None,
        role: str | None,
        values: Mapping[str, int | None],
    ) -> Change:
        """Set some limits for the community, a role or a person; values left None stay."""
        scope, words = self._scope(person, role)
        now = self.clock.now()
        async with self.db.transaction() as session:
            row = await limit_rows.override(session, community.id, *scope, create=True)
            assert row is not None
            old = await self._effective(session, community.id, scope, person)
            for name, value in values.items():
                if value is not None and name in LIMIT_NAMES:
                    setattr(row, name, value)
            await session.flush()
            new = await self._effective(session, community.id, scope, person)
            await audit.record(
                session,
                community_id=community.id,
                at=now,
                kind="limits.set",
                actor=audit.Party(moderator.id, moderator.display_name),
                subject=audit.Party(person.id, person.display_name) if person else None,
                reason=words,
                detail={"old": old, "new": new},
            )
        return Change(_shown(words, person), old, new)

    async def reset(
        self, community: Community, moderator: Person, *, person: Person | None, role: str | None
    ) -> Change:
        """Drop the overrides of the community, a role or a person (back to the wider ones)."""
        scope, words = self._scope(person, role)
        async with self.db.transaction() as session:
            old = await self._effective(session, community.id, scope, person)
            await limit_rows.delete_override(session, community.id, *scope)
            new = await self._effective(session, community.id, scope, person)
            if old == new:
                return Change(_shown(words, person), old, new)  # nothing reset: nothing logged
            await audit.record(
                session,
                community_id=community.id,
                at=self.clock.now(),
                kind="limits.reset",
                actor=audit.Party(moderator.id, moderator.display_name),
                subject=audit.Party(person.id, person.display_name) if person else None,
                reason=words,
                detail={"old": old, "new": new},
            )
        return Change(_shown(words, person), old, new)

    async def pause(
        self,
        community: Community,
        moderator: Person,
        person: Person,
        length: timedelta,
        reason: str | None,
    ) -> tuple[datetime | None, datetime]:
        """Pause a person's invitations for `length`; returns the old pause end and the new."""
        now = self.clock.now()
        until = now + length
        async with self.db.transaction() as session:
            old = await repo.set_pause(
                session, community.id, person.external_id, until, reason, moderator.id
            )
            await audit.record(
                session,
                community_id=community.id,
                at=now,
                kind="limits.pause",
                actor=audit.Party(moderator.id, moderator.display_name),
                subject=audit.Party(person.id, person.display_name),
                reason=reason,
                detail={"until": until.isoformat()},
            )
        before = old.until if old is not None and old.until > now else None
        return before, until

    async def resume(
        self, community: Community, moderator: Person, person: Person
    ) -> datetime | None:
        """Lift a pause; returns when it would have ended (None: there was none, and nothing
        is written to the audit log for a resume that changes nothing)."""
        now = self.clock.now()
        async with self.db.transaction() as session:
            pause = await repo.pause_of(session, community.id, person.external_id)
            until = pause.until if pause is not None and pause.until > now else None
            await repo.clear_pause(session, community.id, person.external_id)
            if until is None:
                return None
            await audit.record(
                session,
                community_id=community.id,
                at=now,
                kind="limits.resume",
                actor=audit.Party(moderator.id, moderator.display_name),
                subject=audit.Party(person.id, person.display_name),
                detail={"was_until": until.isoformat() if until else None},
            )
        return until

    async def log(
        self,
        community: Community,
        *,
        person_id: int | None,
        kind: str | None,
        since: datetime | None,
        before_id: int | None,
        limit: int,
    ) -> list[audit.Entry]:
        async with self.db.sessions() as session:
            return await audit.entries(
                session,
                community.id,
                person_id=person_id,
                kinds=[kind] if kind else [],
                since=since,
                before_id=before_id,
                limit=limit,
            )

    async def _effective(
        self,
        session: AsyncSession,
        community_id: int,
        scope: tuple[str, str],
        person: Person | None = None,
    ) -> dict[str, int | None]:
        """The limits in force for a scope: the config file's, the community's overrides,
        then the scope's own; for a person, their level's overrides come before their own
        (the level they last acted with), as `/invite` decides."""
        limits = self.base
        levels = (role_scope(person.level.label),) if person is not None else ()
        for wider in dict.fromkeys((COMMUNITY, *levels, scope)):
            limits = limits.overlay(
                values_of(await limit_rows.override(session, community_id, *wider))
            )
        return limits.as_dict()

    @staticmethod
    def _scope(person: Person | None, role: str | None) -> tuple[tuple[str, str], str]:
        if person is not None:
            return person_scope(person.external_id), f"for {audit.ABOUT}"
        if role is not None:
            return role_scope(role), f"for every {role}"
        return COMMUNITY, "for the whole community"


def _shown(words: str, person: Person | None) -> str:
    """Scope words as the moderator reads them now (the log keeps audit.ABOUT instead)."""
    return words.replace(audit.ABOUT, person.display_name) if person else words


def log_csv(entries: list[audit.Entry]) -> bytes:
    """The audit log as CSV (UTC times), with cells that a spreadsheet would run as a formula
    made harmless."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["at (UTC)", "kind", "by", "about", "reason", "detail"])
    for e in entries:
        writer.writerow(
            [
                e.at.isoformat(),
                e.kind,
                _cell(e.actor.name if e.actor else "Potluck"),
                _cell(e.subject.name if e.subject else ""),
                _cell(e.reason or ""),
                _cell(str(e.detail) if e.detail else ""),
            ]
        )
    return out.getvalue().encode()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
