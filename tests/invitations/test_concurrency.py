"""50 /invite calls at once against a limit of 10 give exactly 10 invitations: in one process
(asyncio.gather, SQLite and PostgreSQL) and from several OS processes with their own engines
(PostgreSQL)."""

from __future__ import annotations

import asyncio
import multiprocessing

import pytest
from sqlalchemy import func, select

from bot.app import Potluck
from bot.config import Settings
from bot.testing import Conversation
from storage.models import InvitationRow, OutboxRow
from tests.invitations.conftest import setup_event
from tests.invitations.workers import invite_from_process

PEOPLE = [f"guest{i}" for i in range(50)]


@pytest.fixture
def settings() -> Settings:
    found = Settings()
    found.bot.commands_per_minute = 0  # ana sends 50 commands at once
    return found


async def counts(bot: Potluck) -> tuple[int, int]:
    async with bot.db.sessions() as session:
        invitations = await session.scalar(select(func.count()).select_from(InvitationRow))
        rows = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.kind == "invitation")
        )
    return int(invitations or 0), int(rows or 0)


async def test_fifty_parallel_invites_against_a_limit_of_ten(chat: Conversation) -> None:
    code = await setup_event(chat, *PEOPLE)
    await chat.say("/limits set per_inviter_hour:10", as_="mod")
    replies = await asyncio.gather(
        *(chat.say(f'/invite event:{code} people:"@{p}"', as_="ana") for p in PEOPLE)
    )
    sent = [r for r in replies if r.accent == "success"]
    refused = [r for r in replies if "you have invited 10 people in an hour" in r.plain_text()]
    assert (len(sent), len(refused)) == (10, 40)
    assert await counts(chat.bot) == (10, 10)


async def test_fifty_invites_from_five_processes_against_a_limit_of_ten(
    chat: Conversation, backend: str
) -> None:
    if backend != "postgresql":
        pytest.skip("several processes share one database on PostgreSQL")
    code = await setup_event(chat, *PEOPLE)
    await chat.say("/limits set per_inviter_hour:10", as_="mod")
    db = chat.bot.db
    assert db.schema is not None
    spawn = multiprocessing.get_context("spawn")
    processes = [
        spawn.Process(
            target=invite_from_process,
            args=(db.url, db.schema, chat.bot.clock.now().isoformat(), code, PEOPLE[i::5]),
        )
        for i in range(5)
    ]
    for p in processes:
        p.start()
    for p in processes:
        await asyncio.to_thread(p.join, 120)
    assert [p.exitcode for p in processes] == [0] * 5
    assert await counts(chat.bot) == (10, 10)
