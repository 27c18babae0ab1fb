"""Communities and people: resolving who acted, time zones, and per-person deletion."""

from __future__ import annotations

import asyncio
from typing import Any, NamedTuple, cast

from cachetools import TTLCache
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Actor, Community, Level, Person, Platform
from bot.core.zones import known_zone, zone_name
from storage.db import Database
from storage.models import CommunityRow, PersonRow
from storage.models.base import utcnow
from storage.repositories.upsert import insert_ignore, upsert

_TTL = 30.0  # seconds a cached identity is trusted before re-reading (other processes may edit)
_KEPT = 100_000  # cached people (and communities); least recently used go first past this
_PEOPLE = cast(Table, PersonRow.__table__)
# First sightings, built once per dialect: create each person, or refresh a name that
# changed; an empty name (someone only mentioned, never seen) keeps the known one.
_UPSERT_PEOPLE = {
    dialect: upsert(
        dialect,
        _PEOPLE,
        keys=["community_id", "external_id"],
        update={
            "display_name": lambda new: func.coalesce(
                func.nullif(new.display_name, ""), _PEOPLE.c.display_name
            )
        },
    ).returning(
        _PEOPLE.c.community_id,
        _PEOPLE.c.id,
        _PEOPLE.c.external_id,
        _PEOPLE.c.display_name,
        _PEOPLE.c.timezone,
        _PEOPLE.c.level,
    )
    for dialect in ("sqlite", "postgresql")
}


class _PersonFacts(NamedTuple):
    id: int
    external_id: str
    display_name: str
    timezone: str | None
    level: str | None


def stored_level(label: str | None) -> Level:
    """The `Level` a people row's `level` column stands for (NULL or unknown: member)."""
    return next((level for level in Level if level.label == label), Level.MEMBER)


def level_label(level: Level) -> str | None:
    """What the `level` column stores for `level`: NULL for a member."""
    return None if level is Level.MEMBER else level.label


class IdentityStore:
    """Maps platform ids to database rows, creating them on first sight, with a short cache so
    the hot path (a button click) costs no extra query."""

    def __init__(self, db: Database, default_timezone: str) -> None:
        self.db = db
        self.default_timezone = default_timezone
        self._communities: TTLCache[tuple[str, str], Community] = TTLCache(_KEPT, _TTL)
        # (community id, platform user id) -> (people row id, their zone, their name, the
        # level stored for them)
        self._people: TTLCache[tuple[int, str], tuple[int, str | None, str, str | None]] = TTLCache(
            _KEPT, _TTL
        )
        self._waiting: dict[tuple[int, str], tuple[str, asyncio.Future[_PersonFacts]]] = {}
        self._flushing: asyncio.Task[None] | None = None

    async def resolve(self, actor: Actor) -> tuple[Community, Person]:
        community = await self.community(actor.platform, actor.community_id, actor.community_name)
        key = (community.id, actor.user_id)
        cached = self._people.get(key)
        if cached is None or cached[2] != actor.display_name:
            row = await self._person_row(community.id, actor.user_id, actor.display_name)
            cached = (row.id, row.timezone, row.display_name, row.level)
            self._people[key] = cached
        if cached[3] != level_label(actor.level):
            # Their level changed (or was never stored): one write, then cached.
            async with self.db.transaction() as session:
                await session.execute(
                    update(PersonRow)
                    .where(PersonRow.id == cached[0])
                    .values(level=level_label(actor.level))
                )
            cached = (cached[0], cached[1], cached[2], level_label(actor.level))
            self._people[key] = cached
        person = Person(
            id=cached[0],
            community_id=community.id,
            external_id=actor.user_id,
            display_name=actor.display_name,
            level=actor.level,
            timezone=known_zone(cached[1], actor.timezone_hint),
        )
        return community, person

    async def community(self, platform: Platform, external_id: str, name: str = "") -> Community:
        key = (platform, external_id)
        cached = self._communities.get(key)
        if cached is not None:
            return cached
        async with self.db.transaction() as session:
            await session.execute(
                insert_ignore(session, CommunityRow).values(
                    platform=platform, external_id=external_id, name=name, settings={}
                )
            )
            row = (
                await session.execute(
                    select(CommunityRow).where(
                        CommunityRow.platform == platform, CommunityRow.external_id == external_id
                    )
                )
            ).scalar_one()
            if name and row.name != name:
                row.name = name
        community = self._community_of(row)
        self._communities[key] = community
        return community

    def _community_of(self, row: CommunityRow) -> Community:
        return Community(
            id=row.id,
            platform=cast(Platform, row.platform),
            external_id=row.external_id,
            name=row.name,
            timezone=zone_name(row.timezone, default=self.default_timezone),
        )

    async def _person_row(
        self, community_id: int, external_id: str, display_name: str
    ) -> _PersonFacts:
        """Create or refresh a person. First sightings that arrive together (a burst of clicks
        on a new event card) share one transaction and one statement."""
        key = (community_id, external_id)
        entry = self._waiting.get(key)
        if entry is None:
            entry = (display_name, asyncio.get_running_loop().create_future())
            self._waiting[key] = entry
            if self._flushing is None or self._flushing.done():
                self._flushing = asyncio.create_task(self._flush_people())
        return await asyncio.shield(entry[1])

    async def _flush_people(self) -> None:
        await asyncio.sleep(0)  # let the other sightings of this moment join the batch
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            try:
                async with self.db.transaction() as session:
                    found = await self._upsert_people(session, batch)
            except Exception as exc:
                for _, waiter in batch.values():
                    if not waiter.done():
                        waiter.set_exception(exc)
                continue
            for key, (_, waiter) in batch.items():
                if not waiter.done():
                    waiter.set_result(found[key])

    async def _upsert_people(
        self, session: AsyncSession, batch: dict[tuple[int, str], tuple[str, Any]]
    ) -> dict[tuple[int, str], _PersonFacts]:
        now = utcnow()
        stmt = _UPSERT_PEOPLE[session.get_bind().dialect.name]
        rows = [
            dict(community_id=c, external_id=e, display_name=name, settings={}, created_at=now)
            for (c, e), (name, _) in batch.items()
        ]
        found = (await session.execute(stmt, rows)).all()
        return {
            (r.community_id, r.external_id): _PersonFacts(
                r.id, r.external_id, r.display_name, r.timezone, r.level
            )
            for r in found
        }

    async def person_by_external_id(self, community_id: int, external_id: str) -> Person | None:
        async with self.db.sessions() as session:
            row = (
                await session.execute(
                    select(PersonRow).where(
                        PersonRow.community_id == community_id,
                        PersonRow.external_id == external_id,
                    )
                )
            ).scalar_one_or_none()
        if row is None:
            return None
        return Person(
            id=row.id,
            community_id=community_id,
            external_id=row.external_id,
            display_name=row.display_name,
            level=stored_level(row.level),
            timezone=row.timezone,
        )

    async def ensure_person(
        self, community_id: int, external_id: str, display_name: str = ""
    ) -> Person:
        """A person named in a command (e.g. `person:@sam`) who may never have typed anything."""
        row = await self._person_row(community_id, external_id, display_name)
        return Person(
            id=row.id,
            community_id=community_id,
            external_id=row.external_id,
            display_name=row.display_name or external_id,
            level=stored_level(row.level),
            timezone=row.timezone,
        )

    async def set_person_timezone(self, person_id: int, zone: str | None) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(PersonRow).where(PersonRow.id == person_id).values(timezone=zone)
            )
        self._uncache_person(person_id)

    async def set_community_timezone(self, community_id: int, zone: str | None) -> None:
        async with self.db.transaction() as session:
            await session.execute(
                update(CommunityRow).where(CommunityRow.id == community_id).values(timezone=zone)
            )
        for key in [k for k, c in self._communities.items() if c.id == community_id]:
            self._communities.pop(key, None)

    async def person_settings(self, person_id: int) -> dict[str, Any]:
        async with self.db.sessions() as session:
            row = await session.get(PersonRow, person_id)
            return dict(row.settings) if row is not None else {}

    async def update_person_settings(self, person_id: int, **changes: Any) -> dict[str, Any]:
        async with self.db.transaction() as session:
            row = await session.get(PersonRow, person_id)
            if row is None:
                return {}
            row.settings = {**row.settings, **changes}
            return dict(row.settings)

    async def community_settings(self, community_id: int) -> dict[str, Any]:
        async with self.db.sessions() as session:
            row = await session.get(CommunityRow, community_id)
            return dict(row.settings) if row is not None else {}

    async def update_community_settings(self, community_id: int, **changes: Any) -> dict[str, Any]:
        async with self.db.transaction() as session:
            row = await session.get(CommunityRow, community_id)
            if row is None:
                return {}
            row.settings = {**row.settings, **changes}
            return dict(row.settings)

    async def export_person(self, person_id: int) -> dict[str, Any]:
        async with self.db.sessions() as session:
            row = await session.get(PersonRow, person_id)
            if row is None:
                return {}
            return {
                "external_id": row.external_id,
                "display_name": row.display_name,
                "timezone": row.timezone,
                "settings": row.settings,
                "level": stored_level(row.level).label,
                "first_seen": row.created_at.isoformat(),
            }

    async def forget_person(self, session: AsyncSession, person_id: int) -> None:
        """Delete the person in the caller's transaction (the cogs forgot their data first)."""
        await session.execute(delete(PersonRow).where(PersonRow.id == person_id))
        self._uncache_person(person_id)

    def _uncache_person(self, person_id: int) -> None:
        for key in [k for k, facts in self._people.items() if facts[0] == person_id]:
            self._people.pop(key, None)

    async def community_by_id(self, session: AsyncSession, community_id: int) -> Community:
        """A community by its row id, read in the caller's session; LookupError if none."""
        row = await session.get(CommunityRow, community_id)
        if row is None:
            raise LookupError(f"community {community_id} does not exist")
        return self._community_of(row)
