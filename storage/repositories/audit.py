"""SQL for the audit log. Entries are written in the caller's transaction, together with the
action they record, and never updated except to forget a person."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditRow

FORGOTTEN = "a forgotten person"

# Written into a reason or a "summary" in place of a name: entries never store a person's
# name outside actor_name and subject_name (which /privacy forget scrubs), and readers see
# the names of the time, or "a forgotten person".
BY = "{by}"
ABOUT = "{about}"


def named(text: str, actor: Party | None, subject: Party | None) -> str:
    """`text` with BY and ABOUT replaced by the names of the entry's actor and subject
    ("Potluck" for an automatic action, "a forgotten person" once forgotten)."""
    return text.replace(BY, actor.name if actor else "Potluck").replace(
        ABOUT, subject.name if subject else FORGOTTEN
    )


@dataclass(frozen=True, slots=True)
class Party:
    """A person named in an entry: the people-row id and the name shown at the time."""

    id: int | None
    name: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit-log entry as readers see it. `at` is UTC."""

    id: int
    at: datetime
    kind: str
    actor: Party | None
    subject: Party | None
    reason: str | None
    detail: dict[str, Any] = field(default_factory=dict)


async def record(
    session: AsyncSession,
    *,
    community_id: int,
    at: datetime,
    kind: str,
    actor: Party | None = None,
    subject: Party | None = None,
    reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction. `actor` None means the bot acted on its
    own; `detail` is JSON-ready data (old and new values, an event code); a "summary" string
    in it is the sentence /modlog shows for the entry."""
    session.add(
        AuditRow(
            community_id=community_id,
            at=at,
            kind=kind,
            actor_id=actor.id if actor else None,
            actor_name=actor.name if actor else None,
            subject_id=subject.id if subject else None,
            subject_name=subject.name if subject else None,
            reason=reason,
            detail=detail or {},
        )
    )
    await session.flush()


_INSERT = insert(cast(Table, AuditRow.__table__))


@dataclass(frozen=True, slots=True)
class Record:
    """One entry for `record_many`: who it is about, why, and its JSON-ready detail."""

    subject: Party | None
    reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


async def record_many(
    session: AsyncSession,
    *,
    community_id: int,
    at: datetime,
    kind: str,
    actor: Party | None,
    records: Sequence[Record],
) -> None:
    """Append entries of one kind by one actor in one statement, in the caller's
    transaction: what `record` does entry by entry (the refusals of one /invite)."""
    if not records:
        return
    await session.execute(
        _INSERT,
        [
            dict(
                community_id=community_id,
                at=at,
                kind=kind,
                actor_id=actor.id if actor else None,
                actor_name=actor.name if actor else None,
                subject_id=r.subject.id if r.subject else None,
                subject_name=r.subject.name if r.subject else None,
                reason=r.reason,
                detail=r.detail,
            )
            for r in records
        ],
    )


async def entries(
    session: AsyncSession,
    community_id: int,
    *,
    person_id: int | None = None,
    kinds: Sequence[str] = (),
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> list[Entry]:
    """Entries newest first. `person_id` matches the actor or the subject; `kinds` matches a
    kind exactly or, for a name ending in ".", every kind under it ("invitation.");
    `before_id` pages back from an entry already shown."""
    query = select(AuditRow).where(AuditRow.community_id == community_id)
    if person_id is not None:
        query = query.where(or_(AuditRow.actor_id == person_id, AuditRow.subject_id == person_id))
    if kinds:
        query = query.where(
            or_(
                *(
                    AuditRow.kind.startswith(k, autoescape=True)
                    if k.endswith(".")
                    else AuditRow.kind == k
                    for k in kinds
                )
            )
        )
    if since is not None:
        query = query.where(AuditRow.at >= since)
    if before_id is not None:
        query = query.where(AuditRow.id < before_id)
    rows = await session.scalars(query.order_by(AuditRow.id.desc()).limit(limit))
    return [_entry(row) for row in rows]


async def forget_person(session: AsyncSession, community_id: int, person_id: int) -> None:
    """Keep what happened, drop who it was: the person's ids and names in every entry become
    "a forgotten person" (moderators still see that a limit was set, by someone now gone).
    Reasons and summaries name nobody (they hold BY and ABOUT), except the scope words "for
    <name>" of limit changes written before they did, which become "for ABOUT" here."""
    await session.execute(
        update(AuditRow)
        .where(
            AuditRow.community_id == community_id,
            AuditRow.subject_id == person_id,
            AuditRow.kind.in_(("limits.set", "limits.reset")),
            AuditRow.reason == literal("for ") + AuditRow.subject_name,
        )
        .values(reason=f"for {ABOUT}")
    )
    for id_col, name_col in (
        (AuditRow.actor_id, "actor_name"),
        (AuditRow.subject_id, "subject_name"),
    ):
        await session.execute(
            update(AuditRow)
            .where(AuditRow.community_id == community_id, id_col == person_id)
            .values({id_col.key: None, name_col: FORGOTTEN})
        )


async def export_person(
    session: AsyncSession, community_id: int, person_id: int
) -> list[dict[str, Any]]:
    """Entries naming the person, oldest first, as JSON-ready data."""
    rows = await session.scalars(
        select(AuditRow)
        .where(
            AuditRow.community_id == community_id,
            or_(AuditRow.actor_id == person_id, AuditRow.subject_id == person_id),
        )
        .order_by(AuditRow.id)
    )
    return [
        {
            "at": e.at.isoformat(),
            "kind": e.kind,
            "by": e.actor.name if e.actor else None,
            "about": e.subject.name if e.subject else None,
            "reason": e.reason,
            "detail": e.detail,
        }
        for e in map(_entry, rows)
    ]


def _entry(row: AuditRow) -> Entry:
    def party(pid: int | None, name: str | None) -> Party | None:
        return None if pid is None and name is None else Party(pid, name or FORGOTTEN)

    actor = party(row.actor_id, row.actor_name)
    subject = party(row.subject_id, row.subject_name)
    detail = dict(row.detail or {})
    if isinstance(detail.get("summary"), str):
        detail["summary"] = named(detail["summary"], actor, subject)
    return Entry(
        id=row.id,
        at=row.at,
        kind=row.kind,
        actor=actor,
        subject=subject,
        reason=named(row.reason, actor, subject) if row.reason else row.reason,
        detail=detail,
    )
