"""Profiles: join, edit, pause, resume, leave and the private avoid list.

Rules over plain values (`read_languages`, `is_paused`, `profile_view`) are apart from the
transactional `Profiles` service, which reads and writes one person's rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.errors import BadOption, NotFound, UserError, someone_else
from bot.core.types import Community, Person
from cogs.mentors.participants import CareerStage, LibraryType, Role
from cogs.mentors.topics import TopicVocabulary, phrases
from cogs.mentors.vocabulary import CommunityVocabulary, checked_phrase
from storage.db import Database
from storage.models import MentorProfileRow
from storage.repositories import mentors as repo

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_SPLIT = re.compile(r"[,;/\s]+")
MAX_TOPICS = 20
MAX_CAPACITY = 10


def read_languages(text: str) -> frozenset[str]:
    """Language tags typed as "en, es" or "en-GB fr" -> {"en", "es"} (lowercase; only the
    primary subtag counts, so en-GB and en-US speak to each other). Raises BadOption for
    anything that is not a tag, naming it."""
    tags: set[str] = set()
    for raw in _SPLIT.split(text.strip().lower()):
        if not raw:
            continue
        if not _LANGUAGE.match(raw):
            raise BadOption(
                f"`languages:` I do not know the language code `{raw}`.",
                hint='Use two-letter codes separated by commas, like languages:"en, es".',
            )
        tags.add(raw.split("-")[0])
    return frozenset(tags)


def is_paused(paused: bool, paused_until: datetime | None, now: datetime) -> bool:
    """Paused until they resume (`paused_until` None), or until `paused_until` (UTC)
    passes: a pause with an end expires by itself."""
    return paused and (paused_until is None or paused_until > now)


@dataclass(frozen=True, slots=True)
class ProfileView:
    """A profile as people see it; `paused_until` is UTC (None with `paused`: until resumed)."""

    person_id: int
    name: str
    role: Role
    topics: tuple[str, ...]
    capacity: int
    organization: str | None
    library_type: str | None
    career_stage: str | None
    languages: tuple[str, ...]
    paused: bool
    paused_until: datetime | None
    left: bool
    waited_rounds: int


def profile_view(row: MentorProfileRow, name: str, now: datetime) -> ProfileView:
    return ProfileView(
        person_id=row.person_id,
        name=name,
        role=Role(row.role),
        topics=tuple(sorted(row.topics)),
        capacity=row.capacity,
        organization=row.organization,
        library_type=row.library_type,
        career_stage=row.career_stage,
        languages=tuple(sorted(row.languages)),
        paused=is_paused(row.paused, row.paused_until, now),
        paused_until=row.paused_until if is_paused(row.paused, row.paused_until, now) else None,
        left=row.left_at is not None,
        waited_rounds=row.waited_rounds,
    )


@dataclass(frozen=True, slots=True)
class ProfileChange:
    """What `join` or `edit` did: the profile now, and the topics no list knows (kept as typed,
    they still match people who typed the same)."""

    view: ProfileView
    unrecognised: tuple[str, ...]
    rejoined: bool = False


def _fields(
    vocabulary: TopicVocabulary | None, given: dict[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Column values from command options (only those given); `vocabulary` is the
    community's, needed when `topics` is given."""
    values: dict[str, Any] = {}
    unrecognised: tuple[str, ...] = ()
    if "role" in given:
        values["role"] = Role(given["role"]).value
    if "topics" in given:
        assert vocabulary is not None, "topics are read with the community's vocabulary"
        for phrase in phrases(given["topics"]):
            checked_phrase(phrase, "topics")
        reading = vocabulary.read(given["topics"])
        if not reading.topics:
            raise BadOption(
                "`topics:` needs at least one topic.",
                hint='For example topics:"cataloging, grant writing".',
            )
        if len(reading.topics) > MAX_TOPICS:
            raise BadOption(f"`topics:` takes at most {MAX_TOPICS} topics.")
        values["topics"] = sorted(reading.topics)
        values["topics_text"] = given["topics"]
        unrecognised = reading.unrecognised
    if "capacity" in given:
        values["capacity"] = int(given["capacity"])
    if "organization" in given:
        values["organization"] = " ".join(given["organization"].split())[:200] or None
    if "library_type" in given:
        values["library_type"] = LibraryType(given["library_type"]).value
    if "career_stage" in given:
        values["career_stage"] = CareerStage(given["career_stage"]).value
    if "languages" in given:
        values["languages"] = sorted(read_languages(given["languages"]))
    return values, unrecognised


def _capacity_for_mentors(given: dict[str, Any], role: str | None) -> None:
    """Raises BadOption when `capacity:` is given for someone who will not be a mentor:
    only mentors take mentees, so a mentee's or a peer's capacity would mean nothing."""
    if "capacity" in given and role != Role.MENTOR.value:
        raise BadOption(
            f"`capacity:` is for mentors (how many mentees at once); you take part as a "
            f"{role or 'member'}.",
            hint="Leave capacity out, or become a mentor: /mentor edit role:mentor capacity:2",
        )


class Profiles:
    def __init__(self, db: Database, vocabulary: CommunityVocabulary) -> None:
        self.db = db
        self.vocabulary = vocabulary

    async def _values(
        self, session: Any, community: Community, given: dict[str, Any]
    ) -> tuple[dict[str, Any], tuple[str, ...]]:
        """`_fields`, reading typed topics with the community's vocabulary under its topic
        lock (held until the transaction ends, so a concurrent vocabulary change waits for
        this profile and then reads it again)."""
        vocabulary = (
            await self.vocabulary.locked(session, community.id) if "topics" in given else None
        )
        return _fields(vocabulary, given)

    async def join(
        self, community: Community, person: Person, now: datetime, **given: Any
    ) -> ProfileChange:
        """Create the person's profile (or bring back one they left). Raises UserError when
        they already have one, BadOption for a value that cannot be read."""
        async with self.db.transaction() as session:
            values, unrecognised = await self._values(session, community, given)
            _capacity_for_mentors(given, values.get("role"))
            row = await repo.profile(session, community.id, person.id)
            if row is not None and row.left_at is None:
                raise UserError(
                    f"You already take part as a {row.role}.",
                    hint="Change your profile with /mentor edit, e.g. /mentor edit role:peer.",
                )
            rejoined = row is not None
            if row is None:
                row = MentorProfileRow(community_id=community.id, person_id=person.id)
                session.add(row)
            defaults: dict[str, Any] = dict(
                capacity=1,
                organization=None,
                library_type=None,
                career_stage=None,
                languages=[],
                paused=False,
                paused_until=None,
                left_at=None,
                waited_rounds=0,
            )
            for key, value in {**defaults, **values}.items():
                setattr(row, key, value)
            row.joined_at = row.updated_at = now
            await session.flush()
            view = profile_view(row, person.display_name, now)
        return ProfileChange(view, unrecognised, rejoined)

    async def edit(
        self, community: Community, person: Person, now: datetime, **given: Any
    ) -> ProfileChange:
        """Change the options given. Raises NotFound when they have no profile."""
        if not given:
            raise BadOption(
                "Give at least one thing to change.",
                hint='For example /mentor edit topics:"cataloging, outreach" capacity:2',
            )
        async with self.db.transaction() as session:
            values, unrecognised = await self._values(session, community, given)
            row = await self._current(session, community, person, "edit")
            _capacity_for_mentors(given, values.get("role", row.role))
            for key, value in values.items():
                setattr(row, key, value)
            row.updated_at = now
            await session.flush()
            view = profile_view(row, person.display_name, now)
        return ProfileChange(view, unrecognised)

    async def pause(
        self, community: Community, person: Person, now: datetime, until: datetime | None
    ) -> ProfileView:
        """Leave the person out of rounds until `until` (UTC), or until they resume."""
        async with self.db.transaction() as session:
            row = await self._current(session, community, person, "pause")
            row.paused, row.paused_until, row.updated_at = True, until, now
            await session.flush()
            return profile_view(row, person.display_name, now)

    async def resume(self, community: Community, person: Person, now: datetime) -> ProfileView:
        async with self.db.transaction() as session:
            row = await self._current(session, community, person, "resume")
            row.paused, row.paused_until, row.updated_at = False, None, now
            await session.flush()
            return profile_view(row, person.display_name, now)

    async def leave(self, community: Community, person: Person, now: datetime) -> None:
        """Stop taking part; past matches stay in the history (the cool-down still counts)."""
        async with self.db.transaction() as session:
            row = await self._current(session, community, person, "leave")
            row.left_at = row.updated_at = now

    async def avoid(self, community: Community, person: Person, other: Person) -> bool:
        """Never match `person` with `other`; False when already on the list."""
        if other.id == person.id:
            other_name = someone_else(person.external_id, person.display_name)
            raise BadOption(
                "You cannot avoid yourself.",
                hint=f"Name someone else, like /mentor avoid person:@{other_name}",
            )
        async with self.db.transaction() as session:
            return await repo.add_avoid(session, community.id, person.id, other.id)

    async def view(
        self, community: Community, person: Person, now: datetime, *, own: bool = True
    ) -> tuple[ProfileView, list[str]]:
        """The profile and the names on the person's avoid list. Raises NotFound when there
        is no profile (for their own, naming the avoid list if it has anyone), or when someone
        else (`own` False) asks about a person who left: a left profile
        is only kept for its owner to see and to join again with."""
        async with self.db.sessions() as session:
            row = await repo.profile(session, community.id, person.id)
            avoided = [
                p.display_name or p.external_id for p in await repo.avoided_by(session, person.id)
            ]
            if row is None and own:
                # /mentor avoid works before joining; the list is still shown here, to its owner.
                listed = (
                    f" You asked never to be matched with {', '.join(avoided)} (only you see this)."
                    if avoided
                    else ""
                )
                raise NotFound(
                    "You have no mentoring profile." + listed,
                    hint='Join with /mentor join role:mentee topics:"cataloging"',
                )
            if row is None or (row.left_at is not None and not own):
                raise NotFound(
                    f"{person.display_name} is not in mentoring.",
                    hint="/mentor profile person:@name shows someone who takes part.",
                )
            return profile_view(row, person.display_name, now), avoided

    async def _current(
        self, session: Any, community: Community, person: Person, action: str
    ) -> MentorProfileRow:
        """The person's profile while they take part. Raises NotFound, worded for `action`
        (the /mentor subcommand they typed), when they never joined or have left."""
        row = await repo.profile(session, community.id, person.id)
        if row is None:
            raise NotFound(
                "You have no mentoring profile.",
                hint='Join first: /mentor join role:mentee topics:"cataloging, outreach"',
            )
        if row.left_at is not None:
            raise NotFound(
                "You already left mentoring."
                if action == "leave"
                else f"You left mentoring, so there is nothing to {action}.",
                hint=f"Type /mentor join to come back, e.g. /mentor join role:{row.role} "
                'topics:"cataloging".',
            )
        return row
