"""Helpers for the invitations tests: a chapter where people are known, and an event."""

from __future__ import annotations

from bot.core.delivery import Delivery
from bot.core.messages import Message
from bot.core.types import Level
from bot.testing import Conversation
from tests.events.conftest import create, said

__all__ = ["create", "delivered", "meet", "said", "setup_event", "texts"]


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
