"""The fault test's world: stand-in Discord and Slack on 127.0.0.1, one shared database, and
real `potluck run` processes that can be killed with SIGKILL.

What is queued comes from workloads (tests/fault/workloads.py): each writes outbox rows
through its cog's own code and returns the deliveries it expects.
"""

# Waiting on processes and databases needs timeouts by design.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bot.core.clock import SystemClock
from bot.core.delivery import delivery_key
from bot.outbox import Outbox
from storage.db import Database
from storage.models import CommunityRow, InvitationRow, OutboxRow, PersonRow
from storage.repositories import pacing as pacing_repo
from tests.fakes.discord_server import DEFAULT_GUILD_ID, FakeDiscord
from tests.fakes.ledger import Created
from tests.fakes.slack_server import FakeSlack
from tests.fault.workloads import Expected, Workload
from tests.terminal import operator_signals

REPO = Path(__file__).resolve().parents[2]
SLACK_TEAM = "T0000000001"


@dataclass(frozen=True)
class Plan:
    """The shape of one fault run. Times in seconds."""

    processes: int = 3
    # 1,000 reminders and 1,000 invitations per platform: each of the 3 processes claims
    # many batches of 50 before, during and after the kill, and every person gets 10 paced
    # messages.
    events: int = 10  # per platform, with reminders
    people: int = 200  # per platform
    # Of them, never DMed before (they spend new-DM budget): at 20 a minute, 16 take 45 s,
    # long enough to see a burst and a steady excess, short enough not to be the whole run.
    new_people: int = 16
    per_person: int = 5  # events each person is reminded of
    gatherings: int = 10  # per platform, with invitations
    invited_per_person: int = 5  # the config file's default most per person per week
    people_per_invite: int = 10  # per /invite: an inviter's default hour
    window: float = 2.0  # reminders fall due over this long
    # Paces are spaced on the bots' side and checked on arrival at the stand-ins, so a
    # request may arrive up to one interval late (a loaded machine): keep them at 1 s or more.
    gap: float = 1.0  # per-destination pacing
    # Slower than 3 processes open new DMs behind 4,000 messages, so the budget is what
    # spaces them (at 60 a minute they came 1 to 7 s apart anyway, and a budget per
    # process instead of a shared one went unnoticed).
    new_dms_per_minute: int = 20
    lease: float = 4.0
    poll: float = 0.5

    @property
    def new_dm_interval(self) -> float:
        return 60 / self.new_dms_per_minute


@dataclass
class BotProcess:
    """One `potluck run`, with its own tokens (so the stand-ins know who asked)."""

    number: int
    config: Path
    log: Path
    process: asyncio.subprocess.Process | None = None
    web_port: int = 0  # 0: any free port

    @property
    def discord_token(self) -> str:
        return f"fault-discord-{self.number}"

    @property
    def slack_token(self) -> str:
        return f"xoxb-fault-{self.number}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def is_ready(self, discord: FakeDiscord, slack: FakeSlack) -> bool:
        """Logged in on the Discord gateway and on Slack (as the stand-ins saw it)."""
        return any(i.get("token") == self.discord_token for i in discord.identifies) and any(
            c.method == "auth.test" and c.token == self.slack_token for c in slack.requests
        )

    def worker_pattern(self) -> str:
        """The SQL LIKE pattern of the outbox worker ids of this process (host:pid:object)."""
        return f"%:{self.pid}:%"


async def eventually(
    check: Callable[[], Awaitable[Any]], timeout: float, what: str, every: float = 0.05
) -> Any:
    """Wait until `check()` returns something truthy (it is asked every `every` seconds):
    real processes and a real database have no event to wait on."""
    deadline = time.monotonic() + timeout
    while True:
        found = await check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(every)


@dataclass
class FaultWorld:
    plan: Plan
    workdir: Path
    database_url: str
    discord: FakeDiscord
    slack: FakeSlack
    db: Database = field(init=False)
    processes: list[BotProcess] = field(default_factory=list)
    communities: dict[str, int] = field(default_factory=dict)  # platform -> row id
    community_ids: dict[str, str] = field(default_factory=dict)  # platform -> its own id
    people: dict[str, list[str]] = field(default_factory=dict)  # platform ids
    person_ids: dict[str, dict[str, int]] = field(default_factory=dict)  # -> row ids
    known: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.db = Database(self.database_url)

    # -- setting up ---------------------------------------------------------------------

    async def prepare(self) -> None:
        """Migrate, then add the communities and people (`populate`)."""
        await self.db.upgrade()
        await self.populate()

    async def populate(self) -> None:
        """Add both communities and their people, and give most of them a DM channel opened
        long ago (in the database and on the stand-ins). Needs a migrated database; bots may
        be starting meanwhile (nothing is due for them yet)."""
        plan = self.plan
        self.people = {
            "discord": [str(700000000000000000 + n) for n in range(plan.people)],
            "slack": [f"UFAULT{n:05d}" for n in range(plan.people)],
        }
        self.community_ids = {"discord": DEFAULT_GUILD_ID, "slack": SLACK_TEAM}
        async with self.db.transaction() as session:
            for platform, external in self.community_ids.items():
                row = CommunityRow(
                    platform=platform, external_id=external, name="Fault chapter", timezone="UTC"
                )
                row.settings = {}
                session.add(row)
                await session.flush()
                self.communities[platform] = row.id
                members = [
                    PersonRow(
                        community_id=row.id,
                        external_id=person,
                        display_name=f"Member {n}",
                        settings={},
                    )
                    for n, person in enumerate(self.people[platform])
                ]
                session.add_all(members)
                await session.flush()
                self.person_ids[platform] = {m.external_id: m.id for m in members}
        self.known = {p: set(people[plan.new_people :]) for p, people in self.people.items()}
        async with self.db.transaction() as session:
            for person in sorted(self.known["discord"]):
                channel = self.discord.dm_channel_with(person)["id"]
                await self._remember(session, "discord", person, channel)
            for person in sorted(self.known["slack"]):
                channel = self.slack._dm_for(person)
                await self._remember(session, "slack", person, channel)

    async def _remember(
        self, session: AsyncSession, platform: str, person: str, channel: str
    ) -> None:
        await pacing_repo.remember_dm_channel(
            session,
            platform=platform,
            user_id=person,
            channel_id=channel,
            community_id=self.communities[platform],
            now=datetime.now(UTC) - timedelta(days=30),
        )

    def add_process(self, web_port: int = 0) -> BotProcess:
        number = len(self.processes) + 1
        proc = BotProcess(
            number,
            self.workdir / f"bot-{number}.toml",
            self.workdir / f"bot-{number}.log",
            web_port=web_port,
        )
        proc.config.write_text(self._config(proc), encoding="utf-8")
        self.processes.append(proc)
        return proc

    def _config(self, proc: BotProcess) -> str:
        plan = self.plan
        return f"""
[bot]
outbox_poll_seconds = {plan.poll}
outbox_lease_seconds = {plan.lease}
log_level = "WARNING"

[web]
host = "127.0.0.1"
port = {proc.web_port}

[discord]
token = "{proc.discord_token}"
api_base_url = "{self.discord.api_base_url}"
gateway_url = "{self.discord.gateway_url}"
guild_ids = ["{DEFAULT_GUILD_ID}"]
auto_shard = false
sync_commands_on_start = false
seconds_per_destination = {plan.gap}
new_dms_per_minute = {plan.new_dms_per_minute}

[slack]
bot_token = "{proc.slack_token}"
signing_secret = "fault-test-secret"
api_base_url = "{self.slack.api_base_url}"
seconds_per_channel = {plan.gap}
new_dms_per_minute = {plan.new_dms_per_minute}
"""

    async def start(self, proc: BotProcess) -> None:
        """`potluck run` as a subprocess, configured by its file and the environment."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DISCORD_", "SLACK_", "POTLUCK_"))
        }
        env.update(POTLUCK_DATABASE_URL=self.database_url, PYTHONUNBUFFERED="1")
        cli = Path(sys.executable).with_name("potluck")
        command = [str(cli)] if cli.exists() else [sys.executable, "-m", "bot.cli"]
        with proc.log.open("ab") as log:
            proc.process = await asyncio.create_subprocess_exec(
                *command,
                "--config",
                str(proc.config),
                "run",
                cwd=REPO,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                preexec_fn=operator_signals,
            )

    async def wait_ready(self, procs: Sequence[BotProcess], timeout: float = 120) -> None:
        async def ready() -> bool:
            for proc in procs:
                assert proc.process is not None
                if proc.process.returncode is not None:
                    raise AssertionError(f"bot {proc.number} exited:\n{proc.output()[-3000:]}")
            return all(p.is_ready(self.discord, self.slack) for p in procs)

        await eventually(ready, timeout, "the bots to connect to Discord and Slack", every=0.1)

    def kill(self, proc: BotProcess) -> float:
        """SIGKILL: no cleanup, no goodbye. Returns the moment (monotonic) it was sent."""
        os.kill(proc.pid, signal.SIGKILL)
        return time.monotonic()

    async def stop_all(self) -> None:
        for proc in self.processes:
            if proc.process is not None and proc.process.returncode is None:
                proc.process.send_signal(signal.SIGINT)
        for proc in self.processes:
            if proc.process is None:
                continue
            try:
                await asyncio.wait_for(proc.process.wait(), 15)
            except TimeoutError:
                proc.process.kill()
                await proc.process.wait()

    # -- queueing and watching ------------------------------------------------------------

    async def queue(self, workloads: Sequence[Workload]) -> list[Expected]:
        """Write every workload's bursts, taking turns between them as cogs would."""
        outbox = Outbox(self.db, SystemClock())
        start = datetime.now(UTC) + timedelta(seconds=2)
        queues = [await w.bursts(self, outbox, start) for w in workloads]
        expected: list[Expected] = []
        for turn in itertools.zip_longest(*queues):
            for burst in turn:
                if burst is None:
                    continue
                await burst.write()
                expected += burst.expected
        return expected

    async def counts(self) -> dict[str, int]:
        async with self.db.sessions() as session:
            rows = await session.execute(
                select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
            )
            return {status: int(n) for status, n in rows.all()}

    async def claims_of(self, proc: BotProcess) -> list[int]:
        async with self.db.sessions() as session:
            found = await session.scalars(
                select(OutboxRow.id).where(
                    OutboxRow.status == "claimed",
                    OutboxRow.claimed_by.like(proc.worker_pattern()),
                )
            )
            return list(found.all())

    async def rows(self) -> list[OutboxRow]:
        async with self.db.sessions() as session:
            return list((await session.scalars(select(OutboxRow))).all())

    async def invitations(self) -> list[InvitationRow]:
        async with self.db.sessions() as session:
            return list((await session.scalars(select(InvitationRow))).all())

    def created(self, platform: str) -> list[Created]:
        fake = self.discord if platform == "discord" else self.slack
        return fake.ledger.created

    def shown(self, platform: str) -> list[tuple[str, str]]:
        """(person, what they see) for every message the platform created."""
        if platform == "discord":
            person_of = {
                cid: c["recipients"][0]["id"] for cid, c in self.discord.dm_channels.items()
            }
            found = []
            for c in self.discord.ledger.created:
                body = c.body or {}
                parts = [str(body.get("content") or "")]
                for embed in body.get("embeds") or []:
                    parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
                found.append((person_of.get(c.destination, c.destination), "\n".join(parts)))
            return found
        person_of = {dm: user for user, dm in self.slack.dm_channels.items()}
        return [
            (person_of.get(c.destination, c.destination), str((c.body or {}).get("text")))
            for c in self.slack.ledger.created
        ]

    def delivered(self, platform: str, markers: Iterable[str]) -> list[tuple[str, str]]:
        """(person, marker) for every message the platform created: the longest of the
        workloads' markers it shows (or what it shows, when none)."""
        by_length = sorted(set(markers), key=len, reverse=True)
        return [
            (person, next((m for m in by_length if m in shown), shown))
            for person, shown in self.shown(platform)
        ]

    async def close(self) -> None:
        await self.stop_all()
        await self.db.dispose()


def keys_of(rows: Sequence[OutboxRow]) -> set[str]:
    return {delivery_key(r.id, r.created_at) for r in rows}


async def create_postgres_database(base_url: str) -> tuple[str, Callable[[], Awaitable[None]]]:
    """A fresh PostgreSQL database for one run (every process connects to it by URL alone),
    and a coroutine function that drops it."""
    name = f"fault_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()

    async def drop() -> None:
        engine = create_async_engine(base_url, isolation_level="AUTOCOMMIT")
        async with engine.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await engine.dispose()

    url = make_url(base_url).set(database=name).render_as_string(hide_password=False)
    return url, drop
