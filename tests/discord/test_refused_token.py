"""A Discord token that Discord refuses (HTTP 401) ends `potluck` with one line saying so,
exit status 2; the right token still starts the bot. The real `potluck` command runs against
the stand-in Discord, which answers 401 to any token but its own."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from tests.fakes.discord_server import DEFAULT_GUILD_ID, FakeDiscord
from tests.terminal import one_line, potluck_env, start_potluck

TOKEN = "the-bots-real-token"
REFUSED = "potluck: Discord refused the token (401): check DISCORD_TOKEN (or discord.token)"


def config_for(fake: FakeDiscord, tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[web]\nport = 0\n"
        f'[discord]\napi_base_url = "{fake.api_base_url}"\ngateway_url = "{fake.gateway_url}"\n'
        f"guild_ids = [{DEFAULT_GUILD_ID}]\n{extra}",
        encoding="utf-8",
    )
    return path


async def finish(proc: asyncio.subprocess.Process) -> tuple[int, str]:
    _, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


@pytest.mark.parametrize(
    "command", [["run"], ["discord", "sync"], ["discord", "invite-url"]], ids=" ".join
)
async def test_a_bogus_token_is_one_line_and_exit_2(tmp_path: Path, command: list[str]) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        config = config_for(fake, tmp_path)
        proc = await start_potluck(
            tmp_path,
            *command,
            "--config",
            str(config),
            env=potluck_env(tmp_path, DISCORD_TOKEN="bogus"),
        )
        status, stderr = await finish(proc)
        refused = [r for r in fake.requests if r.path == "/users/@me"]
    assert status == 2, stderr
    assert one_line(stderr) == REFUSED
    assert refused and refused[0].status == 401
    assert refused[0].headers["Authorization"] == "Bot bogus"


async def test_the_right_token_starts_and_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        config = config_for(fake, tmp_path, extra="auto_shard = false\n")
        proc = await start_potluck(
            tmp_path, "run", "-c", str(config), env=potluck_env(tmp_path, DISCORD_TOKEN=TOKEN)
        )
        assert proc.stderr is not None
        try:
            seen = b""
            while b"Potluck is up: Discord" not in seen:  # logged once the gateway is ready
                line = await asyncio.wait_for(proc.stderr.readline(), timeout=60)
                assert line, "potluck ended before it was up"
                seen += line
            proc.send_signal(signal.SIGINT)
            status, stderr = await finish(proc)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    assert status == 0, stderr
    assert "Traceback" not in stderr and "potluck: " not in stderr, stderr
    assert fake.synced_commands[DEFAULT_GUILD_ID]  # logged in and synced with the real token


async def test_a_server_the_bot_is_not_in_names_guild_ids(tmp_path: Path) -> None:
    async with FakeDiscord(token=TOKEN) as fake:
        fake.fail_next(
            "PUT",
            rf"/applications/\d+/guilds/{DEFAULT_GUILD_ID}/commands",
            403,
            {"message": "Missing Access", "code": 50001},
        )
        config = config_for(fake, tmp_path)
        proc = await start_potluck(
            tmp_path, "run", "-c", str(config), env=potluck_env(tmp_path, DISCORD_TOKEN=TOKEN)
        )
        status, stderr = await finish(proc)
    assert status == 2, stderr
    assert one_line(stderr) == (
        f"potluck: discord.guild_ids: Discord refused commands for server {DEFAULT_GUILD_ID} "
        "(403: Missing Access); invite the bot there (potluck discord invite-url) or remove "
        "the id"
    )
