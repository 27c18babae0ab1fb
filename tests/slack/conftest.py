"""Slack front door fixtures: the stand-in Slack, the real bolt app on the bot's web server,
and a driver that sends correctly signed requests the way Slack does."""

from __future__ import annotations

import importlib
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.adapters.slack import SlackAdapter
from bot.app import Potluck
from bot.config import DEFAULT_COGS, Settings
from bot.core.clock import ManualClock
from tests.fakes.slack_server import FakeSlack, RecordedCall, SlackUser

SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"

ANA = "UANA000001"  # a member, Chicago
SAM = "USAM000001"  # a member, Berlin
MOD = "UMOD000001"  # a workspace admin
ORG = "UORG000001"  # in the organizers' user group
ORG_GROUP = "S0RGANIZE1"
GENERAL = "C0GENERAL1"


def events_cog_ready() -> bool:
    """The events cog is written alongside this adapter; use it once it loads."""
    try:
        module = importlib.import_module("cogs.events")
    except Exception:
        return False
    return callable(getattr(module, "setup", None))


def cogs() -> list[str]:
    names = [c for c in DEFAULT_COGS if c != "events"]
    return [*names, "events"] if events_cog_ready() else names


@pytest.fixture
async def fake(clock: ManualClock) -> AsyncIterator[FakeSlack]:
    users = [
        SlackUser(id=ANA, name="ana", real_name="Ana Reyes", tz="America/Chicago"),
        SlackUser(id=SAM, name="sam", real_name="Sam Okafor", tz="Europe/Berlin"),
        SlackUser(id=MOD, name="mo", real_name="Mo Admin", tz="UTC", is_admin=True),
        SlackUser(id=ORG, name="olu", real_name="Olu Organizer", tz="Europe/London"),
    ]
    # Message timestamps follow the bot's clock, as Slack's follow the wall clock.
    async with FakeSlack(
        users=users, usergroups={ORG_GROUP: [ORG]}, clock=lambda: clock.now().timestamp()
    ) as slack:
        yield slack
        slack.assert_no_unknown_routes()


def slack_settings(fake: FakeSlack, **slack: Any) -> Settings:
    return Settings.model_validate(
        {
            "bot": {"cogs": cogs()},
            "slack": {
                "bot_token": BOT_TOKEN,
                "signing_secret": SECRET,
                "api_base_url": fake.api_base_url,
                "organizer_usergroup": ORG_GROUP,
                **slack,
            },
        }
    )


@pytest.fixture
def settings(fake: FakeSlack) -> Settings:
    return slack_settings(fake)


@dataclass
class SlackDriver:
    """Speaks to the bot as Slack would: signed form posts, then waits on the stand-in."""

    fake: FakeSlack
    adapter: SlackAdapter
    url: str
    secret: str = SECRET

    async def post(self, body: bytes, **headers: str) -> int:
        status, _ = (
            await self.fake.post_signed(self.url, body, self.secret)
            if not headers
            else await self.fake.post_to_app(
                self.url, body, self.fake.signed_request_headers(self.secret, body), headers
            )
        )
        return status

    async def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = ANA,
        channel: str = GENERAL,
        **kwargs: Any,
    ) -> RecordedCall:
        """Run a slash command; return the answer posted to its response_url."""
        token = uuid.uuid4().hex
        body = self.fake.slash_command_body(
            command, text, user_id=user, channel_id=channel, response_token=token, **kwargs
        )
        assert await self.post(body) == 200
        return await self.fake.wait_for(
            lambda c: c.method == "response_url" and c.path.endswith(token)
        )

    async def press(
        self,
        answer: RecordedCall,
        label: str,
        *,
        user: str = ANA,
        channel: str = GENERAL,
        message_ts: str = "1700000000.000100",
    ) -> RecordedCall:
        """Click the button labelled `label` on a message the bot sent."""
        blocks = answer.json_param("blocks") or []
        buttons = [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
        matches = [b for b in buttons if b["text"]["text"].lower().startswith(label.lower())]
        assert matches, f"no button {label!r}; buttons: {[b['text']['text'] for b in buttons]}"
        token = uuid.uuid4().hex
        body = self.fake.block_actions_body(
            matches[0]["action_id"],
            matches[0].get("value"),
            user_id=user,
            channel_id=channel,
            message_ts=message_ts,
            response_token=token,
            message={
                "type": "message",
                "ts": message_ts,
                "text": answer.params.get("text", ""),
                "blocks": blocks,
            },
        )
        assert await self.post(body) == 200
        return await self.fake.wait_for(
            lambda c: c.method == "response_url" and c.path.endswith(token)
        )


@pytest.fixture
async def slack(bot: Potluck, fake: FakeSlack) -> AsyncIterator[SlackDriver]:
    adapter = SlackAdapter(bot)
    await adapter.start()
    ports = await bot.web.start([("127.0.0.1", 0)])
    try:
        yield SlackDriver(
            fake=fake, adapter=adapter, url=f"http://127.0.0.1:{ports[0]}/slack/events"
        )
    finally:
        await adapter.drain()
        await adapter.stop()


def shown(call: RecordedCall) -> str:
    """Everything a reader could see in a Slack payload, as one string (blocks + text)."""
    blocks = call.json_param("blocks") or []
    return call.params.get("text", "") + "\n" + json.dumps(blocks, ensure_ascii=False)


def parsed_for_pings(call: RecordedCall) -> str:
    """Every string Slack parses for pings: `text` and each mrkdwn object. (plain_text
    objects, like headers and button labels, are shown literally and never ping.)"""
    found = [str(call.params.get("text", ""))]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text", "")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(call.json_param("blocks") or [])
    return "\n".join(found)


BROADCASTS = ("<!channel", "<!here", "<!everyone", "<!subteam")
