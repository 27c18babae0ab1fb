"""INTERACTION_CREATE -> interaction callback latency on loopback, Potluck vs a bare bot.

Both bots run the real discord.py client against the stand-in Discord on 127.0.0.1. The bare
bot answers "ok" with no storage; Potluck runs `/rsvp` through the registry, dispatcher,
checks and the database (SQLite, the embedded default; or --database-url). Interactions are
sent one at a time; the clock stops when the stand-in has received the callback.

    .venv/bin/python bench/discord_latency.py [-n 1000] [--database-url URL] [--profile FILE]

With --profile, the /rsvp commands sent straight into the dispatcher run under cProfile
(its statistics written to FILE): the Python function calls per /rsvp are printed, and the
CPU printed for them includes the profiler's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import logging
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.baselines import start_bare_discord_bot  # noqa: E402
from bench.sent import Sent  # noqa: E402
from bot.adapters.discord import DiscordAdapter  # noqa: E402
from bot.adapters.discord.commands import invoked  # noqa: E402
from bot.app import Potluck  # noqa: E402
from bot.config import DEFAULT_COGS, Settings  # noqa: E402
from bot.core.types import Actor, ChannelRef  # noqa: E402
from storage.db import Database  # noqa: E402
from tests.fakes.discord_server import (  # noqa: E402
    DEFAULT_GUILD_ID,
    FakeDiscord,
    RecordedRequest,
)

PEOPLE = [str(700000000000000000 + i) for i in range(1, 51)]
Payload = Callable[[FakeDiscord, int], dict[str, Any]]


def guild() -> dict[str, Any]:
    return {
        "id": DEFAULT_GUILD_ID,
        "name": "Bench Library",
        "channels": [{"id": "200000000000000001", "name": "general", "type": 0}],
        "members": [{"user": {"id": uid, "username": f"p{uid[-2:]}"}} for uid in PEOPLE],
    }


async def measure(fake: FakeDiscord, make: Payload, count: int, warmup: int) -> list[float]:
    """Milliseconds from sending INTERACTION_CREATE to the callback arriving, per interaction."""
    out: list[float] = []
    for i in range(warmup + count):
        payload = make(fake, i)
        prefix = f"/interactions/{payload['id']}/"
        since = len(fake.requests)

        def answered(r: RecordedRequest, prefix: str = prefix) -> bool:
            return r.method == "POST" and r.path.startswith(prefix)

        start = time.perf_counter()
        await fake.send_interaction(payload)
        req = await fake.wait_for(answered, since=since)
        elapsed = (time.perf_counter() - start) * 1000
        if req.status != 200:
            raise RuntimeError(f"callback failed: {req.status} {req.response}")
        if i >= warmup:
            out.append(elapsed)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def cogs() -> list[str]:
    try:
        events = importlib.import_module("cogs.events")
    except ImportError:
        return list(DEFAULT_COGS)
    if hasattr(events, "setup") and "events" not in DEFAULT_COGS:
        return [*DEFAULT_COGS, "events"]
    return list(DEFAULT_COGS)


async def bare(count: int, warmup: int) -> list[float]:
    async with FakeDiscord(guilds=[guild()]) as fake:
        _, stop = await start_bare_discord_bot(fake)
        try:
            return await measure(
                fake,
                lambda f, i: f.slash_interaction("rsvp", {}, user_id=PEOPLE[i % 50]),
                count,
                warmup,
            )
        finally:
            await stop()


async def potluck(
    count: int, warmup: int, database_url: str | None, profile: str | None = None
) -> list[tuple[str, str, list[float]]]:
    """Potluck's front door for /rsvp and for a command with no writes (/timezone show), and
    the same /rsvp through the dispatcher alone: the difference is what the adapter costs."""
    schema = f"bench_{uuid.uuid4().hex[:8]}" if database_url else None
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        if schema:
            await _schema(url, f'CREATE SCHEMA "{schema}"')
        try:
            return await _potluck(url, schema, count, warmup, profile)
        finally:
            if schema:
                await _schema(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


async def _schema(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def _potluck(
    url: str, schema: str | None, count: int, warmup: int, profile: str | None
) -> list[tuple[str, str, list[float]]]:
    async with FakeDiscord(guilds=[guild()]) as fake:
        settings = Settings.model_validate(
            {
                "database": {"url": url},
                "bot": {"cogs": cogs(), "commands_per_minute": 0},
                "discord": {
                    "token": "bench-token",
                    "api_base_url": fake.api_base_url,
                    "gateway_url": fake.gateway_url,
                    "guild_ids": [DEFAULT_GUILD_ID],
                },
            }
        )
        bot = Potluck(settings, db=Database(url, schema=schema) if schema else None)
        await bot.load_cogs()
        await bot.start(schedule=False)
        adapter = DiscordAdapter(bot, reconnect=False, guild_ready_timeout=0.05, ready_timeout=10)
        await adapter.start()
        try:
            make, label = await prepare(fake, bot)
            results = [("Potluck", label, await measure(fake, make, count, warmup))]
            results.append(
                (
                    "Potluck",
                    "/timezone show (front door, no writes)",
                    await measure(fake, show, count, warmup),
                )
            )
            core, cpu, sent = await core_only(fake, bot, make, count, warmup, profile)
            results.append(
                (
                    "core only",
                    label.split(" (")[0] + " via the dispatcher, no Discord",
                    core,
                )
            )
            results.append(("cost", f"CPU {cpu:.2f} ms, {sent}", []))
            return results
        finally:
            await adapter.stop()
            await bot.close()


def show(f: FakeDiscord, i: int) -> dict[str, Any]:
    return f.slash_interaction("timezone", {}, subcommand="show", user_id=PEOPLE[i % 50])


async def core_only(
    fake: FakeDiscord,
    bot: Potluck,
    make: Payload,
    count: int,
    warmup: int,
    profile: str | None = None,
) -> tuple[list[float], float, str]:
    """The same commands straight into the dispatcher, with the actor the adapter would build:
    milliseconds per command, and per command measured, the process's CPU milliseconds (all
    threads) and what the database was sent: SQL statements (not counted: BEGIN and COMMIT)
    and, on SQLite, trips to aiosqlite's thread (`bench/sent.py`)."""
    out: list[float] = []
    sent = Sent(bot.db)
    cpu = 0.0
    profiler = cProfile.Profile() if profile else None
    for i in range(warmup + count):
        if i == warmup:
            await sent.start()
            cpu = time.process_time()
            if profiler is not None:
                profiler.enable()
        data = make(fake, i)["data"]
        path, values, _ = invoked(data)
        spec = bot.registry.commands[path]
        user = PEOPLE[i % 50]
        actor = Actor(
            platform="discord",
            community_id=DEFAULT_GUILD_ID,
            community_name="Bench Library",
            user_id=user,
            display_name=user,
            channel=ChannelRef(external_id="200000000000000001", name="general"),
        )
        start = time.perf_counter()
        await bot.dispatcher.run_command(actor, spec, values)
        if i >= warmup:
            out.append((time.perf_counter() - start) * 1000)
    if profiler is not None:
        profiler.disable()
    cpu = (time.process_time() - cpu) * 1000 / count
    await sent.stop()
    trips = "" if sent.trips is None else f", {sent.trips / count:.2f} trips to SQLite's thread"
    calls = ""
    if profiler is not None and profile:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler)
        calls = f", {stats.total_calls / count:.0f} Python function calls (profiled)"  # type: ignore[attr-defined]
    return out, cpu, f"{sent.statements / count:.2f} SQL statements{trips}{calls}"


async def prepare(fake: FakeDiscord, bot: Potluck) -> tuple[Payload, str]:
    """Create an event to RSVP to, through the front door like an organizer would."""
    if ("rsvp",) not in bot.registry.commands:
        return show, "/timezone show (the events cog with /rsvp is not loaded)"
    create = fake.slash_interaction(
        "event",
        {"title": "Bench book club", "when": "tomorrow 18:00", "capacity": 1000},
        subcommand="create",
        user_id=PEOPLE[0],
        permissions=str(1 << 33),
    )
    handle = await fake.send_interaction(create)
    answer = await handle.response(timeout=10)
    card = answer.response["resource"]["message"]
    going = next(
        c["custom_id"]
        for row in card["components"]
        for c in row["components"]
        if c["custom_id"].startswith("rsvp:")
    )
    code = going.split(":")[1]
    statuses = ("yes", "no")

    def make(f: FakeDiscord, i: int) -> dict[str, Any]:
        return f.slash_interaction(
            "rsvp", {"event": code, "answer": statuses[(i // 50) % 2]}, user_id=PEOPLE[i % 50]
        )

    return make, f"/rsvp event:{code} answer:yes|no (50 people, alternating)"


def line(name: str, values: list[float]) -> str:
    return (
        f"{name:<10} n={len(values)}  p50={statistics.median(values):6.2f} ms  "
        f"p90={percentile(values, 90):6.2f} ms  p99={percentile(values, 99):6.2f} ms  "
        f"max={max(values):6.2f} ms"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--profile", help="cProfile the /rsvp via the dispatcher into this file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    base = await bare(args.count, args.warmup)
    results = await potluck(args.count, args.warmup, args.database_url, args.profile)
    store = args.database_url.split(":", 1)[0] if args.database_url else "sqlite (file)"
    print(
        f"INTERACTION_CREATE -> callback on loopback, {args.count} interactions each, "
        f"database {store}"
    )
    print(line("bare bot", base) + "   /rsvp answers 'ok', no storage")
    for name, label, values in results:
        if name == "cost":
            print(f"{'':<10} per /rsvp via the dispatcher: {label}")
        else:
            print(line(name, values) + "   " + label)
    ours = results[0][2]
    p50 = statistics.median(ours) / statistics.median(base)
    p99 = percentile(ours, 99) / percentile(base, 99)
    print(
        f"ratio Potluck/bare (first line): p50 {p50:.2f}x  p99 {p99:.2f}x   "
        "(targets: Potluck p99 < 25 ms, ratio < 3x)"
    )
    adapter = statistics.median(ours) - statistics.median(results[2][2])
    print(f"front door's own share of the p50 (Potluck minus core only): {adapter:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
