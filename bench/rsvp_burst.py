"""RSVP burst: 1,000 concurrent RSVPs at one event of capacity 100, through the full command
path (dispatcher -> checks -> handler -> service -> storage -> outbox rows).

Checks that exactly 100 seats are taken, the other 900 are waitlisted in arrival order (the
positions people are told are exactly 1..900 and match the stored order), and nothing is lost
or duplicated. Prints burst throughput, p50/p99 of 1,000 sequential RSVPs, and the rate of a
bare `sqlite3` transaction doing the same read-check-insert, with the ratio.

On PostgreSQL it also runs 3 OS processes together against one database (as a large
community runs several bot processes): each has its own Potluck and answers 1,000 RSVPs at an
event of its own, first with people seen for the first time, then with the same people at a
second event, all processes starting each burst together. Every event gets the same checks;
the rate is all RSVPs over the time from the first start to the last finish.

    .venv/bin/python bench/rsvp_burst.py                       # SQLite (+ PostgreSQL if
                                                               #   POTLUCK_TEST_DATABASE_URL is set)
    .venv/bin/python bench/rsvp_burst.py --backend postgresql  # needs POTLUCK_TEST_DATABASE_URL
    .venv/bin/python bench/rsvp_burst.py --backend postgresql --processes 3

With POTLUCK_BENCH_PROFILE=FILE, the first of the processes runs its bursts under cProfile,
timed by CPU time, and writes the statistics to FILE (`python -m pstats FILE` reads them);
its figures then include the profiler's own cost.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select

from bench.sent import Sent
from bot.app import Potluck, freeze_startup_objects
from bot.config import Settings
from bot.core.messages import Code, Message, plain
from bot.core.types import Actor, ChannelRef, Level
from bot.testing import PG_ENV, scratch_database
from storage.models import RsvpRow

PEOPLE = 1000
CAPACITY = 100
TARGET_RATE = 1000.0  # RSVPs/s, SQLite, one process (issue 12)
TARGET_RATIO = 10.0  # at most this many times slower than the bare sqlite3 loop (issue 12)
TARGET_P99_MS = 10.0
TARGET_PG_PROCESSES_RATE = 2000.0  # RSVPs/s, PostgreSQL, all processes together (issue 12)
PROFILE_ENV = "POTLUCK_BENCH_PROFILE"  # a file: process 0's cProfile statistics of its bursts


def actor(name: str, level: Level = Level.MEMBER) -> Actor:
    return Actor(
        platform="console",
        community_id="bench",
        community_name="Bench chapter",
        user_id=name,
        display_name=name,
        channel=ChannelRef("general", "general"),
        level=level,
    )


def code_of(card: Message) -> str:
    for seg in card.footer:
        if isinstance(seg, Code):
            return seg.text
    raise RuntimeError(f"event was not created: {plain(card.text)}")


@dataclass
class Burst:
    label: str
    seconds: float
    problems: list[str]
    cpu_seconds: float = 0.0  # process CPU time (all threads) over the burst
    statements: int = 0  # SQL statements sent over the burst

    @property
    def rate(self) -> float:
        return PEOPLE / self.seconds

    @property
    def cost(self) -> str:
        """CPU milliseconds and SQL statements per RSVP: steadier than the wall clock on a
        busy machine."""
        return (
            f"CPU {1000 * self.cpu_seconds / PEOPLE:.2f} ms/RSVP, "
            f"{self.statements / PEOPLE:.2f} statements/RSVP"
        )


async def new_event(bot: Potluck, title: str) -> tuple[str, int]:
    reply = await bot.dispatcher.run_line(
        actor("organizer", Level.ORGANIZER),
        f'/event create title:"{title}" when:"in 3 days" capacity:{CAPACITY}',
    )
    code = code_of(reply)
    async with bot.db.sessions() as session:
        from storage.models import EventRow

        event_id = await session.scalar(select(EventRow.id).where(EventRow.code == code))
    assert event_id is not None
    return code, event_id


async def check(bot: Potluck, event_id: int, replies: list[Message]) -> list[str]:
    """Exactly CAPACITY seats, the rest waitlisted 1..N in stored arrival order."""
    problems: list[str] = []
    texts = [plain(r.text) for r in replies]
    going_replies = sum(1 for t in texts if t.startswith("You're going"))
    told = sorted(
        int(m.group(1)) for t in texts if (m := re.search(r"waitlist at position (\d+)", t))
    )
    if going_replies != CAPACITY:
        problems.append(f"{going_replies} people were told they are going, not {CAPACITY}")
    if told != list(range(1, PEOPLE - CAPACITY + 1)):
        problems.append("waitlist positions told to people are not exactly 1..900")
    async with bot.db.sessions() as session:
        rows = (
            await session.execute(
                select(RsvpRow.person_id, RsvpRow.status, RsvpRow.seq, RsvpRow.guests)
                .where(RsvpRow.event_id == event_id)
                .order_by(RsvpRow.seq)
            )
        ).all()
        people = await session.scalar(
            select(func.count(func.distinct(RsvpRow.person_id))).where(RsvpRow.event_id == event_id)
        )
    going = [r for r in rows if r.status == "going"]
    waiting = [r for r in rows if r.status == "waitlist"]
    if len(rows) != PEOPLE or people != PEOPLE:
        problems.append(f"{len(rows)} RSVP rows for {people} people, expected {PEOPLE}")
    if sum(1 + r.guests for r in going) != CAPACITY:
        problems.append(f"{sum(1 + r.guests for r in going)} seats taken, not {CAPACITY}")
    if len(waiting) != PEOPLE - CAPACITY:
        problems.append(f"{len(waiting)} waitlisted, not {PEOPLE - CAPACITY}")
    if len({r.seq for r in rows}) != len(rows):
        problems.append("two RSVPs share an arrival number")
    if going and waiting and max(r.seq for r in going) > min(r.seq for r in waiting):
        problems.append("someone who arrived later got a seat before an earlier arrival")
    return problems


async def burst(bot: Potluck, label: str, names: list[str]) -> Burst:
    code, event_id = await new_event(bot, label)
    lines = [(actor(n), f"/rsvp event:{code} answer:yes") for n in names]
    sent = Sent(bot.db)
    await sent.start()
    cpu = time.process_time()
    started = time.perf_counter()
    replies = await asyncio.gather(*(bot.dispatcher.run_line(a, line) for a, line in lines))
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    await sent.stop()
    problems = await check(bot, event_id, list(replies))
    return Burst(label, seconds, problems, cpu, sent.statements)


async def sequential(bot: Potluck, names: list[str]) -> tuple[list[float], list[str], str]:
    """One RSVP at a time: milliseconds each, problems found, and the cost per RSVP (CPU,
    statements and trips to SQLite's thread)."""
    code, event_id = await new_event(bot, "Sequential")
    latencies: list[float] = []
    replies: list[Message] = []
    sent = Sent(bot.db)
    await sent.start()
    cpu = time.process_time()
    for name in names:
        who = actor(name)
        started = time.perf_counter()
        replies.append(await bot.dispatcher.run_line(who, f"/rsvp event:{code} answer:yes"))
        latencies.append((time.perf_counter() - started) * 1000)
    cpu = time.process_time() - cpu
    await sent.stop()
    trips = "" if sent.trips is None else f", {sent.trips / len(names):.2f} trips/RSVP"
    cost = (
        f"CPU {1000 * cpu / len(names):.2f} ms/RSVP, "
        f"{sent.statements / len(names):.2f} statements/RSVP{trips}"
    )
    return latencies, await check(bot, event_id, replies), cost


def bare_sqlite(path: Path) -> float:
    """The same read-check-insert as a bare sqlite3 transaction: RSVPs per second."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, capacity INTEGER)")
    conn.execute(
        "CREATE TABLE rsvps (id INTEGER PRIMARY KEY, event_id INTEGER, person_id "
        "INTEGER, status TEXT, guests INTEGER, seq INTEGER, "
        "UNIQUE (event_id, person_id))"
    )
    conn.execute("INSERT INTO events (id, capacity) VALUES (1, ?)", (CAPACITY,))
    started = time.perf_counter()
    for person in range(PEOPLE):
        conn.execute("BEGIN IMMEDIATE")
        (capacity,) = conn.execute("SELECT capacity FROM events WHERE id = 1").fetchone()
        conn.execute(
            "SELECT id FROM rsvps WHERE event_id = 1 AND person_id = ?", (person,)
        ).fetchone()
        seats, max_seq = conn.execute(
            "SELECT coalesce(sum(1 + guests) FILTER (WHERE status = 'going'), 0), "
            "coalesce(max(seq), 0) FROM rsvps WHERE event_id = 1"
        ).fetchone()
        status = "going" if seats + 1 <= capacity else "waitlist"
        conn.execute(
            "INSERT INTO rsvps (event_id, person_id, status, guests, seq) VALUES (1, ?, ?, 0, ?)",
            (person, status, max_seq + 1),
        )
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return PEOPLE / seconds


async def run(backend: str) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if backend == "postgresql" and not os.environ.get(PG_ENV):
            raise SystemExit(
                f"--backend postgresql needs {PG_ENV}, like "
                "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
            )
        async with scratch_database(backend, workdir) as db:
            bot = Potluck(Settings(), db=db)
            try:
                await bot.load_cogs()
                await bot.start(migrate=True, schedule=False)
                await bot.identity.resolve(actor("organizer", Level.ORGANIZER))
                freeze_startup_objects()  # as `potluck run` does once it is up
                new_people = [f"new{i:04d}" for i in range(PEOPLE)]
                cold = await burst(bot, "Burst, people seen for the first time", new_people)
                warm = await burst(bot, "Burst, people the bot already knows", new_people)
                latencies, seq_problems, seq_cost = await sequential(bot, new_people)
            finally:
                await bot.close()
        bare = bare_sqlite(workdir / "bare.db")

    ok = True
    print(f"\n== {backend}: {PEOPLE} RSVPs at one event of capacity {CAPACITY} ==")
    for result in (cold, warm):
        verdict = "OK" if not result.problems else "FAILED: " + "; ".join(result.problems)
        print(
            f"{result.label:<42} {result.rate:8.0f} RSVPs/s  ({result.seconds:.2f} s)  "
            f"100 seats taken, 900 waitlisted 1..900 in arrival order: {verdict}"
        )
        print(f"{'':<42} {result.cost}")
        ok &= not result.problems
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    verdict = "OK" if not seq_problems else "FAILED: " + "; ".join(seq_problems)
    print(
        f"{'Sequential, full command path':<42} p50 {p50:5.2f} ms   p99 {p99:5.2f} ms   "
        f"max {max(latencies):5.2f} ms   checks: {verdict}"
    )
    print(f"{'':<42} {seq_cost}")
    ok &= not seq_problems
    print(
        f"{'Bare sqlite3 read-check-insert':<42} {bare:8.0f} RSVPs/s  "
        f"(Potluck burst: {bare / warm.rate:.1f}x slower with known people, "
        f"{bare / cold.rate:.1f}x with new people)"
    )
    if backend == "sqlite":

        def verdict_of(met: bool) -> str:
            return "met" if met else "MISSED"

        slowest = min(warm.rate, cold.rate)
        print(
            f"Targets (SQLite): burst >= {TARGET_RATE:.0f}/s: "
            f"{verdict_of(warm.rate >= TARGET_RATE)} with known people, "
            f"{verdict_of(cold.rate >= TARGET_RATE)} with people seen for the first time; "
            f"at most {TARGET_RATIO:.0f}x the bare loop: "
            f"{verdict_of(bare / slowest <= TARGET_RATIO)}; "
            f"sequential p99 < {TARGET_P99_MS:.0f} ms: {verdict_of(p99 < TARGET_P99_MS)}"
        )
    return ok


# -- several processes on one PostgreSQL database ------------------------------------------------


async def run_together(count: int) -> bool:
    """`count` worker processes (this script with --worker) on one scratch schema, each
    answering at events of its own; they start each burst together on the parent's word."""
    with tempfile.TemporaryDirectory() as tmp:
        async with scratch_database("postgresql", Path(tmp)) as db:
            await db.upgrade()
            workers = [
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    __file__,
                    "--worker",
                    db.url,
                    db.schema or "",
                    f"p{k}-",
                    str(k),
                    stdin=asyncio.subprocess.PIPE,
                    stdout=asyncio.subprocess.PIPE,
                )
                for k in range(count)
            ]

            async def each(say: str | None) -> list[dict[str, object]]:
                for w in workers:
                    if say is not None:
                        assert w.stdin is not None
                        w.stdin.write(f"{say}\n".encode())
                        await w.stdin.drain()
                lines = [await w.stdout.readline() for w in workers if w.stdout is not None]
                if not all(lines):
                    raise RuntimeError("a worker process died; run it alone to see why")
                return [json.loads(line) for line in lines]

            await each(None)  # every worker has started its bot and made its events
            rounds = [await each("go"), await each("go")]
            for w in workers:
                await w.wait()
    ok = True
    print(f"\n== postgresql: {count} processes together, {PEOPLE} RSVPs each at its own event ==")
    for label, results in zip(
        ("Burst, people seen for the first time", "Burst, people the bot already knows"),
        rounds,
        strict=True,
    ):
        started = min(float(r["started"]) for r in results)  # type: ignore[arg-type]
        ended = max(float(r["ended"]) for r in results)  # type: ignore[arg-type]
        problems = [p for r in results for p in r["problems"]]  # type: ignore[attr-defined]
        rate = count * PEOPLE / (ended - started)
        verdict = "OK" if not problems else "FAILED: " + "; ".join(problems)
        print(
            f"{label:<42} {rate:8.0f} RSVPs/s  ({ended - started:.2f} s, all processes)  "
            f"each event: 100 seats taken, 900 waitlisted 1..900 in arrival order: {verdict}"
        )
        met = "met" if rate >= TARGET_PG_PROCESSES_RATE else "MISSED"
        cpu = sum((float(r["cpu"]) for r in results), 0.0)  # type: ignore[arg-type]
        print(
            f"{'':<42} target >= {TARGET_PG_PROCESSES_RATE:.0f}/s together: {met}; "
            f"bot processes' CPU {1000 * cpu / (count * PEOPLE):.2f} ms/RSVP"
        )
        ok &= not problems
    return ok


async def worker(url: str, schema: str, prefix: str, index: str) -> int:
    """One bot process of `run_together`: prints a JSON line when ready and after each burst
    (started/ended in seconds since the epoch, the process's CPU seconds over the burst, and
    the checks' problems)."""
    from storage.db import Database

    db = Database(url, schema=schema or None)
    bot = Potluck(Settings(), db=db)
    try:
        await bot.load_cogs()
        await bot.start(migrate=False, schedule=False)
        await bot.identity.resolve(actor("organizer", Level.ORGANIZER))
        events = [await new_event(bot, f"Process {index}, burst {n}") for n in (1, 2)]
        freeze_startup_objects()  # as `potluck run` does once it is up
        names = [f"{prefix}{i:04d}" for i in range(PEOPLE)]
        loop = asyncio.get_running_loop()
        profile_to = os.environ.get(PROFILE_ENV) if index == "0" else None
        profile = cProfile.Profile(time.process_time) if profile_to else None
        print(json.dumps({"ready": True}), flush=True)
        for code, event_id in events:
            await loop.run_in_executor(None, sys.stdin.readline)
            lines = [(actor(n), f"/rsvp event:{code} answer:yes") for n in names]
            cpu = time.process_time()
            started = time.time()
            if profile is not None:
                profile.enable()
            replies = await asyncio.gather(*(bot.dispatcher.run_line(a, line) for a, line in lines))
            if profile is not None:
                profile.disable()
            ended = time.time()
            cpu = time.process_time() - cpu
            problems = await check(bot, event_id, list(replies))
            done = {"started": started, "ended": ended, "cpu": cpu, "problems": problems}
            print(json.dumps(done), flush=True)
        if profile is not None and profile_to:
            profile.dump_stats(profile_to)
    finally:
        await bot.close()
        await db.dispose()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql"],
        action="append",
        help="default: sqlite, plus postgresql when POTLUCK_TEST_DATABASE_URL is set",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=3,
        help="PostgreSQL: how many bot processes answer together (default 3; 0 skips)",
    )
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return asyncio.run(worker(*args.worker))
    backends = args.backend or (["sqlite", "postgresql"] if os.environ.get(PG_ENV) else ["sqlite"])
    ok = True
    for backend in backends:
        ok &= asyncio.run(run(backend))
        if backend == "postgresql" and args.processes > 0:
            ok &= asyncio.run(run_together(args.processes))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
