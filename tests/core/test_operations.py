"""Operating a bot: JSON log lines, readiness, draining for a stop, and error counts."""

from __future__ import annotations

import io
import json
import logging
import os
from collections.abc import Iterator

import aiohttp
import pytest

from bot import logs
from bot.app import Potluck
from bot.config import ConfigError, Settings, load_settings
from bot.core.messages import plain
from bot.core.telemetry import log_context
from bot.testing import Conversation
from storage.db import Database


@pytest.fixture
async def sample(bot: Potluck) -> Potluck:
    await bot.registry.load("tests.core.cogs.sample", bot)
    return bot


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes, as JSON lines, while the test runs."""
    stream = io.StringIO()
    handler = logs.build_handler("json", stream)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


async def test_a_failed_command_logs_one_json_line_with_its_ref_and_whom_it_served(
    sample: Potluck, chat: Conversation, json_lines: io.StringIO
) -> None:
    reply = await chat.say("/sample boom")
    ref = plain(reply.text).split("(ref ")[1].split(")")[0]
    (line,) = [r for r in records(json_lines) if r.get("ref") == ref]
    assert line["level"] == "ERROR" and line["logger"] == "potluck.dispatch"
    assert line["process"] == os.getpid()
    assert line["platform"] == "console"
    assert isinstance(line["community"], int)
    assert "secret internal detail" in str(line["exc_info"])  # the traceback, as text
    assert (
        sample.metrics.registry.get_sample_value("potluck_errors_total", {"kind": "command"}) == 1
    )


def test_lines_outside_any_command_say_so_and_text_stays_the_default(
    json_lines: io.StringIO, tmp_path: object
) -> None:
    log = logging.getLogger("potluck.test")
    log.warning("outside")
    with log_context("slack", 7):
        log.warning("inside")
    outside, inside = records(json_lines)[-2:]
    assert (outside["platform"], outside["community"], outside["ref"]) == (None, None, None)
    assert (inside["message"], inside["platform"], inside["community"]) == ("inside", "slack", 7)
    assert Settings().bot.log_format == "text"


def test_an_unknown_log_format_names_the_key(tmp_path: pytest.TempPathFactory) -> None:
    config = tmp_path / "config.toml"  # type: ignore[operator]
    config.write_text('[bot]\nlog_format = "xml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bot\.log_format"):
        load_settings(config)


async def get(bot: Potluck, path: str) -> tuple[int, dict[str, object]]:
    host, port = bot.web.addresses[0]
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://{host}:{port}{path}") as response,
    ):
        return response.status, await response.json()


async def test_healthz_is_not_ready_while_the_database_does_not_answer() -> None:
    # Nothing listens on port 1 of this machine: the database is down.
    down = Database("postgresql+asyncpg://postgres@127.0.0.1:1/potluck")
    bot = Potluck(Settings(), db=down)
    await bot.web.start([("127.0.0.1", 0)])
    try:
        status, body = await get(bot, "/healthz")
    finally:
        await bot.web.stop()
        await down.dispose()
    assert status == 503
    assert body["ok"] is False
    assert str(body["reason"]).startswith("database: cannot connect to")


async def test_a_draining_bot_is_not_ready_and_runs_no_new_command(
    sample: Potluck, chat: Conversation
) -> None:
    await sample.web.start([("127.0.0.1", 0)])
    try:
        assert await get(sample, "/healthz") == (200, {"ok": True})
        sample.health.draining = True
        sample.dispatcher.accepting = False
        assert await get(sample, "/healthz") == (503, {"ok": False, "reason": "shutting down"})
    finally:
        await sample.web.stop()
    reply = await chat.say("/sample boom")
    assert reply.ephemeral
    assert "Potluck is restarting and did not run that." in plain(reply.text)
    assert (
        sample.metrics.registry.get_sample_value("potluck_errors_total", {"kind": "command"})
        is None
    )
