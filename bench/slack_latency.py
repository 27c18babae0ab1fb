"""Slack front door latency on loopback: signed slash command -> ack, and -> first side effect.

    .venv/bin/python bench/slack_latency.py [--count 1000] [--database-url URL]

Potluck's real bolt app (storage, identity, dispatcher, a real command) is measured next to
a bare bolt app that only acks "ok" (and a bare one that acks then answers through
response_url, the floor for "first side effect"). Each command is sent alone, signed as Slack
signs it, to the bot's web server; the side effect is the response_url post the stand-in
Slack records. Prints p50/p99 in milliseconds and Potluck's ratio to the bare app.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from slack_bolt.async_app import AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from tests.fakes.slack_server import FakeSlack, SlackUser  # noqa: E402

try:
    from bench.baselines import BENCH_BOT_TOKEN, BENCH_SIGNING_SECRET, bare_bolt_app
except ImportError:  # run without the shared baselines: an equivalent bare app
    BENCH_SIGNING_SECRET = "bench-signing-secret"
    BENCH_BOT_TOKEN = "xoxb-bench"

    def bare_bolt_app(fake: FakeSlack) -> AsyncApp:
        app = AsyncApp(
            signing_secret=BENCH_SIGNING_SECRET,
            client=AsyncWebClient(token=BENCH_BOT_TOKEN, base_url=fake.api_base_url),
        )

        @app.command("/rsvp")
        async def rsvp(ack: Any) -> None:
            await ack("ok")

        return app


def bare_responding_app(fake: FakeSlack) -> AsyncApp:
    """A bare bolt app that acks, then answers via response_url: the side-effect floor."""
    app = AsyncApp(
        signing_secret=BENCH_SIGNING_SECRET,
        client=AsyncWebClient(token=BENCH_BOT_TOKEN, base_url=fake.api_base_url),
    )

    @app.command("/rsvp")
    async def rsvp(ack: Any, respond: Any) -> None:
        await ack()
        await respond("ok")

    return app


USERS = [f"UBENCH{n:04d}" for n in range(20)]


async def serve(app: web.Application) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


Measure = Callable[[int], Awaitable[tuple[float, float | None]]]


def sender(fake: FakeSlack, url: str, command: str, text: str, *, side_effect: bool) -> Measure:
    async def one(n: int) -> tuple[float, float | None]:
        token = uuid.uuid4().hex
        body = fake.slash_command_body(
            command, text, user_id=USERS[n % len(USERS)], response_token=token
        )
        mark = len(fake.requests)
        started = time.perf_counter()
        status, _ = await fake.post_to_app(
            url, body, fake.signed_request_headers(BENCH_SIGNING_SECRET, body)
        )
        acked = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"HTTP {status} for command {n}")
        if not side_effect:
            return acked, None
        await fake.wait_for(
            lambda c: c.method == "response_url" and c.path.endswith(token), timeout=10, since=mark
        )
        return acked, time.perf_counter() - started

    return one


async def run(measure: Measure, count: int, warmup: int) -> tuple[list[float], list[float]]:
    for n in range(warmup):
        await measure(n)
    acks: list[float] = []
    effects: list[float] = []
    for n in range(count):
        ack, effect = await measure(n)
        acks.append(ack * 1000)
        if effect is not None:
            effects.append(effect * 1000)
    return acks, effects


def pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


async def bench_bare(fake: FakeSlack, count: int, warmup: int) -> tuple[list[float], list[float]]:
    runner, port = await serve(bare_bolt_app(fake).web_app(path="/slack/events"))
    try:
        acks, _ = await run(
            sender(fake, f"http://127.0.0.1:{port}/slack/events", "/rsvp", "", side_effect=False),
            count,
            warmup,
        )
    finally:
        await runner.cleanup()
    runner, port = await serve(bare_responding_app(fake).web_app(path="/slack/events"))
    try:
        _, effects = await run(
            sender(fake, f"http://127.0.0.1:{port}/slack/events", "/rsvp", "", side_effect=True),
            count,
            warmup,
        )
    finally:
        await runner.cleanup()
    return acks, effects


async def bench_potluck(
    fake: FakeSlack, count: int, warmup: int, database_url: str | None
) -> tuple[list[float], list[float]]:
    from bot.adapters.slack import SlackAdapter
    from bot.app import Potluck
    from bot.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.model_validate(
            {
                "database": {"url": database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"},
                "bot": {"commands_per_minute": 0},
                "slack": {
                    "bot_token": BENCH_BOT_TOKEN,
                    "signing_secret": BENCH_SIGNING_SECRET,
                    "api_base_url": fake.api_base_url,
                },
            }
        )
        bot = Potluck(settings)
        await bot.load_cogs()
        await bot.start(schedule=False)
        adapter = SlackAdapter(bot)
        await adapter.start()
        port = (await bot.web.start([("127.0.0.1", 0)]))[0]
        try:
            return await run(
                sender(
                    fake,
                    f"http://127.0.0.1:{port}/slack/events",
                    "/timezone",
                    "show",
                    side_effect=True,
                ),
                count,
                warmup,
            )
        finally:
            await adapter.drain()
            await adapter.stop()
            await bot.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)

    users = [SlackUser(id=u, tz="Europe/Berlin") for u in USERS]
    async with FakeSlack(users=users) as fake:
        bare_ack, bare_effect = await bench_bare(fake, args.count, args.warmup)
        ack, effect = await bench_potluck(fake, args.count, args.warmup, args.database_url)

    backend = (args.database_url or "sqlite").split(":", 1)[0]
    print(
        f"Slack slash command on loopback, {args.count} commands each "
        f"(after {args.warmup} warm-up), database: {backend}"
    )
    print(f"{'':34}{'p50 ms':>9}{'p99 ms':>9}")
    rows = [
        ("bare bolt: ack", bare_ack),
        ("Potluck /timezone show: ack", ack),
        ("bare bolt: ack + respond()", bare_effect),
        ("Potluck: first side effect", effect),
    ]
    for label, values in rows:
        print(f"{label:34}{pct(values, 50):9.2f}{pct(values, 99):9.2f}")
    print(
        f"ratio Potluck/bare, ack:          p50 {pct(ack, 50) / pct(bare_ack, 50):.2f}x   "
        f"p99 {pct(ack, 99) / pct(bare_ack, 99):.2f}x"
    )
    print(
        f"ratio Potluck/bare, side effect:  p50 {pct(effect, 50) / pct(bare_effect, 50):.2f}x"
        f"   p99 {pct(effect, 99) / pct(bare_effect, 99):.2f}x"
    )
    target = pct(ack, 99) < 50
    print(f"target p99 ack < 50 ms: {'met' if target else 'NOT met'}")
    return 0 if target else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
