"""Socket Mode: the same app over the stand-in's websocket instead of HTTP."""

from __future__ import annotations

import uuid

from bot.adapters.slack import SlackAdapter
from bot.app import Potluck
from tests.fakes.slack_server import FakeSlack
from tests.slack.conftest import APP_TOKEN, SAM, shown, slack_settings


async def test_socket_mode_round_trip(bot: Potluck, fake: FakeSlack) -> None:
    bot.settings = slack_settings(fake, app_token=APP_TOKEN, signing_secret=None)
    adapter = SlackAdapter(bot)
    await adapter.start()
    try:
        opened = fake.calls("apps.connections.open")
        assert opened and opened[0].token == APP_TOKEN
        await fake.wait_until_socket_connected()

        token = uuid.uuid4().hex
        envelope = await fake.socket_send(
            "slash_commands",
            fake.slash_command_payload("/timezone", "show", user_id=SAM, response_token=token),
        )
        ack = await fake.wait_for_socket_ack(envelope)
        assert ack["envelope_id"] == envelope
        answer = await fake.wait_for(
            lambda c: c.method == "response_url" and c.path.endswith(token)
        )
        assert "Europe/Berlin" in shown(answer)

        # Buttons come as "interactive" envelopes.
        token = uuid.uuid4().hex
        envelope = await fake.socket_send(
            "slash_commands",
            fake.slash_command_payload("/privacy", "forget", user_id=SAM, response_token=token),
        )
        await fake.wait_for_socket_ack(envelope)
        ask = await fake.wait_for(lambda c: c.method == "response_url" and c.path.endswith(token))
        keep = next(
            e
            for b in ask.json_param("blocks")
            if b["type"] == "actions"
            for e in b["elements"]
            if e["text"]["text"] == "Keep my data"
        )
        token = uuid.uuid4().hex
        envelope = await fake.socket_send(
            "interactive",
            fake.block_actions_payload(
                keep["action_id"], keep["value"], user_id=SAM, response_token=token
            ),
        )
        await fake.wait_for_socket_ack(envelope)
        kept = await fake.wait_for(lambda c: c.method == "response_url" and c.path.endswith(token))
        assert kept.params["replace_original"] is True
        assert "Nothing was deleted." in shown(kept)
        await adapter.drain()
    finally:
        await adapter.stop()


async def test_socket_mode_retries_are_not_run_twice(bot: Potluck, fake: FakeSlack) -> None:
    bot.settings = slack_settings(fake, app_token=APP_TOKEN, signing_secret=None)
    adapter = SlackAdapter(bot)
    await adapter.start()
    try:
        token = uuid.uuid4().hex
        payload = fake.slash_command_payload("/timezone", "show", user_id=SAM, response_token=token)
        first = await fake.socket_send("slash_commands", payload)
        await fake.wait_for_socket_ack(first)
        await fake.wait_for(lambda c: c.method == "response_url" and c.path.endswith(token))
        again = await fake.socket_send("slash_commands", payload)
        await fake.wait_for_socket_ack(again)
        await adapter.drain()
        assert len([c for c in fake.calls("response_url") if c.path.endswith(token)]) == 1
    finally:
        await adapter.stop()
