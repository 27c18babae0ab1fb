"""Confirmations: a question asked with a "do it" and a "don't" button, answered once.

Both buttons of one question carry the same random token. The first press of either settles
the question: the token is recorded in `handled_requests` (as "confirm:<token>") in the same
transaction as what the press does, so once "Keep my data" is pressed, "Yes, delete
everything" on that same message (or on an older copy a client still shows) does nothing
more, and a second "Yes" cannot act twice. Two presses at once: the table's primary key lets
exactly one of them settle it, on SQLite and PostgreSQL alike.

Settled tokens are kept `KEEP` (30 days, longer than any client keeps an old message's buttons
clickable in practice) and deleted when a new question is asked.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import UserError
from storage.repositories import handled

PREFIX = "confirm:"
KEEP = timedelta(days=30)


class AlreadyAnswered(UserError):
    """A button of a question that was already answered (by either of its buttons)."""

    def __init__(self, ask_again: str) -> None:
        super().__init__(
            "You already answered this question, so this button does nothing now.",
            hint=f"Type {ask_again} to be asked again.",
        )


def new_token() -> str:
    """A fresh token for one question's buttons: 16 URL-safe characters (96 random bits), so
    a button value "<owner>:<token>" stays well under the 100 characters Discord allows."""
    return secrets.token_urlsafe(12)


async def asked(session: AsyncSession, now: datetime) -> None:
    """Called when a question is asked: forget the tokens settled more than KEEP before `now`."""
    await handled.forget_before(session, PREFIX, now - KEEP)


async def settle(session: AsyncSession, token: str, now: datetime, *, ask_again: str) -> None:
    """Settle the question `token` at `now`, inside the transaction of what the press does.
    Raises AlreadyAnswered (telling the person to type `ask_again`) when it was settled
    before, so the caller's transaction rolls back and nothing acts twice."""
    if not await handled.first_time(session, PREFIX + token, now):
        raise AlreadyAnswered(ask_again)


async def settled(session: AsyncSession, token: str) -> bool:
    """Whether the question `token` was answered already (read only)."""
    return await handled.seen(session, PREFIX + token)
