"""A Slack bot token or app token that Slack refuses (`invalid_auth`) ends `potluck run` with
one line naming the variable to check, exit status 2. The real `potluck` command runs
against the stand-in Slack, which refuses every token but its own."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.fakes.slack_server import FakeSlack
from tests.terminal import one_line, potluck_env, start_potluck

BOT_TOKEN = "xoxb-the-real-one"
APP_TOKEN = "xapp-the-real-one"


def config_for(fake: FakeSlack, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[web]\nport = 0\n[slack]\napi_base_url = "{fake.api_base_url}"\n', encoding="utf-8"
    )
    return path


async def run_with(tmp_path: Path, fake: FakeSlack, **env: str) -> tuple[int, str]:
    proc = await start_potluck(
        tmp_path,
        "run",
        "--config",
        str(config_for(fake, tmp_path)),
        env=potluck_env(tmp_path, **env),
    )
    _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


async def test_a_bogus_bot_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    async with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake:
        status, stderr = await run_with(
            tmp_path, fake, SLACK_BOT_TOKEN="xoxb-bogus", SLACK_SIGNING_SECRET="secret"
        )
        checked = fake.calls("auth.test")
    assert status == 2, stderr
    assert one_line(stderr) == (
        "potluck: Slack refused the token (invalid_auth): check SLACK_BOT_TOKEN "
        "(or slack.bot_token)"
    )
    assert checked and checked[0].token == "xoxb-bogus"


async def test_a_bogus_app_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    async with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake:
        status, stderr = await run_with(
            tmp_path, fake, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN="xapp-bogus"
        )
        opened = fake.calls("apps.connections.open")
    assert status == 2, stderr
    assert one_line(stderr) == (
        "potluck: Slack refused the app token (invalid_auth): check SLACK_APP_TOKEN "
        "(or slack.app_token)"
    )
    assert opened and opened[0].token == "xapp-bogus"


async def test_the_right_tokens_connect_and_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    async with FakeSlack(bot_token=BOT_TOKEN, app_token=APP_TOKEN) as fake:
        proc = await start_potluck(
            tmp_path,
            "run",
            "-c",
            str(config_for(fake, tmp_path)),
            env=potluck_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN),
        )
        assert proc.stderr is not None
        try:
            await fake.wait_until_socket_connected(timeout=60)
            seen = b""
            while b"Potluck is up: Slack" not in seen:
                line = await asyncio.wait_for(proc.stderr.readline(), timeout=60)
                assert line, "potluck ended before it was up"
                seen += line
            proc.send_signal(signal.SIGINT)
            _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    stderr = err.decode()
    assert proc.returncode == 0, stderr
    assert "Traceback" not in stderr and "potluck: " not in stderr
