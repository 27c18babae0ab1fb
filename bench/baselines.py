"""Bare comparison bots for benchmarks: the floor Potluck's latency is measured against.

Why: a bot with no storage, no registry and no dispatcher shows what discord.py / slack-bolt
plus the loopback stand-ins cost on their own, so a benchmark can report Potluck's overhead
rather than an absolute number. Bench scripts run from the repo root do
``sys.path.insert(0, repo_root)`` and then ``from bench.baselines import ...`` (or put
``bench/`` itself on the path and ``import baselines``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.discord_server import running_discord_client

if TYPE_CHECKING:
    from tests.fakes.discord_server import FakeDiscord
    from tests.fakes.slack_server import FakeSlack

BENCH_SIGNING_SECRET = "bench-signing-secret"
BENCH_BOT_TOKEN = "xoxb-bench"


async def start_bare_discord_bot(
    fake: FakeDiscord, *, ready_timeout: float = 10.0
) -> tuple[discord.Client, Callable[[], Awaitable[None]]]:
    """Connect a bare discord.py bot answering ``/rsvp`` with "ok" to ``fake``.

    The command is synced to the fake's first guild, so ``fake.slash_interaction("rsvp", ...)``
    routes to it. Returns ``(client, stop)``; ``await stop()`` closes the client and restores
    discord.py's module-level REST/gateway URLs.
    """
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    guild = discord.Object(int(fake.default_guild["id"]))

    @tree.command(name="rsvp", description="baseline: answers ok", guild=guild)
    async def rsvp(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")

    # The same connect/restore sequence the tests use, kept open until stop().
    running = AsyncExitStack()
    try:
        await running.enter_async_context(
            running_discord_client(fake, client, token="bench-token", ready_timeout=ready_timeout)
        )
        await tree.sync(guild=guild)
    except BaseException:
        await running.aclose()
        raise
    return client, running.aclose


def bare_bolt_app(fake: FakeSlack) -> AsyncApp:
    """A bare slack-bolt app acking ``/rsvp`` with "ok", its Web API pointed at ``fake``.

    Serve it with ``app.web_app(path="/slack/events")`` on an ``AppRunner`` and sign
    requests with :data:`BENCH_SIGNING_SECRET`.
    """
    # Token only on the client: bolt takes it from there and warns if both are given.
    app = AsyncApp(
        signing_secret=BENCH_SIGNING_SECRET,
        client=AsyncWebClient(token=BENCH_BOT_TOKEN, base_url=fake.api_base_url),
    )

    @app.command("/rsvp")
    async def rsvp(ack: Any) -> None:
        await ack("ok")

    return app
