"""Reminders at scale: 100,000 pending reminders in the outbox, then a bot starts and fires them.

Targets (issue 12): start-up to ready under 3 s, every reminder fired within 1 s of its due
time, resident memory under 300 MB.

The reminders are written by the events cog's own writer (ReminderSchedule.add): 2,000 events
over the next 7 days, 50 people going to each, one reminder an hour before; so 50 reminders
fall due at the same instant, 2,000 times. A fresh `python` process then measures:

- start-up: from the first line of the script (imports included) to ready: cogs loaded, the
  database checked and at its migration head, the outbox's next due time known. The
  project's bytecode is compiled before anything is timed, as an installed bot's is
  (`installed_environment`);
- firing: on a simulated clock that jumps over idle time (as the scheduler's wake-up would)
  and otherwise moves with real time, so every millisecond of work counts as lateness. Each
  reminder's lateness is the simulated time its send began minus its due time. Every
  reminder due in the first `--hours` (12 by default, about 7,000 of them) is fired while
  all the others stay pending in the same table; `--hours 168` fires the whole week (about
  two minutes of sending on a busy 2-core machine);
- memory: resident set size (VmRSS) when ready, and its peak (VmHWM) at the end.

The same run measures a baseline in the same way: a bot over an empty outbox (start-up,
memory) and over 1,000 reminders (lateness), and prints each figure's ratio to it.

    .venv/bin/python bench/reminders_scale.py                        # SQLite
    .venv/bin/python bench/reminders_scale.py --backend postgresql   # POTLUCK_TEST_DATABASE_URL
    .venv/bin/python bench/reminders_scale.py --reminders 20000      # a quicker run
"""

from __future__ import annotations

import time

SCRIPT_STARTED = time.perf_counter()  # before any import below: start-up counts imports

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # the simulated "now" when the bot starts
PEOPLE_PER_EVENT = 50
DAYS = 7
REMINDER_MINUTES = 60
BASELINE_REMINDERS = 1_000
TARGET_READY_S = 3.0
TARGET_LATE_S = 1.0
TARGET_RSS_MB = 300.0


# -- writing the reminders (parent process) ---------------------------------------------------


async def populate(url: str, reminders: int) -> float:
    """Write `reminders` pending reminders with the events cog's writer; returns seconds."""
    from bot.core.clock import ManualClock
    from bot.outbox import Outbox
    from cogs.events.reminders import Recipient, ReminderSchedule
    from storage.db import Database
    from storage.models import CommunityRow

    db = Database(url)
    await db.upgrade()
    async with db.transaction() as session:
        community = CommunityRow(platform="discord", external_id="1", name="Scale chapter")
        community.settings = {}
        session.add(community)
        await session.flush()
        community_id = community.id
    clock = ManualClock(T0)
    schedule = ReminderSchedule(Outbox(db, clock), clock)
    rng = random.Random(12)
    events = max(1, reminders // PEOPLE_PER_EVENT)
    people = [str(800000000000000000 + n) for n in range(events * 2 + PEOPLE_PER_EVENT)]
    started = time.perf_counter()
    for k in range(events):
        # Due times at whole milliseconds, at least 2 hours after T0.
        offset = rng.randrange(2 * 3600_000, DAYS * 86400_000)
        occurrence = T0 + timedelta(milliseconds=offset)
        view = event_view(k, community_id, occurrence)
        going = rng.sample(people, PEOPLE_PER_EVENT)
        recipients = [
            Recipient(person_id=int(p) % 10**9, external_id=p, zone="UTC", reminders_on=True)
            for p in going
        ]
        async with db.transaction() as session:
            await schedule.add(session, view, occurrence, recipients)
    took = time.perf_counter() - started
    await db.dispose()
    return took


def event_view(k: int, community_id: int, occurrence: datetime) -> Any:
    from cogs.events.cards import EventView

    return EventView(
        id=k + 1,
        code=f"S{k}",
        title=f"Scale event {k}",
        kind="meetup",
        description=None,
        location="Reading room",
        script=None,
        starts_at=occurrence,
        duration_minutes=60,
        timezone="UTC",
        rrule=None,
        capacity=None,
        deadline=None,
        reminder_minutes=(REMINDER_MINUTES,),
        reminders_in="dm",
        status="scheduled",
        cancel_reason=None,
        channel_id="1",
        platform="discord",
        community_id=community_id,
        creator_id=None,
        creator_name=None,
        sequence=0,
        created_at=T0,
        updated_at=T0,
    )


# -- the bot under measurement (child process) -------------------------------------------------


class SimulatedClock:
    """Moves with real time, and jumps forward over idle waits (UTC)."""

    def __init__(self, start: datetime) -> None:
        self._base = start
        self._anchor = time.perf_counter()

    def now(self) -> datetime:
        return self._base + timedelta(seconds=time.perf_counter() - self._anchor)

    def jump_to(self, when: datetime) -> None:
        if when > self.now():
            self._base, self._anchor = when, time.perf_counter()


def memory_mb() -> dict[str, float]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


async def measure(url: str, hours: float) -> dict[str, Any]:
    """Start a bot over `url`, fire what falls due in the first `hours` of the simulated
    week, and report (runs in a fresh process)."""
    from sqlalchemy import func, select

    from bot.app import Potluck
    from bot.config import Settings
    from bot.core.delivery import Delivery
    from bot.pacing import Pacing
    from storage.models import OutboxRow

    clock = SimulatedClock(T0)
    fired: dict[int, datetime] = {}

    class Recorder:
        async def deliver(self, item: Delivery) -> str | None:
            fired[item.id] = clock.now()
            return f"sent-{item.id}"

    settings = Settings.model_validate({"database": {"url": url}})
    bot = Potluck(settings, clock=clock)
    await bot.load_cogs()
    await bot.start(schedule=False)  # migrations checked; the wake-ups are driven below
    bot.outbox.add_sender("discord", Recorder(), Pacing())
    wakes: list[datetime] = []
    bot.outbox.on_wake = wakes.append
    first_due = await bot.outbox.next_due_at()
    ready = time.perf_counter() - SCRIPT_STARTED
    rss_ready = memory_mb()["VmRSS"]

    fire_started = time.perf_counter()
    passes = 0
    nxt = first_due
    until = T0 + timedelta(hours=hours)
    while nxt is not None and nxt <= until:
        clock.jump_to(nxt)  # the scheduler's wake-up at the next due time
        wakes.clear()
        await bot.outbox.pump()
        passes += 1
        nxt = min(wakes) if wakes else None
    fire_took = time.perf_counter() - fire_started
    rss_peak = memory_mb()["VmHWM"]  # before the checks below read rows of their own

    lateness: list[float] = []
    async with bot.db.sessions() as session:
        reminders = await session.scalar(select(func.count()).select_from(OutboxRow))
        # Every row due by `until`, and any fired just after it (time runs during a pass).
        checked = (OutboxRow.due_at <= until) | OutboxRow.id.in_(list(fired)[-1000:])
        found = (
            await session.execute(
                select(OutboxRow.id, OutboxRow.due_at, OutboxRow.status).where(checked)
            )
        ).all()
    due = {row_id: at for row_id, at, _ in found}
    statuses = [status for _, _, status in found]
    in_window = len(due)
    for row_id, at in fired.items():
        lateness.append((at - due[row_id]).total_seconds())  # KeyError: fired too early
    await bot.close()
    lateness.sort()
    return {
        "ready_s": ready,
        "rss_ready_mb": rss_ready,
        "rss_peak_mb": rss_peak,
        "reminders": reminders,
        "in_window": in_window,
        "fired": len(fired),
        "sent": sum(1 for s in statuses if s == "sent"),
        "late_max_s": lateness[-1] if lateness else 0.0,
        "late_p99_s": lateness[int(len(lateness) * 0.99)] if lateness else 0.0,
        "late_p50_s": lateness[len(lateness) // 2] if lateness else 0.0,
        "early": sum(1 for x in lateness if x < 0),
        "fire_s": fire_took,
        "passes": passes,
    }


# -- orchestration ---------------------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[1]


def installed_environment() -> dict[str, str]:
    """The environment of a bot as installed: Python caches compiled bytecode.

    A machine that sets PYTHONDONTWRITEBYTECODE (as some CI and container images do) would
    otherwise make every start compile the project's ~140 modules again (about 0.5 s of CPU),
    which no deployed bot pays after its first start. The bytecode is compiled once here,
    before anything is timed, as `pip install` does for installed packages."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *(str(ROOT / d) for d in PROJECT_PACKAGES)],
        env=env,
        check=True,
    )
    return env


PROJECT_PACKAGES = ("bot", "cogs", "storage")


def run_child(url: str, hours: float, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", url, "--hours", str(hours)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if out.returncode != 0:
        raise SystemExit(f"measuring failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


async def scratch(backend: str, workdir: Path, name: str) -> tuple[str, Any]:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{workdir}/{name}.db", None
    from tests.fault.harness import create_postgres_database

    base = os.environ.get("POTLUCK_TEST_DATABASE_URL")
    if not base:
        raise SystemExit("PostgreSQL needs POTLUCK_TEST_DATABASE_URL")
    return await create_postgres_database(base)


def bench(backend: str, reminders: int, hours: float) -> bool:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        figures = {}
        env = installed_environment()
        for label, count in (("empty", 0), ("baseline", BASELINE_REMINDERS), ("scale", reminders)):
            url, drop = asyncio.run(scratch(backend, workdir, label))
            try:
                wrote = asyncio.run(populate(url, count))
                result = run_child(url, hours, env)
                result["write_s"] = wrote
                figures[label] = result
            finally:
                if drop is not None:
                    asyncio.run(drop())
    return report(backend, reminders, hours, figures)


def report(backend: str, reminders: int, hours: float, f: dict[str, dict[str, Any]]) -> bool:
    empty, base, scale = f["empty"], f["baseline"], f["scale"]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b else "-"

    print(f"\n== {backend}: {scale['reminders']:,} pending reminders ==")
    print(
        f"written by the events cog's writer in {scale['write_s']:.1f} s "
        f"({scale['reminders'] / max(scale['write_s'], 1e-9):,.0f}/s)"
    )
    print(
        f"start-up to ready: {scale['ready_s']:.2f} s "
        f"(empty outbox {empty['ready_s']:.2f} s, "
        f"ratio {ratio(scale['ready_s'], empty['ready_s'])})"
        f"  target < {TARGET_READY_S:g} s"
    )
    print(
        f"lateness p50 / p99 / max: {scale['late_p50_s'] * 1000:.1f} / "
        f"{scale['late_p99_s'] * 1000:.1f} / {scale['late_max_s'] * 1000:.1f} ms "
        f"(baseline {BASELINE_REMINDERS:,}: max {base['late_max_s'] * 1000:.1f} ms, ratio "
        f"{ratio(scale['late_max_s'], base['late_max_s'])})  target max < {TARGET_LATE_S:g} s"
    )
    print(
        f"fired {scale['fired']:,}: every one due in the first {hours:g} h "
        f"({scale['in_window']:,}; {scale['sent']:,} marked sent, {scale['early']} early; "
        f"{scale['reminders'] - scale['in_window']:,} later ones stayed pending) in "
        f"{scale['fire_s']:.1f} s of work, {scale['passes']:,} passes"
    )
    print(
        f"memory: {scale['rss_ready_mb']:.0f} MB when ready, {scale['rss_peak_mb']:.0f} MB peak "
        f"(empty outbox {empty['rss_ready_mb']:.0f} / {empty['rss_peak_mb']:.0f} MB, ratio "
        f"{ratio(scale['rss_peak_mb'], empty['rss_peak_mb'])})  target < {TARGET_RSS_MB:g} MB"
    )
    ok = (
        scale["ready_s"] < TARGET_READY_S
        and scale["late_max_s"] < TARGET_LATE_S
        and scale["rss_peak_mb"] < TARGET_RSS_MB
        and scale["reminders"] == reminders
        and scale["fired"] == scale["in_window"] == scale["sent"]
        and scale["early"] == 0
    )
    print("targets met" if ok else "TARGETS MISSED")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument(
        "--hours",
        type=float,
        default=12.0,
        help="fire what falls due in this many simulated hours (168: the whole week)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(asyncio.run(measure(args.measure, args.hours))))
        return 0
    return 0 if bench(args.backend, args.reminders, args.hours) else 1


if __name__ == "__main__":
    raise SystemExit(main())
