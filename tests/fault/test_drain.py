"""SIGTERM drains: a real `potluck run` process stopped in the middle of a send finishes the
message in hand, hands the rest of its claims back, and exits with status 0 within 10 s;
the next process sends what is left, and nothing is lost or shown twice.

Not marked `fault`: one small run per database, part of every test run.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.testing import PG_ENV
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.slack_server import FakeSlack
from tests.fault.harness import (
    FaultWorld,
    Plan,
    create_postgres_database,
    eventually,
    keys_of,
)
from tests.fault.workloads import Reminders

# 40 people, 2 reminders each, on Discord: enough that the stop finds most of them unsent.
PLAN = Plan(processes=1, events=4, people=40, new_people=2, per_person=2, window=1.0, gap=0.2)
STOP_WITHIN = 10.0  # seconds, what `potluck run` promises after SIGTERM


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/potluck.db"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL half skipped: set {PG_ENV} to run it")
    url, drop = await create_postgres_database(base)
    try:
        yield url
    finally:
        await drop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def health(port: int) -> tuple[int, dict[str, object]] | None:
    try:
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/healthz") as response,
        ):
            return response.status, await response.json()
    except aiohttp.ClientError:
        return None


async def test_sigterm_mid_send_finishes_the_row_in_hand_and_hands_back_the_rest(
    tmp_path: Path, database_url: str
) -> None:
    async with FakeDiscord() as discord, FakeSlack() as slack:
        world = FaultWorld(PLAN, tmp_path, database_url, discord, slack)
        try:
            await stop_mid_send(world)
        except BaseException:
            for proc in world.processes:
                print(f"--- bot {proc.number} ---\n{proc.output()[-4000:]}")
            raise
        finally:
            await world.close()
        discord.assert_no_unknown_routes()


async def stop_mid_send(world: FaultWorld) -> None:
    discord = world.discord
    await world.prepare()
    first = world.add_process(web_port=free_port())
    await world.start(first)
    await world.wait_ready([first])
    assert await health(first.web_port) == (200, {"ok": True})
    expected = await world.queue([Reminders("discord")])

    async def some_sent() -> bool:
        return len(discord.ledger.created) >= 10

    await eventually(some_sent, 60, "the first reminders to go out")
    held = discord.hold_answers(
        lambda r: (
            r.method == "POST"
            and r.token == first.discord_token
            and r.path.startswith("/channels/")
        )
    )
    in_hand = await held.wait_held(timeout=60)
    stop_sent = time.monotonic()
    assert first.process is not None
    first.process.send_signal(signal.SIGTERM)

    async def draining() -> bool:
        return await health(first.web_port) == (503, {"ok": False, "reason": "shutting down"})

    # Stopping, with a message in hand whose answer Discord has not given yet: now give it.
    await eventually(draining, STOP_WITHIN, "/healthz to say the bot is shutting down")
    held.release()
    code = await first.process.wait()
    took = time.monotonic() - stop_sent
    print(f"stopped {took:.1f}s after SIGTERM")
    assert code == 0, first.output()[-3000:]
    assert took < STOP_WITHIN
    assert await world.claims_of(first) == []  # every claim handed back, none left to expire
    counts = await world.counts()
    assert counts.get("pending", 0) > 0, "the stop came too late to leave work behind"

    second = world.add_process()
    await world.start(second)
    await world.wait_ready([second])

    async def settled() -> bool:
        counts = await world.counts()
        return counts == {"sent": len(expected)}

    await eventually(settled, 120, "the next process to send the rest", every=0.2)
    created = [c.key for c in discord.ledger.created]
    assert created.count(in_hand.json["nonce"]) == 1
    assert discord.ledger.repeats == 0  # the message in hand was finished, not sent again
    assert max(Counter(created).values()) == 1
    assert set(created) == keys_of(await world.rows())
    wanted = Counter((e.person, e.marker) for e in expected)
    assert Counter(world.delivered("discord", (e.marker for e in expected))) == wanted
