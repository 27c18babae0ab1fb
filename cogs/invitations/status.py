"""Where an invitation stands, in the inviter's words (/invites sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Segment, Time
from cogs.invitations import keys
from storage.models import InvitationRow, OutboxRow
from storage.repositories import invitations as repo

# What an invitation becomes when the outbox row carrying it ends (bot/outbox_delivery.py).
OUTCOMES = {"sent": "delivered", "failed": "failed"}


@dataclass(frozen=True, slots=True)
class SentLine:
    """One invitation in /invites sent: who, which event, where it stands in words."""

    name: str
    event_title: str
    event_code: str
    at: datetime
    state: list[Segment]


def state_words(
    row: InvitationRow, name: str, outbox_status: str | None, error: str | None, answer: str | None
) -> list[Segment]:
    """Where one invitation stands, in the inviter's words; the time it waits for is a Time
    segment, so each reader sees it in their own zone like every time Potluck shows."""
    words = _state(row, name, outbox_status, error, answer)
    return [words] if isinstance(words, str) else words


def _state(
    row: InvitationRow, name: str, outbox_status: str | None, error: str | None, answer: str | None
) -> str | list[Segment]:
    # An answer given after "No invitations at all" is still their answer to the event.
    asked = " (and asked not to be invited again)" if row.complaint else ""
    if answer in ("going", "maybe", "waitlist"):
        return f"answered: {'going' if answer == 'going' else answer}{asked}"
    if answer == "no":
        return f"answered: can't go{asked}"
    if row.complaint:
        return "declined (asked not to be invited)"
    if row.status == "declined":
        return "declined"
    if row.status == "withdrawn" or outbox_status == "dropped":
        return "withdrawn"
    if outbox_status == "failed":
        return f"couldn't reach {name}: {failure_words(error)}"
    if outbox_status == "sent" or row.status == "delivered":
        return "delivered"
    if row.status == "queued" and outbox_status is None:
        return "waiting, not sent yet"  # held back while the recipient takes none
    if row.delivery == "digest":
        return ["queued for their digest (", Time(at=_aware(row.due_at), style="full"), ")"]
    if row.due_at > row.created_at:
        return ["queued until ", Time(at=_aware(row.due_at), style="full")]
    return "queued to send"


def _aware(at: datetime) -> datetime:
    """A stored time as UTC (SQLite gives it back naive)."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


CLOSED_DMS = ("50007", "cannot send messages", "cannot_dm", "no direct-message channel", "closed")


def failure_words(error: str | None) -> str:
    """Why a direct message could not be delivered, in the inviter's words."""
    text = (error or "").lower()
    if not text or any(mark in text for mark in CLOSED_DMS):
        return "their DMs are closed"
    if any(
        mark in text for mark in ("user_not_found", "user_disabled", "account_inactive", "is gone")
    ):
        return "their account is gone"
    return "the platform refused the message"


async def record_outcome(session: AsyncSession, row: OutboxRow, outcome: str) -> None:
    """The outbox's hook for invitation rows (direct and digest): mark the invitations the
    row carried delivered or failed, in the transaction that settles it. A dropped row
    changes nothing (a withdrawal already said why)."""
    status = OUTCOMES.get(outcome)
    if status is None or row.dedupe_key is None:
        return
    own = keys.invitation_id(row.dedupe_key)
    if own is not None:
        await repo.mark_outcome(session, status, invitation_id=own)
    else:
        await repo.mark_outcome(session, status, outbox_key=row.dedupe_key)
