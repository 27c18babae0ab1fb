"""Where an invitation stands, in the inviter's words (/invites sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

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
    state: str


def state_words(
    row: InvitationRow, name: str, outbox_status: str | None, error: str | None, answer: str | None
) -> str:
    """Where one invitation stands, in the inviter's words."""
    if row.complaint:
        return "declined (asked not to be invited)"
    if row.status == "declined":
        return "declined"
    if answer in ("going", "maybe", "waitlist"):
        return f"answered: {'going' if answer == 'going' else answer}"
    if answer == "no":
        return "answered: can't go"
    if row.status == "withdrawn" or outbox_status == "dropped":
        return "withdrawn"
    if outbox_status == "failed":
        return f"couldn't reach {name}: {failure_words(error)}"
    if outbox_status == "sent" or row.status == "delivered":
        return "delivered"
    if row.delivery == "digest":
        return f"queued for their digest ({row.due_at:%Y-%m-%d %H:%M} UTC)"
    if row.due_at > row.created_at:
        return f"queued until {row.due_at:%Y-%m-%d %H:%M} UTC"
    return "queued to send"


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
