"""SQL that reads what an /invite decides from, in three statements built once at import:
the people named, each with what concerns them (their settings, a yes to the event, an
opt-out, a block of the inviter); the invitation times the limits count; and the inviter's
standing (the limit overrides, the event's invitation count, a pause, the invitation DMs
waiting, and the answers to the date for the card).

Every function works in the caller's transaction, which holds the community's invitation
lock (storage/repositories/invitations.py `lock_community`). Times are UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, func, literal_column, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    BlockRow,
    InvitationRow,
    InviterPauseRow,
    LimitOverrideRow,
    OutboxRow,
    PersonRow,
    RecipientPreferenceRow,
    RsvpRow,
    SentTallyRow,
    SuppressionRow,
    UTCDateTime,
)
from storage.repositories import events as events_repo

INVITATIONS = cast(Table, InvitationRow.__table__)
PEOPLE = cast(Table, PersonRow.__table__)
PREFERENCES = cast(Table, RecipientPreferenceRow.__table__)
RSVPS = cast(Table, RsvpRow.__table__)
SUPPRESSIONS = cast(Table, SuppressionRow.__table__)
BLOCKS = cast(Table, BlockRow.__table__)
PAUSES = cast(Table, InviterPauseRow.__table__)
OUTBOX = cast(Table, OutboxRow.__table__)
LIMITS = cast(Table, LimitOverrideRow.__table__)
TALLIES = cast(Table, SentTallyRow.__table__)
# The inviter's platform id: pauses and what they sent before a /privacy forget are kept by it.
_INVITER_EXTERNAL = (
    select(PEOPLE.c.external_id).where(PEOPLE.c.id == bindparam("inviter_id")).scalar_subquery()
)


def _people_with_facts() -> Any:
    """People of the community (`:community_id`) with their invitation settings (NULL
    without any) and three yes/no facts: a yes (going or waitlisted) to any date of
    `:event_id`, invitations turned off, and a block of `:inviter_id`."""
    going = (
        select(RSVPS.c.id)
        .where(
            RSVPS.c.event_id == bindparam("event_id"),
            RSVPS.c.person_id == PEOPLE.c.id,
            RSVPS.c.status.in_(("going", "waitlist")),
        )
        .exists()
    )
    off = (
        select(SUPPRESSIONS.c.id)
        .where(
            SUPPRESSIONS.c.community_id == PEOPLE.c.community_id,
            SUPPRESSIONS.c.external_id == PEOPLE.c.external_id,
        )
        .exists()
    )
    inviter = PEOPLE.alias("inviter")
    blocked = (
        select(BLOCKS.c.id)
        .where(
            BLOCKS.c.community_id == PEOPLE.c.community_id,
            BLOCKS.c.external_id == PEOPLE.c.external_id,
            BLOCKS.c.blocked_external_id
            == select(inviter.c.external_id)
            .where(inviter.c.id == bindparam("inviter_id"))
            .scalar_subquery(),
        )
        .exists()
    )
    joined = PEOPLE.outerjoin(
        PREFERENCES,
        (PREFERENCES.c.community_id == PEOPLE.c.community_id)
        & (PREFERENCES.c.person_id == PEOPLE.c.id),
    )
    return (
        select(
            PEOPLE.c.id,
            PEOPLE.c.external_id,
            PEOPLE.c.display_name,
            PEOPLE.c.timezone,
            PREFERENCES.c.mode,
            PREFERENCES.c.digest_every,
            PREFERENCES.c.digest_hour,
            PREFERENCES.c.quiet_from,
            PREFERENCES.c.quiet_to,
            going.label("going"),
            off.label("opted_out"),
            blocked.label("blocked_inviter"),
        )
        .select_from(joined)
        .where(PEOPLE.c.community_id == bindparam("community_id"))
    )


_BY_EXTERNAL = _people_with_facts().where(
    PEOPLE.c.external_id.in_(bindparam("names", expanding=True))
)
_BY_NAME = _people_with_facts().where(
    func.lower(PEOPLE.c.display_name).in_(bindparam("names", expanding=True))
)

# The invitation times the limits count, tagged: the inviter's in the last day ("sent",
# with what they sent before a /privacy forget), the recipients' from anyone in the last
# week ("received"), and the recipients' to this event at any time ("invited"). A row may
# come once under each tag it fits.
_TIMES = union_all(
    select(
        literal_column("'sent'").label("tag"),
        INVITATIONS.c.inviter_id.label("person_id"),
        INVITATIONS.c.created_at,
    ).where(
        INVITATIONS.c.inviter_id == bindparam("inviter_id"),
        INVITATIONS.c.created_at > bindparam("day_ago", type_=INVITATIONS.c.created_at.type),
    ),
    select(literal_column("'sent'"), literal_column("NULL"), TALLIES.c.created_at).where(
        TALLIES.c.community_id == bindparam("community_id"),
        TALLIES.c.external_id == _INVITER_EXTERNAL,
        TALLIES.c.created_at > bindparam("day_ago", type_=TALLIES.c.created_at.type),
    ),
    select(
        literal_column("'received'"), INVITATIONS.c.recipient_id, INVITATIONS.c.created_at
    ).where(
        INVITATIONS.c.recipient_id.in_(bindparam("week_ids", expanding=True)),
        INVITATIONS.c.created_at > bindparam("week_ago", type_=INVITATIONS.c.created_at.type),
    ),
    select(literal_column("'invited'"), INVITATIONS.c.recipient_id, INVITATIONS.c.created_at).where(
        INVITATIONS.c.event_id == bindparam("event_id"),
        INVITATIONS.c.recipient_id.in_(bindparam("event_ids", expanding=True)),
    ),
)

_PAUSE = (PAUSES.c.community_id == bindparam("community_id")) & (
    PAUSES.c.external_id == _INVITER_EXTERNAL
)
# Invitation DMs of the community due and not sent yet, at most `:cap` of them (an estimate
# needs no more, and a long queue then costs no more to count). The kind is written in the
# SQL, not bound, so both databases read the partial index ix_outbox_invitations_waiting.
_WAITING = (
    select(OUTBOX.c.id)
    .where(
        OUTBOX.c.community_id == bindparam("community_id"),
        OUTBOX.c.kind == literal_column("'invitation'"),
        OUTBOX.c.status.in_(("pending", "claimed")),
        OUTBOX.c.due_at <= bindparam("now", type_=OUTBOX.c.due_at.type),
    )
    .limit(bindparam("cap"))
    .subquery()
)
_DATE = events_repo.date_counts(
    bindparam("event_id", type_=Integer()), bindparam("occurrence", type_=UTCDateTime())
)
# One row per limit override of the community (one with NULL overrides without any), each
# with the same counts: the event's invitations, the inviter's pause, the waiting DMs and
# the answers to the date.
_STANDING = select(
    (
        select(func.count())
        .select_from(INVITATIONS)
        .where(INVITATIONS.c.event_id == bindparam("event_id"))
        .scalar_subquery()
        + select(func.count())
        .select_from(TALLIES)
        .where(TALLIES.c.event_id == bindparam("event_id"))
        .scalar_subquery()
    ).label("event_count"),
    select(PAUSES.c.until).where(_PAUSE).scalar_subquery().label("paused_until"),
    select(PAUSES.c.reason).where(_PAUSE).scalar_subquery().label("pause_reason"),
    select(func.count()).select_from(_WAITING).scalar_subquery().label("waiting"),
    _DATE,
    *(c for c in LIMITS.c if c.key not in ("id", "community_id")),
).select_from(_DATE.outerjoin(LIMITS, LIMITS.c.community_id == bindparam("community_id")))


async def people(
    session: AsyncSession,
    community_id: int,
    event_id: int,
    inviter_id: int,
    names: Sequence[str],
    *,
    by_name: bool = False,
) -> list[Any]:
    """Rows for the people of the community with these platform ids (or, `by_name`, these
    lower-cased display names), with columns id, external_id, display_name, timezone; mode,
    digest_every, digest_hour, quiet_from, quiet_to (None without settings); going,
    opted_out and blocked_inviter (true or false, about `event_id` and `inviter_id`)."""
    if not names:
        return []
    found = await session.execute(
        _BY_NAME if by_name else _BY_EXTERNAL,
        {
            "community_id": community_id,
            "event_id": event_id,
            "inviter_id": inviter_id,
            "names": list(names),
        },
    )
    return list(found.all())


@dataclass(slots=True)
class Times:
    """Invitation times (UTC) for one decision: the inviter's in the last day, each
    recipient's from anyone in the last week, and when each recipient was invited to the
    event (at most once, ever)."""

    sent: list[datetime] = field(default_factory=list)
    received: dict[int, list[datetime]] = field(default_factory=dict)
    invited_on: dict[int, datetime] = field(default_factory=dict)


async def times(
    session: AsyncSession,
    community_id: int,
    inviter_id: int,
    event_id: int,
    recipient_ids: Sequence[int],
    *,
    day_ago: datetime,
    week_ago: datetime,
) -> Times:
    """The times the inviter and recipient limits count, in one statement: invitations by
    the inviter after `day_ago`, to the recipients after `week_ago`, and to the recipients
    for `event_id`."""
    ids = list(recipient_ids)
    rows = await session.execute(
        _TIMES,
        {
            "community_id": community_id,
            "inviter_id": inviter_id,
            "day_ago": day_ago,
            "week_ids": ids,
            "week_ago": week_ago,
            "event_id": event_id,
            "event_ids": ids,
        },
    )
    found = Times()
    for tag, person_id, at in rows.all():
        if tag == "sent":
            found.sent.append(at)
        elif tag == "received":
            found.received.setdefault(person_id, []).append(at)
        else:
            found.invited_on[person_id] = at
    return found


@dataclass(frozen=True, slots=True)
class Standing:
    """The event's invitation count; the inviter's pause (until, UTC, and why; None when
    not paused); how many invitation DMs of the community wait, counted up to the cap; the
    answers to the date, per status; and the community's limit overrides (rows with scope,
    subject and the limit columns of LimitOverrideRow)."""

    event_count: int
    paused_until: datetime | None
    pause_reason: str | None
    waiting: int
    counts: list[events_repo.StatusCount]
    overrides: list[Any]


async def standing(
    session: AsyncSession,
    community_id: int,
    inviter_id: int,
    event_id: int,
    occurrence: datetime,
    *,
    now: datetime,
    waiting_cap: int,
) -> Standing:
    """The inviter's standing for one decision about one date of an event, in one
    statement; `waiting_cap` 0 skips the count of waiting DMs (no pace to estimate)."""
    rows = (
        await session.execute(
            _STANDING,
            {
                "community_id": community_id,
                "inviter_id": inviter_id,
                "event_id": event_id,
                "occurrence": occurrence,
                "now": now,
                "cap": waiting_cap,
            },
        )
    ).all()
    first = rows[0]
    return Standing(
        event_count=int(first.event_count or 0),
        paused_until=first.paused_until,
        pause_reason=first.pause_reason,
        waiting=int(first.waiting or 0),
        counts=events_repo.counts_in(first),
        overrides=[r for r in rows if r.scope is not None],
    )
