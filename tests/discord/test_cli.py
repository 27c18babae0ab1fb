"""`potluck discord sync` and `potluck discord invite-url` against the stand-in."""

from __future__ import annotations

from pathlib import Path

import discord.http
import pytest

from bot.adapters.discord import cli
from bot.config import Settings
from tests.fakes.discord_server import DEFAULT_GUILD_ID, FakeDiscord


def cli_settings(fake: FakeDiscord, tmp_path: Path, **discord: object) -> Settings:
    return Settings.model_validate(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/cli.db"},
            "discord": {
                "token": "cli-token",
                "api_base_url": fake.api_base_url,
                "gateway_url": fake.gateway_url,
                **discord,
            },
        }
    )


async def test_sync_publishes_commands_to_the_configured_guild(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default_base = discord.http.Route.BASE
    status = await cli.main(
        "sync", cli_settings(fake_discord, tmp_path, guild_ids=[DEFAULT_GUILD_ID])
    )
    assert status == 0
    names = {c["name"] for c in fake_discord.synced_commands[DEFAULT_GUILD_ID]}
    assert {"help", "timezone", "privacy"} <= names
    out = capsys.readouterr().out
    assert f"guild(s) {DEFAULT_GUILD_ID}" in out and "/timezone" in out
    assert not fake_discord.gateway_connections  # REST only: no gateway session for a sync
    assert default_base == discord.http.Route.BASE  # the proxy address does not leak


async def test_sync_without_guilds_is_global(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    assert await cli.main("sync", cli_settings(fake_discord, tmp_path)) == 0
    assert {c["name"] for c in fake_discord.synced_commands[None]} >= {"help", "timezone"}


async def test_sync_without_a_token_says_what_to_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings.model_validate(
        {"database": {"url": f"sqlite+aiosqlite:///{tmp_path}/x.db"}}
    )
    assert await cli.main("sync", settings) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


async def test_invite_url_looks_up_the_application_id(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await cli.main("invite-url", cli_settings(fake_discord, tmp_path)) == 0
    url = capsys.readouterr().out.strip()
    assert url == (
        f"https://discord.com/oauth2/authorize?client_id={fake_discord.application_id}"
        "&scope=bot+applications.commands&permissions=52224"
    )
