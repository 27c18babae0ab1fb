"""What an operator sees of a running bot: /metrics and /healthz on the real web server
(127.0.0.1), with the real discord.py client connected to the stand-in Discord."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Potluck
from bot.core.delivery import Destination
from bot.core.messages import Message
from tests.discord.conftest import SAM, DiscordWorld, StartPotluck
from tests.fakes.discord_server import DEFAULT_CHANNEL_ID, FakeDiscord

CHANNEL_MESSAGES = rf"/channels/{DEFAULT_CHANNEL_ID}/messages"
CHANNEL = Destination.channel(DEFAULT_CHANNEL_ID)


@pytest.fixture
async def web() -> AsyncIterator[list[Potluck]]:
    """Bots whose web server a test started; stopped at teardown."""
    started: list[Potluck] = []
    yield started
    for bot in started:
        await bot.web.stop()


async def get(bot: Potluck, path: str) -> tuple[int, str, str]:
    host, port = bot.web.addresses[0]
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://{host}:{port}{path}") as response,
    ):
        return response.status, response.headers.get("Content-Type", ""), await response.text()


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} from Prometheus text."""
    found = {}
    for family in text_string_to_metric_families(exposition):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


def value(exposition: str, name: str, **labels: Any) -> float | None:
    return samples(exposition).get((name, tuple(sorted(labels.items()))))


async def enqueue(bot: Potluck, *, due_in: timedelta, text: str, to: Destination = CHANNEL) -> None:
    async with bot.db.transaction() as session:
        await bot.outbox.enqueue(
            session,
            platform="discord",
            destination=to,
            message=Message(text=[text]),
            due_at=bot.clock.now() + due_in,
        )


async def test_metrics_show_the_queue_sends_rate_limits_and_command_times(
    start_potluck: StartPotluck, fake_discord: FakeDiscord, web: list[Potluck]
) -> None:
    bot, adapter = await start_potluck(seconds_per_destination=0)
    await bot.web.start([("127.0.0.1", 0)])
    web.append(bot)

    status, content_type, body = await get(bot, "/metrics")
    assert status == 200 and content_type.startswith("text/plain")
    assert value(body, "potluck_outbox_depth", platform="discord") == 0
    assert value(body, "potluck_outbox_sends_total", platform="discord") == 0

    # Two messages fell due 90 s ago, one is for tomorrow: the queue says 3, 90 s late.
    await enqueue(bot, due_in=timedelta(seconds=-90), text="Late one")
    await enqueue(bot, due_in=timedelta(seconds=-60), text="Late two", to=Destination.person(SAM))
    await enqueue(bot, due_in=timedelta(days=1), text="Tomorrow")
    body = (await get(bot, "/metrics"))[2]
    assert value(body, "potluck_outbox_depth", platform="discord") == 3
    age = value(body, "potluck_outbox_oldest_due_age_seconds", platform="discord")
    assert age is not None and 90 <= age < 120

    # Discord answers the channel post with 429 (one rate limit, the row waits 45 s); the
    # direct message goes out.
    fake_discord.fail_next(
        "POST",
        CHANNEL_MESSAGES,
        429,
        {"message": "You are being rate limited.", "retry_after": 45.0, "global": False},
    )
    await bot.outbox.pump()
    world = DiscordWorld(fake=fake_discord, bot=bot, adapter=adapter)
    await world.run("/timezone show")
    await world.run("/timezone show")

    body = (await get(bot, "/metrics"))[2]
    assert value(body, "potluck_outbox_rate_limited_total", platform="discord") == 1
    assert value(body, "potluck_outbox_sends_total", platform="discord") == 1
    assert value(body, "potluck_command_seconds_count", command="timezone show") == 2
    assert value(body, "potluck_errors_total", kind="command") is None  # nothing failed

    body = (await get(bot, "/metrics"))[2]
    assert value(body, "potluck_outbox_depth", platform="discord") == 2  # 429'd and tomorrow
    assert value(body, "potluck_outbox_oldest_due_age_seconds", platform="discord") == 0


async def test_healthz_is_ready_only_while_discord_is_connected(
    start_potluck: StartPotluck, web: list[Potluck]
) -> None:
    bot, adapter = await start_potluck()
    await bot.web.start([("127.0.0.1", 0)])
    web.append(bot)
    status, _, body = await get(bot, "/healthz")
    assert (status, body) == (200, '{"ok": true}')

    await adapter.stop()
    status, _, body = await get(bot, "/healthz")
    assert status == 503
    assert body == '{"ok": false, "reason": "discord: not connected"}'


async def test_each_bot_counts_apart(start_potluck: StartPotluck, web: list[Potluck]) -> None:
    first, _ = await start_potluck()
    second, _ = await start_potluck()
    first.metrics.invitation_decisions.labels(outcome="sent").inc()
    for bot in (first, second):
        await bot.web.start([("127.0.0.1", 0)])
        web.append(bot)
    assert (
        value(
            (await get(first, "/metrics"))[2], "potluck_invitation_decisions_total", outcome="sent"
        )
        == 1
    )
    assert (
        value(
            (await get(second, "/metrics"))[2], "potluck_invitation_decisions_total", outcome="sent"
        )
        is None
    )
