"""A test harness shipped with Potluck: an in-process front door that drives the real registry,
dispatcher, checks, storage and outbox, and records what people would see.

    chat = await Conversation.open(bot)
    reply = await chat.say('/event create title:"Party" when:"friday 6pm"', as_="ana")
    await chat.press(reply, "Going", as_="sam")
    dms = await chat.deliver()          # run the outbox, get what it sent
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import Potluck
from bot.core.delivery import Delivery
from bot.core.messages import Message
from bot.core.types import Actor, ChannelRef, Level
from storage.db import Database

PG_ENV = "POTLUCK_TEST_DATABASE_URL"


@asynccontextmanager
async def scratch_database(backend: str, workdir: Path) -> AsyncIterator[Database]:
    """An empty database for one test or benchmark run: a SQLite file in `workdir`, or a
    schema of its own in the PostgreSQL database named by POTLUCK_TEST_DATABASE_URL,
    dropped afterwards. Migrations are the caller's (`await db.upgrade()`)."""
    if backend == "sqlite":
        db = Database(f"sqlite+aiosqlite:///{workdir}/potluck-scratch.db")
        try:
            yield db
        finally:
            await db.dispose()
        return
    url = os.environ.get(PG_ENV)
    if not url:
        raise RuntimeError(
            f"PostgreSQL needs {PG_ENV}, like postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        )
    schema = f"scratch_{uuid.uuid4().hex[:12]}"
    await _admin(url, f'CREATE SCHEMA "{schema}"')
    db = Database(url, schema=schema)
    try:
        yield db
    finally:
        await db.dispose()
        await _admin(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _admin(url: str, sql: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@dataclass
class Said:
    who: str
    line: str
    reply: Message


@dataclass
class Conversation:
    bot: Potluck
    community_id: str = "test-community"
    community_name: str = "Test chapter"
    channel: str = "general"
    levels: dict[str, Level] = field(default_factory=dict)
    zones: dict[str, str] = field(default_factory=dict)
    transcript: list[Said] = field(default_factory=list)
    sent: list[Delivery] = field(default_factory=list)

    @classmethod
    def attach(cls, bot: Potluck, **kwargs: object) -> Conversation:
        chat = cls(bot=bot, **kwargs)  # type: ignore[arg-type]
        bot.outbox.add_sender("console", _Recorder(chat))
        return chat

    def actor(self, who: str, level: Level | None = None) -> Actor:
        return Actor(
            platform="console",
            community_id=self.community_id,
            community_name=self.community_name,
            user_id=who,
            display_name=who,
            channel=ChannelRef(external_id=self.channel, name=self.channel),
            level=level if level is not None else self.levels.get(who, Level.MEMBER),
            timezone_hint=self.zones.get(who),
        )

    async def say(self, line: str, *, as_: str = "alice", level: Level | None = None) -> Message:
        reply = await self.bot.dispatcher.run_line(self.actor(as_, level), line)
        self.transcript.append(Said(as_, line, reply))
        return reply

    async def press(
        self,
        message: Message,
        label: str,
        *,
        as_: str = "alice",
        level: Level | None = None,
        ref: str | None = None,
    ) -> Message:
        matches = [b for b in message.buttons if b.label.lower().startswith(label.lower())]
        if not matches:
            labels = [b.label for b in message.buttons]
            raise AssertionError(f"no button {label!r} on the message; it has {labels}")
        reply = await self.bot.dispatcher.press(
            self.actor(as_, level), matches[0].custom_id, message_ref=ref
        )
        self.transcript.append(Said(as_, f"[press {matches[0].label}]", reply))
        return reply

    async def deliver(self) -> list[Delivery]:
        """Run one outbox pass; return what was sent during it."""
        before = len(self.sent)
        await self.bot.outbox.pump()
        return self.sent[before:]

    def to(self, who: str) -> list[Delivery]:
        """Every direct message sent to `who` so far."""
        return [d for d in self.sent if d.destination.kind == "person" and d.destination.id == who]


class _Recorder:
    """The harness's outbox sender: records instead of sending."""

    def __init__(self, chat: Conversation) -> None:
        self.chat = chat

    async def deliver(self, item: Delivery) -> str | None:
        self.chat.sent.append(item)
        return item.edit_ref or f"msg-{len(self.chat.sent)}"
