"""The fault test: real `potluck run` processes, killed with SIGKILL in the middle of sending,
still deliver every message exactly once without ever going over a pace or a budget.

What they send, on Discord and Slack alike: 1,000 reminders and 1,000 invitations each (made
by /invite's own transaction), to 200 people of whom 16 were never sent a direct message, so
their first message spends the new-DM budget shared by every process.

PostgreSQL: three processes share the work; one is killed while Slack holds the answer to a
message it already posted; a few answers on both platforms are lost on the way (the
connection drops after the platform acted). SQLite: one process, killed while Discord holds
the answer to a message it already made, then started again.

The stand-ins count what they created (deduplicating by nonce as Discord does) and record
every message and every new DM conversation with its arrival time, so the checks need nothing
from the bot's own bookkeeping (beyond the outbox rows and invitations all marked done).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.testing import PG_ENV
from tests.fakes.discord_server import FakeDiscord
from tests.fakes.ledger import Hold, most_in_window
from tests.fakes.slack_server import FakeSlack
from tests.fault.harness import (
    BotProcess,
    FaultWorld,
    Plan,
    create_postgres_database,
    eventually,
    keys_of,
)
from tests.fault.workloads import Expected, Invitations, Reminders, Workload

pytestmark = pytest.mark.fault

PLAN = Plan()
# Every workload goes through the same checks.
WORKLOADS: list[Workload] = [
    Reminders("discord"),
    Reminders("slack"),
    Invitations("discord"),
    Invitations("slack"),
]
DISCORD_CREATE = r"/channels/\d+/messages"
# Beyond one lease, what a takeover may take: the survivor's poll and the batch in its hands.
TAKEOVER_SLACK = 4.0


@pytest.fixture
async def fakes() -> AsyncIterator[tuple[FakeDiscord, FakeSlack]]:
    async with FakeDiscord() as discord, FakeSlack() as slack:
        yield discord, slack
        discord.assert_no_unknown_routes()
        slack.assert_no_unknown_routes()


async def run_world(world: FaultWorld, body: object) -> None:
    try:
        await body  # type: ignore[misc]
    except BaseException:
        print("outbox:", await world.counts())
        for proc in world.processes:
            print(f"--- bot {proc.number} (pid {proc.process and proc.pid}) ---")
            lines = [line for line in proc.output().splitlines() if "apscheduler" not in line]
            print("\n".join(lines[-60:]))
        raise
    finally:
        await world.close()


async def test_three_processes_on_postgresql_one_killed_mid_send(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeSlack]
) -> None:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"PostgreSQL half skipped: set {PG_ENV} to run it")
    url, drop = await create_postgres_database(base)
    discord, slack = fakes
    world = FaultWorld(PLAN, tmp_path, url, discord, slack)
    try:
        await run_world(world, three_processes_one_killed(world))
    finally:
        await drop()


async def three_processes_one_killed(world: FaultWorld) -> None:
    discord, slack = world.discord, world.slack
    phase = Phases()
    await world.db.upgrade()
    procs = [world.add_process() for _ in range(PLAN.processes)]
    for proc in procs:
        await world.start(proc)
    # Three answers on each platform are lost after the platform acted.
    discord.fail_next("POST", DISCORD_CREATE, 0, after=True, times=3)
    slack.fail_next("chat.postMessage", 0, after=True, times=3)
    # The people and the reminders are written while the bots start.
    expected, _ = await asyncio.gather(populate_and_queue(world), world.wait_ready(procs))
    phase("started and queued")

    victim = procs[1]
    held, killed_at = await kill_mid_send(
        world,
        victim,
        lambda: slack.hold_answers(
            lambda c: c.method == "chat.postMessage" and c.token == victim.slack_token
        ),
        len(expected),
    )
    phase("killed")
    taken_over_at = await eventually(
        lambda: nothing_held_by(world, victim), 60, "the survivors to take over the dead claims"
    )
    await wait_all_settled(world, len(expected))
    phase("all sent")
    await world.stop_all()
    phase("stopped")

    print(f"taken over {taken_over_at - killed_at:.1f}s after the kill")
    assert taken_over_at - killed_at <= PLAN.lease + TAKEOVER_SLACK
    await check_exactly_once(world, expected)
    check_paces(world)
    held_key = held.held[0].json_param("metadata")["event_payload"]["key"]
    assert [c.key for c in slack.ledger.created].count(held_key) == 1
    assert slack.calls("conversations.history"), "the dead process's post was never looked for"
    assert discord.ledger.repeats >= 3  # the lost answers were re-sent with the same nonce


async def test_one_process_on_sqlite_killed_mid_send_and_restarted(
    tmp_path: Path, fakes: tuple[FakeDiscord, FakeSlack]
) -> None:
    discord, slack = fakes
    url = f"sqlite+aiosqlite:///{tmp_path}/potluck.db"
    world = FaultWorld(PLAN, tmp_path, url, discord, slack)
    await run_world(world, killed_and_restarted(world))


async def killed_and_restarted(world: FaultWorld) -> None:
    discord = world.discord
    phase = Phases()
    await world.db.upgrade()
    first = world.add_process()
    await world.start(first)
    expected, _ = await asyncio.gather(populate_and_queue(world), world.wait_ready([first]))
    phase("started and queued")

    held, killed_at = await kill_mid_send(
        world,
        first,
        lambda: discord.hold_answers(
            lambda r: (
                r.method == "POST"
                and r.token == first.discord_token
                and r.path.startswith("/channels/")
            )
        ),
        len(expected),
    )
    phase("killed")
    second = world.add_process()
    await world.start(second)
    await world.wait_ready([second])
    ready_at = time.monotonic()
    phase("restarted")
    taken_over_at = await eventually(
        lambda: nothing_held_by(world, first), 60, "the restarted process to take over"
    )
    await wait_all_settled(world, len(expected))
    phase("all sent")
    await world.stop_all()
    phase("stopped")

    print(f"taken over {taken_over_at - max(ready_at, killed_at + PLAN.lease):.1f}s late")
    assert taken_over_at - max(ready_at, killed_at + PLAN.lease) <= TAKEOVER_SLACK
    await check_exactly_once(world, expected)
    check_paces(world)
    held_nonce = held.held[0].json["nonce"]
    assert [c.key for c in discord.ledger.created].count(held_nonce) == 1
    assert discord.ledger.repeats >= 1  # the restart re-sent it with the same nonce


# -- the steps and checks every run shares ---------------------------------------------------


async def populate_and_queue(world: FaultWorld) -> list[Expected]:
    await world.populate()
    return await world.queue(WORKLOADS)


class Phases:
    """Prints how long each phase of a run took (shown with -s, and on failure)."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def __call__(self, name: str) -> None:
        now = time.monotonic()
        print(f"{name}: {now - self.last:.1f}s")
        self.last = now


async def kill_mid_send(
    world: FaultWorld, victim: BotProcess, hold: Callable[[], Hold], total: int
) -> tuple[Hold, float]:
    """Once a third of the work is done, let the victim's next send reach the platform, keep
    the answer from it, and SIGKILL it. Returns the hold and the moment of the kill."""

    async def a_third_done() -> bool:
        done = len(world.created("discord")) + len(world.created("slack"))
        return done >= total // 3

    await eventually(a_third_done, 240, "a third of the messages to go out")
    held = hold()
    await held.wait_held(timeout=120)
    killed_at = world.kill(victim)
    assert victim.process is not None
    await victim.process.wait()
    held.release()
    return held, killed_at


async def nothing_held_by(world: FaultWorld, proc: BotProcess) -> float | None:
    return None if await world.claims_of(proc) else time.monotonic()


async def wait_all_settled(world: FaultWorld, total: int) -> None:
    async def settled() -> bool:
        counts = await world.counts()
        return sum(counts.values()) == total and not (counts.keys() & {"pending", "claimed"})

    await eventually(settled, 300, "every reminder to be settled", every=0.2)


async def check_exactly_once(world: FaultWorld, expected: list[Expected]) -> None:
    for platform in ("discord", "slack"):
        wanted = Counter((e.person, e.marker) for e in expected if e.platform == platform)
        delivered = world.delivered(platform, (e.marker for e in expected))
        got = Counter(delivered)
        twice = [
            (c.key, c.token, round(c.at, 3))
            for c, d in zip(world.created(platform), delivered, strict=True)
            if got[d] > wanted[d]
        ]
        assert got == wanted, (
            f"{platform}: duplicated {sorted((got - wanted).items())[:5]} {twice[:10]}, "
            f"missing {sorted((wanted - got).items())[:5]}"
        )
    rows = await world.rows()
    assert Counter(r.status for r in rows) == Counter({"sent": len(expected)})
    assert Counter((r.platform, r.kind) for r in rows) == Counter(
        (e.platform, e.kind) for e in expected
    )
    invitations = await world.invitations()
    assert len(invitations) == sum(e.kind == "invitation" for e in expected)
    assert Counter(i.status for i in invitations) == Counter({"delivered": len(invitations)})
    for platform in ("discord", "slack"):
        keys = Counter(c.key for c in world.created(platform))
        assert max(keys.values()) == 1
        assert set(keys) == keys_of([r for r in rows if r.platform == platform])


def check_paces(world: FaultWorld) -> None:
    """Arrival times at the stand-ins, all processes together. Sends are spaced on the bots'
    side; a request may then arrive up to one interval late, hence the "+ 1" in each window."""
    gap, dm = PLAN.gap, PLAN.new_dm_interval
    for platform in ("discord", "slack"):
        fake = world.discord if platform == "discord" else world.slack
        per_destination = fake.ledger.by_destination()
        worst = max(most_in_window(times, 3 * gap) for times in per_destination.values())
        assert worst <= 3 + 1, f"{platform}: {worst} messages to one person within {3 * gap}s"
        # New DM conversations (invitations and reminders alike spend the budget): no burst
        # (4 intervals), no steady excess (half the run of them), and the budget per minute.
        new_dms = fake.ledger.new_dm_times()
        assert len(new_dms) == PLAN.new_people
        for intervals in (4, PLAN.new_people // 2, PLAN.new_dms_per_minute):
            most = most_in_window(new_dms, intervals * dm)
            assert most <= intervals + 1, f"{platform}: {most} new DMs in {intervals * dm}s"
        opened = {o.user_id for o in fake.ledger.dm_opens}
        assert not opened & world.known[platform], "a person DMed before spent new-DM budget"
