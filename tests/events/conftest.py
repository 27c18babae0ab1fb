"""Helpers for the events tests: creating events through the real command path, reading the
short id off a card, and reopening the same database as a restarted bot would."""

from __future__ import annotations

from sqlalchemy import text

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.messages import Code, Message, plain
from bot.testing import Conversation
from storage.db import Database


def event_id(card: Message) -> str:
    """The short id shown in a card's footer ("Event id k3f9 ...")."""
    for seg in card.footer:
        if isinstance(seg, Code):
            return seg.text
    raise AssertionError(f"no event id on {card.plain_text()!r}")


def said(message: Message) -> str:
    """Everything a person reads in a message, as one string."""
    parts = [message.title or "", plain(message.text)]
    parts += [f"{f.name}: {plain(f.value)}" for f in message.fields]
    parts.append(plain(message.footer))
    return "\n".join(p for p in parts if p)


async def create(chat: Conversation, line: str, *, as_: str = "ana") -> str:
    reply = await chat.say(line, as_=as_)
    assert reply.accent == "success", said(reply)
    return event_id(reply)


async def reopen(database: Database) -> Database:
    """A new Database on the same data (same file, or same PostgreSQL schema)."""
    if database.is_sqlite:
        return Database(database.url)
    async with database.engine.connect() as conn:
        schema = (await conn.execute(text("show search_path"))).scalar_one()
    return Database(database.url, schema=schema.strip('"'))


async def restart(
    database: Database, clock: ManualClock, settings: Settings, **chat_options: object
) -> tuple[Potluck, Conversation]:
    """A fresh bot process over the same database: new caches, new outbox, new scheduler."""
    bot = Potluck(settings, clock=clock, db=await reopen(database))
    await bot.load_cogs()
    await bot.start(migrate=False, schedule=False)
    return bot, Conversation.attach(bot, **chat_options)  # type: ignore[arg-type]
