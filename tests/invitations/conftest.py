"""Helpers for the invitations tests: a chapter where people are known, and an event."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.delivery import Delivery
from bot.core.messages import Message
from bot.core.types import Level
from bot.testing import Conversation
from storage.models import EventRow, InvitationRow, PersonRow
from tests.events.conftest import create, said

__all__ = ["create", "delivered", "meet", "said", "setup_event", "statuses", "texts"]


async def meet(chat: Conversation, *names: str) -> None:
    """These people have used Potluck here, so they are known members ("mod" moderates)."""
    chat.levels.setdefault("mod", Level.MODERATOR)
    for name in names:
        await chat.say("/invites show", as_=name)


async def setup_event(chat: Conversation, *names: str, organizer: str = "ana") -> str:
    chat.levels.setdefault("mod", Level.MODERATOR)
    await meet(chat, organizer, *names)
    return await create(
        chat, '/event create title:"Winter party" when:"next friday 6pm"', as_=organizer
    )


async def delivered(chat: Conversation, kind: str = "invitation") -> list[Delivery]:
    """Run the outbox; what it sent of this kind."""
    return [d for d in await chat.deliver() if d.kind == kind]


def texts(messages: list[Message]) -> list[str]:
    return [said(m) for m in messages]


async def statuses(chat: Conversation) -> list[tuple[str, str, str]]:
    """(recipient, event title, stored status) of every invitation, sorted."""
    async with chat.bot.db.sessions() as session:
        rows = await session.execute(
            select(PersonRow.display_name, EventRow.title, InvitationRow.status)
            .join(PersonRow, PersonRow.id == InvitationRow.recipient_id)
            .join(EventRow, EventRow.id == InvitationRow.event_id)
        )
        return sorted((who, title, status) for who, title, status in rows.all())
