"""The real Potluck with its Discord front door, talking to a stand-in Discord on 127.0.0.1.

Each test gets a fresh database (SQLite and PostgreSQL, via `database`), the real system
clock (discord.py's own timing is real), a `FakeDiscord` with one guild and a few people, and
a started `DiscordAdapter`. On teardown the stand-in must have seen no unknown route.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import Potluck
from bot.config import DEFAULT_COGS, Settings
from storage.db import Database
from tests.fakes.discord_server import (
    DEFAULT_CHANNEL_ID,
    DEFAULT_GUILD_ID,
    FakeDiscord,
    InteractionHandle,
    RecordedRequest,
)

MODERATOR_ROLE = "500000000000000001"
ORGANIZER_ROLE = "500000000000000002"
ANA = "600000000000000001"  # moderator (by role name)
OLU = "600000000000000002"  # organizer (by role name)
SAM = "600000000000000003"  # member
LEE = "600000000000000004"  # member
KIM = "600000000000000005"  # member, DMs closed in some tests
PEOPLE = {ANA: "ana", OLU: "olu", SAM: "sam", LEE: "lee", KIM: "kim"}
ROLES = {ANA: [MODERATOR_ROLE], OLU: [ORGANIZER_ROLE]}


def fake_guilds() -> list[dict[str, Any]]:
    return [
        {
            "id": DEFAULT_GUILD_ID,
            "name": "Library Chapter",
            "channels": [{"id": DEFAULT_CHANNEL_ID, "name": "general", "type": 0}],
            "roles": [
                {"id": MODERATOR_ROLE, "name": "Moderator", "position": 2},
                {"id": ORGANIZER_ROLE, "name": "Organizer", "position": 1},
            ],
            "members": [
                {"user": {"id": uid, "username": name}, "roles": ROLES.get(uid, [])}
                for uid, name in PEOPLE.items()
            ],
        }
    ]


def events_cog_ready() -> bool:
    """The events cog is being written alongside; use it once it can load."""
    try:
        module = importlib.import_module("cogs.events")
    except ImportError:
        return False
    return hasattr(module, "setup")


def discord_settings(fake: FakeDiscord, **discord: Any) -> Settings:
    cogs = [*DEFAULT_COGS, "tests.discord.board_cog"]
    if events_cog_ready() and "events" not in cogs:
        cogs.append("events")
    return Settings.model_validate(
        {
            "bot": {"cogs": cogs},
            "discord": {
                "token": "test-token",
                "api_base_url": fake.api_base_url,
                "gateway_url": fake.gateway_url,
                "guild_ids": [DEFAULT_GUILD_ID],
                **discord,
            },
        }
    )


@dataclass
class DiscordWorld:
    """The stand-in plus the running bot, with helpers that read like what people do."""

    fake: FakeDiscord
    bot: Potluck
    adapter: DiscordAdapter
    started: list[tuple[Potluck, DiscordAdapter]] = field(default_factory=list)

    async def slash(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        as_: str = SAM,
        permissions: int | str = 0,
        dm: bool = False,
        channel_id: str | None = None,
    ) -> InteractionHandle:
        words = command.lstrip("/").split()
        payload = self.fake.slash_interaction(
            words[0],
            dict(options or {}),
            user_id=as_,
            subcommand=words[1] if len(words) == 2 else (words[2] if len(words) == 3 else None),
            subcommand_group=words[1] if len(words) == 3 else None,
            permissions=permissions,
            dm=dm,
            channel_id=channel_id,
        )
        return await self.fake.send_interaction(payload)

    async def run(
        self, command: str, options: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> RecordedRequest:
        """A slash command and the callback Discord got for it."""
        handle = await self.slash(command, options, **kwargs)
        return await handle.response()

    async def press(
        self, message: Mapping[str, Any], label: str, *, as_: str = SAM, permissions: int | str = 0
    ) -> InteractionHandle:
        """Click the button labelled `label` (prefix) on a message the bot posted."""
        custom_id = button_id(message, label)
        payload = self.fake.button_interaction(
            custom_id,
            user_id=as_,
            message=message,
            channel_id=message.get("channel_id"),
            permissions=permissions,
        )
        return await self.fake.send_interaction(payload)


def callback_message(req: RecordedRequest) -> dict[str, Any]:
    """The message a callback created or updated, as the stand-in stored it."""
    message = (req.response or {}).get("resource", {}).get("message")
    assert message is not None, f"callback created no message: {req.json}"
    return dict(message)


def buttons(message: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message.get("components") or [] for c in row.get("components", [])]


def button_id(message: Mapping[str, Any], label: str) -> str:
    wanted = label.lower()
    found = [b for b in buttons(message) if str(b.get("label", "")).lower().startswith(wanted)]
    assert found, f"no button {label!r}; buttons: {[b.get('label') for b in buttons(message)]}"
    return str(found[0]["custom_id"])


def embed_text(body: Mapping[str, Any] | None) -> str:
    """Everything a reader sees in a message or callback body (content, embeds, fields)."""
    if body is None:
        return ""
    data = body.get("data", body) if "type" in body and "data" in body else body
    parts = [str(data.get("content") or "")]
    for embed in data.get("embeds") or []:
        parts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
        for f in embed.get("fields") or []:
            parts += [str(f.get("name")), str(f.get("value"))]
        parts.append(str((embed.get("footer") or {}).get("text") or ""))
    return "\n".join(p for p in parts if p)


def is_ephemeral(body: Mapping[str, Any]) -> bool:
    data = body.get("data") or {}
    return bool(int(data.get("flags") or 0) & 64)


StartPotluck = Callable[..., Awaitable[tuple[Potluck, DiscordAdapter]]]


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(guilds=fake_guilds())
    await fake.start()
    try:
        yield fake
        fake.assert_no_unknown_routes()
    finally:
        await fake.stop()


@pytest.fixture
async def start_potluck(
    database: Database, fake_discord: FakeDiscord
) -> AsyncIterator[StartPotluck]:
    """Start a Potluck (over the test's database) with its Discord adapter; more than one
    start is a restart. Everything started is stopped at teardown."""
    running: list[tuple[Potluck, DiscordAdapter]] = []

    async def start(**discord: Any) -> tuple[Potluck, DiscordAdapter]:
        bot = Potluck(discord_settings(fake_discord, **discord), db=database)
        await bot.load_cogs()
        await bot.start(migrate=False, schedule=False)
        adapter = DiscordAdapter(bot, reconnect=False, guild_ready_timeout=0.05, ready_timeout=10.0)
        await adapter.start()
        running.append((bot, adapter))
        return bot, adapter

    try:
        yield start
    finally:
        for bot, adapter in reversed(running):
            # As Potluck.close does: no new outbox pass, and the one under way (a test may
            # have started the scheduler) finishes before the database goes. A pass still
            # querying when the test's event loop closes is cancelled mid-query, and the
            # SQLite connection it held is then closed twice at once (a graceful close in
            # a shielded task racing the forced one); the graceful close waits forever and
            # the loop never closes.
            bot.scheduler.pause()
            await bot.outbox.close()
            await adapter.stop()
            # The database belongs to the `database` fixture, which disposes it.
            for cog in list(bot.registry.cogs.values()):
                await cog.on_close()
            bot.scheduler.shutdown()


@pytest.fixture
async def world(start_potluck: StartPotluck, fake_discord: FakeDiscord) -> DiscordWorld:
    bot, adapter = await start_potluck()
    return DiscordWorld(fake=fake_discord, bot=bot, adapter=adapter)
