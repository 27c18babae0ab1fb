"""Invitations at scale: 10,000 invitations from 200 inviters to 2,000 recipients, with every
limit on, through the full command path (dispatcher -> checks -> /invite -> one transaction
with the community lock -> invitation and outbox rows), on SQLite and PostgreSQL.

Prints:
- decisions per second (one decision per person named; target at least 2,000/s on SQLite),
  and, as the baseline measured in the same run, the rate of the lightest command
  (`/invites show`, one read) through the same path, with the ratio;
- then drains the outbox on a simulated clock through a sender that paces new direct
  messages exactly as the Discord sender does (the shared new-DM budget, the DM-channel
  table, per-destination gaps), and prints the largest number of sends in any window for
  every configured pace (target: never over);
- lost and duplicated deliveries (target: 0 and 0).

    .venv/bin/python bench/invitations.py                       # SQLite (+ PostgreSQL when
                                                               #   POTLUCK_TEST_DATABASE_URL is set)
    .venv/bin/python bench/invitations.py --backend postgresql  # needs POTLUCK_TEST_DATABASE_URL
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select

from bot.app import Potluck
from bot.config import Settings
from bot.core.clock import ManualClock
from bot.core.delivery import Delivery, RetryLater
from bot.core.messages import Code, Message
from bot.core.types import Actor, ChannelRef, Level
from bot.pacing import Pacing
from bot.testing import PG_ENV, scratch_database
from storage.models import InvitationRow, OutboxRow, PersonRow

INVITERS = 200
RECIPIENTS = 2000
PER_COMMAND = 25  # people per /invite: the config default most
TARGET_RATE = 2000.0
DESTINATION_GAP = 1.0  # seconds between two messages to one person
NEW_DMS_PER_MINUTE = 60
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
LIMITS = {
    "per_inviter_hour": 40,
    "per_inviter_day": 60,
    "per_recipient_week": 8,
    "per_event": 4000,
    "role_posts_day": 3,
}


def actor(name: str, level: Level = Level.MEMBER) -> Actor:
    return Actor(
        platform="console",
        community_id="bench",
        community_name="Bench chapter",
        user_id=name,
        display_name=name,
        channel=ChannelRef("general", "general"),
        level=level,
        rate_limited=False,
    )


class PacedSender:
    """Records every delivery; opens new DMs only within the shared budget, like the Discord
    sender (bot/adapters/discord/sender.py)."""

    def __init__(self, bot: Potluck) -> None:
        self.bot = bot
        self.sends: list[tuple[datetime, int, str, bool]] = []  # at, row id, to, new DM

    async def deliver(self, item: Delivery) -> str | None:
        dms = self.bot.outbox.direct_messages
        new = False
        person = item.destination.kind == "person"
        if person and await dms.channel("console", item.destination.id) is None:
            wait = await dms.reserve_new("console", item.community_id, item.destination.id)
            if wait > 0:
                raise RetryLater(wait, "new direct messages are paced")
            await dms.opened(
                "console", item.destination.id, f"dm-{item.destination.id}", item.community_id
            )
            new = True
        self.sends.append((self.bot.clock.now(), item.id, item.destination.id, new))
        return f"msg-{item.id}"


def most_in_window(times: list[datetime], window: timedelta) -> int:
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def code_of(card: Message) -> str:
    for seg in card.footer:
        if isinstance(seg, Code):
            return seg.text
    raise RuntimeError("no event id on the card")


async def run(backend: str, total: int, drain: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        async with scratch_database(backend, Path(tmp)) as db:
            await db.upgrade()
            settings = Settings()
            settings.bot.commands_per_minute = 0
            clock = ManualClock(START)
            bot = Potluck(settings, clock=clock, db=db)
            await bot.load_cogs()
            bot.cog("invitations").service.settings = bot.cog("invitations").settings.model_copy(
                update=LIMITS
            )
            await bot.start(migrate=False, schedule=False)
            sender = PacedSender(bot)
            bot.outbox.add_sender(
                "console",
                sender,
                Pacing(
                    per_destination_seconds=DESTINATION_GAP, new_dms_per_minute=NEW_DMS_PER_MINUTE
                ),
            )
            try:
                return await measure(bot, clock, sender, total, drain)
            finally:
                await bot.close()


async def measure(
    bot: Potluck, clock: ManualClock, sender: PacedSender, total: int, drain: bool
) -> dict[str, float]:
    host = actor("host", Level.MODERATOR)
    codes = []
    for n in range(3):
        card = await bot.dispatcher.run_line(
            host, f'/event create title:"Bench party {n}" when:"2026-12-20 18:00"'
        )
        codes.append(code_of(card))
    community, _ = await bot.identity.resolve(host)
    inviters = [f"inviter{i}" for i in range(INVITERS)]
    recipients = [f"guest{i}" for i in range(RECIPIENTS)]
    async with bot.db.transaction() as session:
        await session.execute(
            insert(PersonRow),
            [
                dict(community_id=community.id, external_id=n, display_name=n, settings={})
                for n in inviters + recipients
            ],
        )
    # Warm up, then the baseline: the lightest command through the same path.
    for name in inviters[:20]:
        await bot.dispatcher.run_line(actor(name), "/invites show")
    started = time.perf_counter()
    for name in inviters:
        await bot.dispatcher.run_line(actor(name), "/invites show")
    show_rate = len(inviters) / (time.perf_counter() - started)

    commands = []
    per_inviter = total // INVITERS
    for i, name in enumerate(inviters):
        for k in range(per_inviter // PER_COMMAND):
            first = (i * 37 + k * PER_COMMAND * 13) % RECIPIENTS
            people = " ".join(
                f"@{recipients[(first + j) % RECIPIENTS]}" for j in range(PER_COMMAND)
            )
            commands.append((name, f'/invite event:{codes[k % 3]} people:"{people}"'))
    decisions = len(commands) * PER_COMMAND
    started = time.perf_counter()
    # Every inviter at once, each sending their commands in turn: what a busy chapter does.
    by_inviter: dict[str, list[str]] = {}
    for name, line in commands:
        by_inviter.setdefault(name, []).append(line)

    async def one(name: str, lines: list[str]) -> None:
        for line in lines:
            await bot.dispatcher.run_line(actor(name), line)

    await asyncio.gather(*(one(n, lines) for n, lines in by_inviter.items()))
    seconds = time.perf_counter() - started
    async with bot.db.sessions() as session:
        accepted = int(await session.scalar(select(func.count()).select_from(InvitationRow)) or 0)
    result = {
        "decisions": decisions,
        "seconds": seconds,
        "rate": decisions / seconds,
        "show_rate": show_rate,
        "accepted": accepted,
    }
    if drain:
        result.update(await drain_outbox(bot, clock, sender))
    return result


async def drain_outbox(bot: Potluck, clock: ManualClock, sender: PacedSender) -> dict[str, float]:
    started = time.perf_counter()
    sender.sends.clear()
    while True:
        await bot.outbox.pump()
        nxt = await bot.outbox.next_due_at()
        if nxt is None:
            break
        clock.set(max(nxt, clock.now() + timedelta(milliseconds=10)))
    async with bot.db.sessions() as session:
        expected = {
            r
            for (r,) in await session.execute(
                select(OutboxRow.id).where(OutboxRow.kind == "invitation")
            )
        }
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status != "sent")
        )
    counted = Counter(row_id for _, row_id, _, _ in sender.sends)
    delivered = {r for r in counted if r in expected}
    per_person: dict[str, list[datetime]] = {}
    for at, _, to, _ in sender.sends:
        per_person.setdefault(to, []).append(at)
    new_dms = [at for at, _, _, new in sender.sends if new]
    return {
        "drain_seconds": time.perf_counter() - started,
        "simulated_minutes": (clock.now() - START).total_seconds() / 60,
        "sends": len(sender.sends),
        "lost": len(expected - delivered) + 0 * int(unsent or 0),
        "unsent_rows": int(unsent or 0),
        "duplicated": sum(n - 1 for n in counted.values() if n > 1),
        "max_per_person_gap": max(
            most_in_window(times, timedelta(seconds=DESTINATION_GAP))
            for times in per_person.values()
        ),
        "max_new_dms_minute": most_in_window(new_dms, timedelta(minutes=1)),
    }


def report(backend: str, r: dict[str, float]) -> None:
    print(f"\n== {backend} ==")
    print(
        f"decisions: {int(r['decisions'])} in {r['seconds']:.2f} s = {r['rate']:.0f}/s "
        f"(target >= {TARGET_RATE:.0f}/s on SQLite: "
        f"{'met' if r['rate'] >= TARGET_RATE else 'NOT met'}); "
        f"{int(r['accepted'])} invitations made, the rest refused by a limit"
    )
    print(
        f"baseline /invites show: {r['show_rate']:.0f} commands/s; one /invite of "
        f"{PER_COMMAND} people costs {PER_COMMAND * r['show_rate'] / r['rate']:.2f}x a "
        f"/invites show (ratio decisions/s to commands/s: {r['rate'] / r['show_rate']:.2f})"
    )
    if "sends" in r:
        print(
            f"drain: {int(r['sends'])} sends over {r['simulated_minutes']:.0f} simulated minutes "
            f"in {r['drain_seconds']:.1f} s"
        )
        print(
            f"largest sends to one person in any {DESTINATION_GAP:.0f} s: "
            f"{int(r['max_per_person_gap'])} (pace: 1)"
        )
        print(
            f"largest new DMs in any minute: {int(r['max_new_dms_minute'])} "
            f"(pace: {NEW_DMS_PER_MINUTE})"
        )
        print(
            f"lost: {int(r['lost'])}, duplicated: {int(r['duplicated'])}, "
            f"rows not sent: {int(r['unsent_rows'])}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--invitations", type=int, default=10_000)
    parser.add_argument("--no-drain", action="store_true")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and not os.environ.get(PG_ENV):
            print(f"\n== postgresql == skipped: set {PG_ENV}")
            continue
        report(backend, await run(backend, args.invitations, not args.no_drain))


if __name__ == "__main__":
    asyncio.run(main())
