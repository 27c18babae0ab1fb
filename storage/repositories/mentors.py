"""SQL for the mentors cog. Every function works in the caller's session and transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    MentorAvoidRow,
    MentorFeedbackRow,
    MentorPairMemberRow,
    MentorPairRow,
    MentorProfileRow,
    MentorRoundRow,
    MentorScheduleRow,
    MentorTopicRow,
    PersonRow,
)

MET = "met"
NOT_YET = "not_yet"
NOT_A_GOOD_FIT = "not_a_good_fit"
ANSWERS = (MET, NOT_YET, NOT_A_GOOD_FIT)
# The first key of PostgreSQL's two-key advisory locks that serialise one community's topic
# readings (the second is the community id). Any fixed number works, the same in every
# process, and unlike invitations.INVITE_LOCK.
TOPICS_LOCK = 727_020


@dataclass(frozen=True, slots=True)
class PastMatch:
    """An earlier match: its id, round date, kind and the people rows' ids in it."""

    pair_id: int
    round_on: date
    kind: str
    people: tuple[int, ...]


# -- profiles --------------------------------------------------------------------------------


async def profile(
    session: AsyncSession, community_id: int, person_id: int
) -> MentorProfileRow | None:
    """The person's profile (also when they left), or None."""
    return (
        await session.execute(
            select(MentorProfileRow).where(
                MentorProfileRow.community_id == community_id,
                MentorProfileRow.person_id == person_id,
            )
        )
    ).scalar_one_or_none()


async def active_profiles(
    session: AsyncSession, community_id: int, roles: Sequence[str]
) -> list[tuple[MentorProfileRow, PersonRow]]:
    """Profiles of people who have not left, with their people rows, in person-id order."""
    rows = await session.execute(
        select(MentorProfileRow, PersonRow)
        .join(PersonRow, PersonRow.id == MentorProfileRow.person_id)
        .where(
            MentorProfileRow.community_id == community_id,
            MentorProfileRow.left_at.is_(None),
            MentorProfileRow.role.in_(list(roles)),
        )
        .order_by(MentorProfileRow.person_id)
    )
    return [(p, person) for p, person in rows.all()]


async def set_waited(session: AsyncSession, waited: dict[int, int]) -> None:
    """Person id -> their new count of rounds in a row left out."""
    for person_id, rounds in waited.items():
        await session.execute(
            update(MentorProfileRow)
            .where(MentorProfileRow.person_id == person_id)
            .values(waited_rounds=rounds)
        )


# -- avoid lists -----------------------------------------------------------------------------


async def add_avoid(
    session: AsyncSession, community_id: int, person_id: int, avoided_id: int
) -> bool:
    """Put someone on a person's avoid list; False when they were on it already."""
    exists = await session.scalar(
        select(MentorAvoidRow.id).where(
            MentorAvoidRow.person_id == person_id, MentorAvoidRow.avoided_id == avoided_id
        )
    )
    if exists is not None:
        return False
    session.add(
        MentorAvoidRow(community_id=community_id, person_id=person_id, avoided_id=avoided_id)
    )
    await session.flush()
    return True


async def avoid_lists(session: AsyncSession, community_id: int) -> dict[int, set[int]]:
    """Person id -> the ids on their avoid list."""
    rows = await session.execute(
        select(MentorAvoidRow.person_id, MentorAvoidRow.avoided_id).where(
            MentorAvoidRow.community_id == community_id
        )
    )
    out: dict[int, set[int]] = {}
    for who, other in rows.all():
        out.setdefault(who, set()).add(other)
    return out


async def avoided_by(session: AsyncSession, person_id: int) -> list[PersonRow]:
    rows = await session.execute(
        select(PersonRow)
        .join(MentorAvoidRow, MentorAvoidRow.avoided_id == PersonRow.id)
        .where(MentorAvoidRow.person_id == person_id)
        .order_by(PersonRow.display_name)
    )
    return list(rows.scalars())


# -- rounds and matches ----------------------------------------------------------------------


async def rounds_run(session: AsyncSession, community_id: int) -> int:
    """How many real rounds the community has run (every kind)."""
    count = await session.scalar(
        select(func.count(MentorRoundRow.id)).where(MentorRoundRow.community_id == community_id)
    )
    return int(count or 0)


async def add_round(session: AsyncSession, **values: Any) -> MentorRoundRow:
    row = MentorRoundRow(**values)
    session.add(row)
    await session.flush()
    return row


async def add_pair(
    session: AsyncSession,
    *,
    round_id: int,
    community_id: int,
    kind: str,
    score: int,
    reasons: dict[str, Any],
    people: Sequence[int],
    created_at: datetime,
) -> MentorPairRow:
    row = MentorPairRow(
        round_id=round_id,
        community_id=community_id,
        kind=kind,
        score=score,
        reasons=reasons,
        created_at=created_at,
    )
    session.add(row)
    await session.flush()
    session.add_all(
        MentorPairMemberRow(pair_id=row.id, person_id=pid, position=n)
        for n, pid in enumerate(people)
    )
    await session.flush()
    return row


async def past_matches(
    session: AsyncSession, community_id: int, *, person_id: int | None = None
) -> list[PastMatch]:
    """Every earlier match of the community (or only those of one person), oldest first."""
    query = (
        select(MentorPairRow.id, MentorRoundRow.round_on, MentorPairRow.kind)
        .join(MentorRoundRow, MentorRoundRow.id == MentorPairRow.round_id)
        .where(MentorPairRow.community_id == community_id)
        .order_by(MentorPairRow.id)
    )
    if person_id is not None:
        query = query.where(
            MentorPairRow.id.in_(
                select(MentorPairMemberRow.pair_id).where(
                    MentorPairMemberRow.person_id == person_id
                )
            )
        )
    pairs = (await session.execute(query)).all()
    members = await _members(session, [p[0] for p in pairs])
    return [PastMatch(pid, on, kind, members.get(pid, ())) for pid, on, kind in pairs]


async def _members(session: AsyncSession, pair_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    ids = list(pair_ids)
    if not ids:
        return {}
    rows = await session.execute(
        select(MentorPairMemberRow.pair_id, MentorPairMemberRow.person_id)
        .where(MentorPairMemberRow.pair_id.in_(ids))
        .order_by(MentorPairMemberRow.pair_id, MentorPairMemberRow.position)
    )
    out: dict[int, list[int]] = {}
    for pair_id, person_id in rows.all():
        out.setdefault(pair_id, []).append(person_id)
    return {k: tuple(v) for k, v in out.items()}


async def pair(session: AsyncSession, pair_id: int) -> tuple[MentorPairRow, tuple[int, ...]] | None:
    row = await session.get(MentorPairRow, pair_id)
    if row is None:
        return None
    return row, (await _members(session, [pair_id])).get(pair_id, ())


# -- feedback --------------------------------------------------------------------------------


async def answer(
    session: AsyncSession, pair_id: int, person_id: int, answer: str, at: datetime
) -> str | None:
    """Record a person's answer about a match; returns their previous answer, if any."""
    row = (
        await session.execute(
            select(MentorFeedbackRow).where(
                MentorFeedbackRow.pair_id == pair_id, MentorFeedbackRow.person_id == person_id
            )
        )
    ).scalar_one_or_none()
    if row is None:
        session.add(
            MentorFeedbackRow(pair_id=pair_id, person_id=person_id, answer=answer, answered_at=at)
        )
        await session.flush()
        return None
    previous = row.answer
    row.answer = answer
    row.answered_at = at
    await session.flush()
    return previous


async def answers(session: AsyncSession, community_id: int) -> list[tuple[int, int, str]]:
    """(pair id, person id, answer) for every answer in the community."""
    rows = await session.execute(
        select(MentorFeedbackRow.pair_id, MentorFeedbackRow.person_id, MentorFeedbackRow.answer)
        .join(MentorPairRow, MentorPairRow.id == MentorFeedbackRow.pair_id)
        .where(MentorPairRow.community_id == community_id)
    )
    return [(pair_id, person_id, answer) for pair_id, person_id, answer in rows.all()]


# -- schedules -------------------------------------------------------------------------------


async def schedule(session: AsyncSession, community_id: int, kind: str) -> MentorScheduleRow | None:
    return (
        await session.execute(
            select(MentorScheduleRow).where(
                MentorScheduleRow.community_id == community_id, MentorScheduleRow.kind == kind
            )
        )
    ).scalar_one_or_none()


async def schedules(session: AsyncSession, community_id: int) -> list[MentorScheduleRow]:
    rows = await session.execute(
        select(MentorScheduleRow)
        .where(MentorScheduleRow.community_id == community_id)
        .order_by(MentorScheduleRow.kind)
    )
    return list(rows.scalars())


async def due_schedules(session: AsyncSession, now: datetime) -> list[MentorScheduleRow]:
    rows = await session.execute(
        select(MentorScheduleRow)
        .where(MentorScheduleRow.next_run_at <= now)
        .order_by(MentorScheduleRow.next_run_at, MentorScheduleRow.id)
    )
    return list(rows.scalars())


async def claim_schedule(
    session: AsyncSession, schedule_id: int, due_at: datetime, next_run_at: datetime
) -> bool:
    """Move a due schedule to its next run, only if nobody did it first (a conditional
    update on the due time it was read with). True for the one caller that claimed it."""
    result = await session.execute(
        update(MentorScheduleRow)
        .where(MentorScheduleRow.id == schedule_id, MentorScheduleRow.next_run_at == due_at)
        .values(next_run_at=next_run_at)
    )
    return int(result.rowcount) == 1  # type: ignore[attr-defined]


async def next_schedule_at(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(func.min(MentorScheduleRow.next_run_at)))


# -- the community's topics -----------------------------------------------------------------


async def lock_topics(session: AsyncSession, community_id: int) -> None:
    """Serialise, until the transaction ends, everything that reads profiles' topics with the
    community's vocabulary or changes that vocabulary: a profile is then never read with a
    vocabulary that a concurrent change (in any process) is replacing, and a change never
    misses a profile written meanwhile.

    PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback).
    SQLite: nothing to do, the transaction began with BEGIN IMMEDIATE and so already holds
    the database's single write lock."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k, :c)"), {"k": TOPICS_LOCK, "c": community_id}
        )


async def topic_rows(session: AsyncSession, community_id: int) -> list[MentorTopicRow]:
    """The community's own topics and synonyms, in the order they were added."""
    rows = await session.scalars(
        select(MentorTopicRow)
        .where(MentorTopicRow.community_id == community_id)
        .order_by(MentorTopicRow.id)
    )
    return list(rows)


async def add_topic_phrases(
    session: AsyncSession,
    community_id: int,
    topic: str,
    written: Sequence[tuple[str, str]],
    at: datetime,
) -> None:
    """Add ways of writing `topic`: (phrase as written, folded phrase) pairs."""
    session.add_all(
        MentorTopicRow(
            community_id=community_id, topic=topic, phrase=phrase, folded=folded, created_at=at
        )
        for phrase, folded in written
    )
    await session.flush()


async def delete_topic_phrases(
    session: AsyncSession, community_id: int, *, topic: str | None = None, folded: str | None = None
) -> None:
    """Delete every row of a community topic (`topic`), or the one row of a phrase (`folded`)."""
    query = delete(MentorTopicRow).where(MentorTopicRow.community_id == community_id)
    if topic is not None:
        query = query.where(MentorTopicRow.topic == topic)
    if folded is not None:
        query = query.where(MentorTopicRow.folded == folded)
    await session.execute(query)


async def typed_topics(
    session: AsyncSession, community_id: int
) -> list[tuple[int, str, list[str]]]:
    """(profile id, topics as typed, topics as read) of every profile of the community,
    including those who left (a rejoin keeps what they typed)."""
    rows = await session.execute(
        select(MentorProfileRow.id, MentorProfileRow.topics_text, MentorProfileRow.topics).where(
            MentorProfileRow.community_id == community_id
        )
    )
    return [(pid, typed or "", list(topics or [])) for pid, typed, topics in rows.all()]


async def set_topics(session: AsyncSession, topics: dict[int, list[str]]) -> None:
    """Profile id -> its topics as read now; one executemany of UPDATEs by primary key."""
    if topics:
        await session.execute(
            update(MentorProfileRow), [{"id": pid, "topics": read} for pid, read in topics.items()]
        )


# -- privacy ---------------------------------------------------------------------------------


async def forget_person(session: AsyncSession, community_id: int, person_id: int) -> None:
    """Delete the person's profile, avoid entries both ways, matches (whole, so the other
    person's history no longer lists them) and answers."""
    their_pairs = select(MentorPairMemberRow.pair_id).where(
        MentorPairMemberRow.person_id == person_id
    )
    pair_ids = list(await session.scalars(their_pairs))
    if pair_ids:
        await session.execute(
            delete(MentorFeedbackRow).where(MentorFeedbackRow.pair_id.in_(pair_ids))
        )
        await session.execute(
            delete(MentorPairMemberRow).where(MentorPairMemberRow.pair_id.in_(pair_ids))
        )
        await session.execute(delete(MentorPairRow).where(MentorPairRow.id.in_(pair_ids)))
    await session.execute(delete(MentorFeedbackRow).where(MentorFeedbackRow.person_id == person_id))
    await session.execute(
        delete(MentorAvoidRow).where(
            (MentorAvoidRow.person_id == person_id) | (MentorAvoidRow.avoided_id == person_id)
        )
    )
    await session.execute(
        delete(MentorProfileRow).where(
            MentorProfileRow.community_id == community_id, MentorProfileRow.person_id == person_id
        )
    )


async def names(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, PersonRow]:
    ids = list(set(person_ids))
    if not ids:
        return {}
    rows = await session.execute(select(PersonRow).where(PersonRow.id.in_(ids)))
    return {r.id: r for r in rows.scalars()}
