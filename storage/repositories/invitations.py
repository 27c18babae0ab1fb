"""SQL for invitations and their moderation. Every function works in the caller's session
and transaction; times are UTC."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, func, insert, literal, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    EventRow,
    InvitationRow,
    InviterPauseRow,
    OutboxRow,
    PersonRow,
    RecipientPreferenceRow,
    RolePostRow,
    RsvpRow,
    SentTallyRow,
)
from storage.repositories import consent
from storage.repositories import invitation_limits as limit_rows
from storage.repositories.audit import FORGOTTEN
from storage.repositories.invitation_facts import INVITATIONS

# The first key of PostgreSQL's two-key advisory locks that serialise one community's
# invitations (the second is the community id). Any fixed number works; it only has to be
# the same in every process.
INVITE_LOCK = 727_010
# The limit columns of a LimitOverrideRow (cogs/invitations/limits.py LIMIT_NAMES).
LIMIT_COLUMNS = (
    "per_inviter_hour",
    "per_inviter_day",
    "per_recipient_week",
    "per_event",
    "role_posts_day",
)


async def lock_community(session: AsyncSession, community_id: int) -> None:
    """Serialise every invitation decision of one community until the transaction ends, so
    limit checks and inserts of concurrent /invite calls (in any process) never interleave.

    PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback).
    SQLite: nothing to do, the transaction began with BEGIN IMMEDIATE and so already holds
    the database's single write lock."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(:k, :c)"), {"k": INVITE_LOCK, "c": community_id}
        )


# -- single facts (an /invite reads its facts together: invitation_facts.py) -----------------


async def people_named(
    session: AsyncSession, community_id: int, names: Sequence[str]
) -> dict[str, PersonRow]:
    """People by display name (case-insensitive), for the console's `@name` words."""
    if not names:
        return {}
    lowered = [n.lower() for n in names]
    rows = await session.scalars(
        select(PersonRow).where(
            PersonRow.community_id == community_id,
            func.lower(PersonRow.display_name).in_(lowered),
        )
    )
    return {r.display_name.lower(): r for r in rows}


async def inviter_times(
    session: AsyncSession, community_id: int, inviter_id: int, external_id: str, since: datetime
) -> list[datetime]:
    """When the inviter (people-row id, platform id) invited anyone after `since` (UTC),
    counting what they sent before a /privacy forget (SentTallyRow)."""
    rows = await session.scalars(
        select(InvitationRow.created_at)
        .where(InvitationRow.inviter_id == inviter_id, InvitationRow.created_at > since)
        .union_all(
            select(SentTallyRow.created_at).where(
                SentTallyRow.community_id == community_id,
                SentTallyRow.external_id == external_id,
                SentTallyRow.created_at > since,
            )
        )
    )
    return list(rows)


async def pause_of(
    session: AsyncSession, community_id: int, external_id: str
) -> InviterPauseRow | None:
    """The pause of the inviter with this platform id, ended or not (None: never paused)."""
    return (
        await session.scalars(
            select(InviterPauseRow).where(
                InviterPauseRow.community_id == community_id,
                InviterPauseRow.external_id == external_id,
            )
        )
    ).first()


async def set_pause(
    session: AsyncSession,
    community_id: int,
    external_id: str,
    until: datetime,
    reason: str | None,
    by_id: int | None,
) -> InviterPauseRow | None:
    """Pause (or re-pause) the inviter with this platform id; returns the pause it
    replaced, if any."""
    old = await pause_of(session, community_id, external_id)
    before = None
    if old is not None:
        before = InviterPauseRow(until=old.until, reason=old.reason, by_id=old.by_id)
        old.until, old.reason, old.by_id = until, reason, by_id
    else:
        session.add(
            InviterPauseRow(
                community_id=community_id,
                external_id=external_id,
                until=until,
                reason=reason,
                by_id=by_id,
            )
        )
    await session.flush()
    return before


async def clear_pause(session: AsyncSession, community_id: int, external_id: str) -> bool:
    result: Any = await session.execute(
        delete(InviterPauseRow).where(
            InviterPauseRow.community_id == community_id,
            InviterPauseRow.external_id == external_id,
        )
    )
    return bool(result.rowcount)


# -- writing invitations ---------------------------------------------------------------------


_INSERT_INVITATIONS = insert(INVITATIONS).returning(INVITATIONS.c.id, INVITATIONS.c.recipient_id)


async def add_invitations(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert invitations of one event (column values, one dict each) in one statement;
    returns their ids, in order (matched by recipient: unique within an event)."""
    if not rows:
        return []
    found = dict(
        (recipient_id, row_id)
        for row_id, recipient_id in (await session.execute(_INSERT_INVITATIONS, list(rows)))
    )
    return [found[r["recipient_id"]] for r in rows]


async def mark_outcome(
    session: AsyncSession, status: str, *, outbox_key: str | None = None, invitation_id: int = 0
) -> int:
    """Set `status` ("delivered" or "failed") on the still-queued invitations carried by one
    outbox row: the invitation `invitation_id` (a direct invitation's own row), or every one
    whose `outbox_key` names the row (a digest). Returns how many changed."""
    carried = (
        InvitationRow.outbox_key == outbox_key
        if outbox_key is not None
        else InvitationRow.id == invitation_id
    )
    result = await session.execute(
        update(InvitationRow)
        .where(carried, InvitationRow.status == "queued")
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def invitation(session: AsyncSession, invitation_id: int) -> InvitationRow | None:
    return await session.get(InvitationRow, invitation_id)


async def role_post_times(
    session: AsyncSession, community_id: int, since: datetime
) -> list[datetime]:
    rows = await session.scalars(
        select(RolePostRow.created_at).where(
            RolePostRow.community_id == community_id, RolePostRow.created_at > since
        )
    )
    return list(rows)


async def role_post_of(session: AsyncSession, event_id: int, role_id: str) -> datetime | None:
    """When `role_id` was first invited to the event by a role post, or None if never."""
    return await session.scalar(
        select(func.min(RolePostRow.created_at)).where(
            RolePostRow.event_id == event_id, RolePostRow.role_id == role_id
        )
    )


async def add_role_post(session: AsyncSession, **values: Any) -> None:
    session.add(RolePostRow(**values))
    await session.flush()


async def pending_digest(
    session: AsyncSession, recipient_id: int, due_at: datetime
) -> list[InvitationRow]:
    """The recipient's invitations waiting for the digest due at `due_at`, oldest first."""
    rows = await session.scalars(
        select(InvitationRow)
        .where(
            InvitationRow.recipient_id == recipient_id,
            InvitationRow.delivery == "digest",
            InvitationRow.due_at == due_at,
            InvitationRow.status == "queued",
        )
        .order_by(InvitationRow.id)
    )
    return list(rows)


async def sent_by(
    session: AsyncSession,
    inviter_id: int,
    own_key_prefix: str,
    event_id: int | None = None,
    limit: int = 50,
) -> list[tuple[InvitationRow, str, str | None, str | None]]:
    """The inviter's invitations, newest first, each with the recipient's name ("a forgotten
    person" once the recipient used `/privacy forget`: the invitation stays, naming nobody,
    and still counts for the limits) and its outbox row's status and last error (None when
    the row is gone). An invitation without an `outbox_key` goes by its own row, named
    `own_key_prefix` and its id."""
    own_key = literal(own_key_prefix) + cast(InvitationRow.id, String)
    name = func.coalesce(PersonRow.display_name, literal(FORGOTTEN))
    query = (
        select(InvitationRow, name, OutboxRow.status, OutboxRow.last_error)
        .outerjoin(PersonRow, PersonRow.id == InvitationRow.recipient_id)
        .outerjoin(
            OutboxRow,
            OutboxRow.dedupe_key == func.coalesce(InvitationRow.outbox_key, own_key),
        )
        .where(InvitationRow.inviter_id == inviter_id)
    )
    if event_id is not None:
        query = query.where(InvitationRow.event_id == event_id)
    rows = await session.execute(query.order_by(InvitationRow.id.desc()).limit(limit))
    return [(r[0], r[1], r[2], r[3]) for r in rows]


async def recent_of_inviter(
    session: AsyncSession, community_id: int, inviter_id: int, external_id: str, window: int
) -> list[bool]:
    """Whether each of the inviter's last `window` invitations drew a complaint, newest
    first, counting what they sent before a /privacy forget (SentTallyRow)."""
    rows = await session.execute(
        select(InvitationRow.created_at, InvitationRow.complaint)
        .where(InvitationRow.inviter_id == inviter_id)
        .order_by(InvitationRow.id.desc())
        .limit(window)
    )
    tallied = await session.execute(
        select(SentTallyRow.created_at, SentTallyRow.complaint)
        .where(SentTallyRow.community_id == community_id, SentTallyRow.external_id == external_id)
        .order_by(SentTallyRow.created_at.desc())
        .limit(window)
    )
    both = sorted([*rows.all(), *tallied.all()], key=lambda r: r[0], reverse=True)
    return [bool(complaint) for _, complaint in both[:window]]


async def withdraw_pending_from(
    session: AsyncSession, recipient_id: int, inviter_id: int | None = None
) -> list[InvitationRow]:
    """The recipient's still-queued invitations (from one inviter, or all), marked declined;
    returns them so their outbox rows can be withdrawn."""
    query = select(InvitationRow).where(
        InvitationRow.recipient_id == recipient_id, InvitationRow.status == "queued"
    )
    if inviter_id is not None:
        query = query.where(InvitationRow.inviter_id == inviter_id)
    rows = list(await session.scalars(query))
    for row in rows:
        row.status = "withdrawn"
    await session.flush()
    return rows


# -- recipients' settings --------------------------------------------------------------------


# -- privacy ---------------------------------------------------------------------------------


async def export_person(
    session: AsyncSession, community_id: int, person_id: int, external_id: str
) -> dict[str, Any]:
    """Everything stored about the person (people-row id, platform id), JSON-ready: their
    invitations sent and received, settings, blocks, opt-out, and what `/privacy forget`
    keeps by platform id (README, "What /privacy forget keeps"): a pause with its reason,
    limits set for them, and the tally of the invitations they sent before a forget (when,
    which event, a complaint or not; never to whom). Events are named by code and title,
    as everywhere in the export."""
    out: dict[str, Any] = {}
    rows = (
        await session.execute(
            select(InvitationRow, EventRow.code, EventRow.title)
            .join(EventRow, EventRow.id == InvitationRow.event_id)
            .where(
                or_(
                    InvitationRow.inviter_id == person_id,
                    InvitationRow.recipient_id == person_id,
                )
            )
            .order_by(InvitationRow.id)
        )
    ).all()

    def item(row: InvitationRow, code: str, title: str) -> dict[str, Any]:
        return {
            "event_id": code,
            "event": title,
            "at": row.created_at.isoformat(),
            "status": row.status,
        }

    out["invitations_sent"] = [item(*r) for r in rows if r[0].inviter_id == person_id]
    out["invitations_received"] = [item(*r) for r in rows if r[0].recipient_id == person_id]
    tallied = await session.execute(
        select(SentTallyRow.created_at, SentTallyRow.complaint, EventRow.code, EventRow.title)
        .join(EventRow, EventRow.id == SentTallyRow.event_id)
        .where(SentTallyRow.community_id == community_id, SentTallyRow.external_id == external_id)
        .order_by(SentTallyRow.created_at)
    )
    out["invitations_sent_kept"] = [
        {"event_id": code, "event": title, "at": at.isoformat(), "complaint": bool(complaint)}
        for at, complaint, code, title in tallied
    ]
    pref = await consent.preference(session, community_id, person_id)
    if pref is not None:
        out["settings"] = {
            "mode": pref.mode,
            "digest_every": pref.digest_every,
            "digest_hour": pref.digest_hour,
            "quiet_from": pref.quiet_from or None,
            "quiet_to": pref.quiet_to or None,
        }
    out["blocked"] = await consent.blocked_names(session, community_id, external_id)
    if out["blocked"]:
        out["blocks_kept"] = (
            "Potluck keeps each block as two platform ids (yours and theirs), even after "
            "/privacy forget, so nobody you blocked can invite you again by mistake; "
            "/invites unblock removes one."
        )
    if await consent.suppressed(session, community_id, [external_id]):
        out["suppression"] = (
            "You turned invitations off. Potluck keeps your platform id on its list of people "
            "who take no invitations, even after /privacy forget, so you are never invited "
            "again by mistake; /invites on removes it."
        )
    pause = await pause_of(session, community_id, external_id)
    if pause is not None:
        out["paused_until"] = pause.until.isoformat()
        out["pause_reason"] = pause.reason
    own = await limit_rows.override(session, community_id, "person", external_id)
    if own is not None:
        out["limits_set_for_you"] = {
            name: getattr(own, name) for name in LIMIT_COLUMNS if getattr(own, name) is not None
        }
    if pause is not None or own is not None or out["invitations_sent_kept"]:
        out["moderation_kept"] = MODERATION_KEPT
    return {k: v for k, v in out.items() if v}


MODERATION_KEPT = (
    "A moderator's pause of your invitations and limits set for you are kept by your "
    "platform id, even after /privacy forget, and so is when you sent invitations (not to "
    "whom): a moderator's decision about you is not your data to erase, and it keeps limits "
    "from being evaded."
)


async def tally_sent(
    session: AsyncSession, community_id: int, person_id: int, external_id: str
) -> None:
    """Before a person is forgotten: a SentTallyRow for every invitation they sent (waiting
    or not), under their platform id, so their limits, reputation and the events' counts
    stay where they were."""
    sent = select(
        literal(community_id),
        literal(external_id),
        InvitationRow.event_id,
        InvitationRow.complaint,
        InvitationRow.created_at,
    ).where(InvitationRow.inviter_id == person_id)
    await session.execute(
        insert(SentTallyRow).from_select(
            ["community_id", "external_id", "event_id", "complaint", "created_at"], sent
        )
    )


async def forget_person(session: AsyncSession, community_id: int, person_id: int) -> None:
    """Delete everything about the person except their opt-outs, kept by platform id on
    purpose (the suppression record and blocks, theirs and of them); the invitations they
    received, which stay naming nobody so the inviters' counts don't go back; and what
    moderation holds about them, by platform id: a pause, their own limits, and the tally
    of the invitations they sent (`tally_sent`, run first)."""
    await session.execute(delete(InvitationRow).where(InvitationRow.inviter_id == person_id))
    await session.execute(
        update(InvitationRow)
        .where(InvitationRow.recipient_id == person_id)
        .values(recipient_id=None, note=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        delete(RecipientPreferenceRow).where(RecipientPreferenceRow.person_id == person_id)
    )
    await session.execute(
        update(RolePostRow).where(RolePostRow.inviter_id == person_id).values(inviter_id=None)
    )


async def answers(
    session: AsyncSession, pairs: Sequence[tuple[int, int | None]]
) -> dict[tuple[int, int | None], str]:
    """The latest RSVP answer of each (event id, person id), for the dates answered."""
    if not pairs:
        return {}
    event_ids = {e for e, _ in pairs}
    person_ids = {p for _, p in pairs}
    rows = await session.execute(
        select(RsvpRow.event_id, RsvpRow.person_id, RsvpRow.status)
        .where(RsvpRow.event_id.in_(event_ids), RsvpRow.person_id.in_(person_ids))
        .order_by(RsvpRow.answered_at)
    )
    wanted = set(pairs)
    return {(e, p): s for e, p, s in rows if (e, p) in wanted}
