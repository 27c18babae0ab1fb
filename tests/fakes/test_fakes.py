"""Self-tests: the stand-ins work with the real discord.py, slack-bolt and slack_sdk.

No sleeping: every wait is on a condition the stand-ins signal.
"""

from __future__ import annotations

import asyncio
import io
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import discord
import pytest
from aiohttp import web
from discord import app_commands
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from .discord_server import DEFAULT_GUILD_ID, FakeDiscord, running_discord_client
from .netguard import BLOCK_MESSAGE, install_loopback_guard, is_loopback_host
from .slack_server import FakeSlack, SlackUser

pytestmark = pytest.mark.asyncio

SIGNING_SECRET = "secret"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    install_loopback_guard(monkeypatch)


# ---------------------------------------------------------------- Discord


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake
        fake.assert_no_unknown_routes()


class RSVPView(discord.ui.View):
    """A persistent view: survives restarts because of timeout=None + fixed custom_id."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Going", custom_id="rsvp:going", style=discord.ButtonStyle.green)
    async def going(
        self, interaction: discord.Interaction, button: discord.ui.Button[RSVPView]
    ) -> None:
        await interaction.response.send_message(f"going: {interaction.user.id}", ephemeral=True)


def make_client() -> tuple[discord.Client, app_commands.CommandTree[discord.Client]]:
    client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)
    guild = discord.Object(int(DEFAULT_GUILD_ID))

    @tree.command(name="ping", description="answers ok", guild=guild)
    async def ping(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok")

    @tree.command(name="slow", description="defers then follows up with a file", guild=guild)
    async def slow(interaction: discord.Interaction, count: int, note: str = "") -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(
            f"count={count} note={note}", file=discord.File(io.BytesIO(b"a,b\n1,2\n"), "x.csv")
        )

    return client, tree


async def test_discord_login_sync_and_slash_command(fake_discord: FakeDiscord) -> None:
    client, tree = make_client()
    old_base = discord.http.Route.BASE
    async with running_discord_client(fake_discord, client):
        assert [g.name for g in client.guilds] == ["Library Chapter"]
        guild = client.guilds[0]
        assert guild.me is not None and guild.get_channel(200000000000000001) is not None

        synced = await tree.sync(guild=guild)
        assert [c.name for c in synced] == ["ping", "slow"]
        assert [c["name"] for c in fake_discord.synced_commands[DEFAULT_GUILD_ID]] == [
            "ping",
            "slow",
        ]

        handle = await fake_discord.send_interaction(
            fake_discord.slash_interaction("ping", user_id=555)
        )
        callback = await handle.response()
        assert callback.json["type"] == 4 and callback.json["data"]["content"] == "ok"
        assert callback.response["resource"]["message"]["content"] == "ok"
        assert callback.query == {"with_response": "1"}
    assert old_base == discord.http.Route.BASE
    routes = [r.route.split("/")[1] for r in fake_discord.requests]
    assert routes[:2] == ["users", "oauth2"]
    assert fake_discord.identifies and fake_discord.identifies[0]["token"] == "fake-token"
    assert fake_discord.gateway_connections[0] == {
        "v": "10",
        "encoding": "json",
        "compress": "zlib-stream",
    }


async def test_discord_defer_followup_with_file_and_typed_options(
    fake_discord: FakeDiscord,
) -> None:
    client, tree = make_client()
    async with running_discord_client(fake_discord, client):
        await tree.sync(guild=discord.Object(int(DEFAULT_GUILD_ID)))
        payload = fake_discord.slash_interaction("slow", {"count": 3, "note": "hi"}, user_id=555)
        assert payload["data"]["options"][0] == {"name": "count", "type": 4, "value": 3}
        handle = await fake_discord.send_interaction(payload)
        callback = await handle.response()
        assert callback.json["type"] == 5
        followup = await handle.followup()
        assert followup.json["content"] == "count=3 note=hi"
        assert [(f.filename, f.data) for f in followup.files] == [("x.csv", b"a,b\n1,2\n")]
        assert followup.response["attachments"][0]["filename"] == "x.csv"


async def test_discord_persistent_view_button(fake_discord: FakeDiscord) -> None:
    client, _tree = make_client()
    async with running_discord_client(fake_discord, client):
        client.add_view(RSVPView())
        channel = client.get_channel(200000000000000001)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("Potluck on Friday", view=RSVPView())
        post = await fake_discord.wait_for_request("POST", r"/channels/200000000000000001/messages")
        assert post.json["components"][0]["components"][0]["custom_id"] == "rsvp:going"
        assert sent.id == int(post.response["id"])

        payload = fake_discord.button_interaction("rsvp:going", user_id=777, message=post.response)
        callback = await (await fake_discord.send_interaction(payload)).response()
        assert callback.json["type"] == 4
        assert callback.json["data"]["content"] == "going: 777"
        assert callback.json["data"]["flags"] == 64


async def test_discord_dm_forbidden_and_rate_limit_retry(fake_discord: FakeDiscord) -> None:
    client, _tree = make_client()
    async with running_discord_client(fake_discord, client):
        user = await client.fetch_user(888)
        fake_discord.fail_next(
            "POST",
            r"/channels/\d+/messages",
            403,
            {"code": 50007, "message": "Cannot send messages to this user"},
        )
        with pytest.raises(discord.Forbidden) as excinfo:
            await user.send("reminder")
        assert excinfo.value.code == 50007
        dm_open = fake_discord.calls("POST", r"/users/@me/channels")
        assert dm_open and dm_open[0].json == {"recipient_id": 888}

        # 429 with Via + retry_after: discord.py waits retry_after and retries on its own.
        fake_discord.fail_next("POST", r"/channels/\d+/messages", 429)
        message = await user.send("second try")
        assert message.content == "second try"
        statuses = [r.status for r in fake_discord.calls("POST", r"/channels/\d+/messages")]
        assert statuses == [403, 429, 200]


async def test_discord_resume_after_reconnect(fake_discord: FakeDiscord) -> None:
    client, _tree = make_client()
    async with running_discord_client(fake_discord, client):
        resumed = asyncio.Event()
        client.event(_set_on("on_resumed", resumed))
        await fake_discord.send_reconnect()
        await fake_discord.wait_until_resumed()
        await asyncio.wait_for(resumed.wait(), timeout=5)
        assert fake_discord.resumes[0]["session_id"] == client.ws.session_id
        assert len(fake_discord.identifies) == 1


def _set_on(name: str, event: asyncio.Event) -> Any:
    async def handler(*_: Any) -> None:
        event.set()

    handler.__name__ = name
    return handler


async def test_discord_autosharded_client_and_modal(fake_discord: FakeDiscord) -> None:
    client = discord.AutoShardedClient(intents=discord.Intents.default(), guild_ready_timeout=0.05)
    tree: app_commands.CommandTree[discord.AutoShardedClient] = app_commands.CommandTree(client)

    class Feedback(discord.ui.Modal, title="Feedback"):
        text: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Text", custom_id="fb_text")

        async def on_submit(self, interaction: discord.Interaction) -> None:
            await interaction.response.send_message(f"thanks: {self.text.value}")

    async def suggest(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name=f"{current}-{i}", value=f"{current}-{i}") for i in range(2)
        ]

    @tree.command(name="dish", description="autocompletes")
    @app_commands.autocomplete(name=suggest)
    async def dish(interaction: discord.Interaction, name: str) -> None:
        await interaction.response.send_message(name)

    @tree.command(name="feedback", description="opens a modal")
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(Feedback(custom_id="feedback_modal"))

    async with running_discord_client(fake_discord, client):
        await tree.sync()
        assert fake_discord.calls("GET", r"/gateway/bot")
        handle = await fake_discord.send_interaction(
            fake_discord.slash_interaction("feedback", user_id=1)
        )
        callback = await handle.response()
        assert callback.json["type"] == 9 and callback.json["data"]["custom_id"] == "feedback_modal"
        submit = fake_discord.modal_submit_interaction(
            "feedback_modal", {"fb_text": "great"}, user_id=1
        )
        answer = await (await fake_discord.send_interaction(submit)).response()
        assert answer.json["data"]["content"] == "thanks: great"

        typing = fake_discord.autocomplete_interaction(
            "dish", {"name": "pie"}, focused="name", user_id=1
        )
        assert "guild_id" not in typing["data"]  # a global command, as synced
        choices = await (await fake_discord.send_interaction(typing)).response()
        assert choices.json == {
            "type": 8,
            "data": {
                "choices": [
                    {"name": "pie-0", "value": "pie-0"},
                    {"name": "pie-1", "value": "pie-1"},
                ]
            },
        }


async def test_unknown_routes_are_recorded() -> None:
    async with FakeDiscord() as fake, aiohttp.ClientSession() as session:
        async with session.get(f"{fake.api_base_url}/guilds/1/bans") as resp:
            assert resp.status == 404
            assert resp.headers["Content-Type"] == "application/json"
        with pytest.raises(AssertionError, match="GET /guilds/1/bans"):
            fake.assert_no_unknown_routes()
        with pytest.raises(AssertionError, match=r"seen: .*GET /guilds/1/bans -> 404"):
            await fake.wait_for(lambda r: r.method == "DELETE", timeout=0.05)
    async with FakeSlack() as slack:
        client = AsyncWebClient(token="xoxb-test", base_url=slack.api_base_url)
        with pytest.raises(SlackApiError):
            await client.api_call("reactions.add", params={"name": "x"})
        with pytest.raises(AssertionError, match=r"reactions\.add"):
            slack.assert_no_unknown_routes()


# ---------------------------------------------------------------- Slack


def make_bolt_app(fake: FakeSlack) -> AsyncApp:
    # The token goes on the client only: with both, bolt logs "token will be unused".
    app = AsyncApp(
        signing_secret=SIGNING_SECRET,
        client=AsyncWebClient(token="xoxb-test", base_url=fake.api_base_url),
    )

    @app.command("/potluck")
    async def potluck(
        ack: Any, respond: Any, command: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack("ok")
        await respond(f"you said {command['text']}")
        await client.chat_postMessage(channel=command["channel_id"], text="posted")

    @app.action("rsvp_yes")
    async def rsvp(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(f"rsvp {body['actions'][0]['value']}")

    return app


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(
        users=[SlackUser(id="U0000000001", tz="Europe/Berlin", tz_offset=3600)]
    ) as fake:
        yield fake
        fake.assert_no_unknown_routes()


@pytest.fixture
async def bolt_http(fake_slack: FakeSlack) -> AsyncIterator[str]:
    runner = web.AppRunner(
        make_bolt_app(fake_slack).web_app(path="/slack/events"), handle_signals=False
    )
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def test_bolt_http_slash_command(fake_slack: FakeSlack, bolt_http: str) -> None:
    body = fake_slack.slash_command_body(
        "/potluck", "friday", user_id="U0000000001", channel_id="C0000000042"
    )
    status, text = await fake_slack.post_to_app(
        bolt_http, body, fake_slack.signed_request_headers(SIGNING_SECRET, body)
    )
    assert (status, text) == (200, "ok")

    responded = await fake_slack.wait_for_call("response_url")
    assert responded.params["text"] == "you said friday"
    posted = await fake_slack.wait_for_call("chat.postMessage")
    assert posted.params["channel"] == "C0000000042" and posted.params["text"] == "posted"
    assert posted.token == "xoxb-test"
    assert fake_slack.calls("auth.test"), "AsyncApp authorizes lazily with auth.test"


async def test_bolt_http_rejects_bad_signature(fake_slack: FakeSlack, bolt_http: str) -> None:
    body = fake_slack.slash_command_body("/potluck", "x")
    status, _ = await fake_slack.post_to_app(
        bolt_http, body, fake_slack.signed_request_headers("wrong", body)
    )
    assert status == 401
    stale = fake_slack.signed_request_headers(
        SIGNING_SECRET, body, timestamp=int(time.time()) - 600
    )
    status, _ = await fake_slack.post_to_app(bolt_http, body, stale)
    assert status == 401
    assert not fake_slack.calls("response_url")


async def test_bolt_http_button(fake_slack: FakeSlack, bolt_http: str) -> None:
    body = fake_slack.block_actions_body(
        "rsvp_yes", "going", user_id="U0000000001", channel_id="C1"
    )
    status, _ = await fake_slack.post_signed(bolt_http, body, SIGNING_SECRET)
    assert status == 200
    responded = await fake_slack.wait_for_call("response_url")
    assert responded.params["text"] == "rsvp going"


async def test_slack_web_api_shapes_and_failures(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_base_url)
    info = await client.users_info(user="U0000000001")
    assert info["user"]["tz"] == "Europe/Berlin" and info["user"]["tz_offset"] == 3600
    dm = await client.conversations_open(users="U0000000001")
    assert dm["channel"]["id"].startswith("D")

    fake_slack.fail_next("chat.postMessage", 429, headers={"Retry-After": "3"})
    with pytest.raises(SlackApiError) as excinfo:
        await client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response.status_code == 429
    assert excinfo.value.response.headers["Retry-After"] == "3"
    fake_slack.fail_next("chat.postMessage", 200, error="channel_not_found")
    with pytest.raises(SlackApiError) as excinfo:
        await client.chat_postMessage(channel="C1", text="hi")
    assert excinfo.value.response["error"] == "channel_not_found"
    ok = await client.chat_postMessage(
        channel="C1",
        text="hi",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}],
    )
    assert ok["message"]["text"] == "hi" and ok["ts"]

    upload = await client.files_upload_v2(
        channel="C1", filename="plan.ics", content="BEGIN:VCALENDAR", title="Plan"
    )
    assert upload["file"]["title"] == "Plan"
    assert list(fake_slack.uploads.values()) == [b"BEGIN:VCALENDAR"]
    assert (
        fake_slack.calls("files.completeUploadExternal")[0].json_param("files")[0]["title"]
        == "Plan"
    )


async def test_bolt_socket_mode_slash_command(fake_slack: FakeSlack) -> None:
    app = make_bolt_app(fake_slack)
    handler = AsyncSocketModeHandler(app, app_token="xapp-test")
    await handler.connect_async()
    try:
        opened = await fake_slack.wait_for_call("apps.connections.open")
        assert opened.token == "xapp-test"
        payload = fake_slack.slash_command_payload("/potluck", "socket", user_id="U0000000001")
        envelope_id = await fake_slack.socket_send("slash_commands", payload)
        ack = await fake_slack.wait_for_socket_ack(envelope_id)
        assert ack["payload"] == {"text": "ok"}
        responded = await fake_slack.wait_for_call("response_url")
        assert responded.params["text"] == "you said socket"
    finally:
        await handler.close_async()


# ---------------------------------------------------------------- network guard


@pytest.fixture
def tripwire(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Replace the real connect/lookup underneath a fresh guard so that, even if the guard
    were broken, no packet could leave the machine: the tripwire records and refuses."""
    reached: list[Any] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: Any) -> None:
        if isinstance(address, tuple) and not is_loopback_host(address[0]):
            reached.append(address)
            raise ConnectionRefusedError("tripwire")
        return real_connect(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in (None, "") and not is_loopback_host(host):
            reached.append(host)
            raise socket.gaierror("tripwire")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", connect)
        mp.setattr(socket, "getaddrinfo", getaddrinfo)
        install_loopback_guard(mp)
        yield reached


async def test_guard_blocks_non_loopback_fast(tripwire: list[Any]) -> None:
    started = time.monotonic()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(OSError, match=BLOCK_MESSAGE):
            sock.connect(("10.1.2.3", 443))
        with pytest.raises(OSError, match=BLOCK_MESSAGE):
            sock.connect_ex(("10.1.2.3", 443))
    finally:
        sock.close()
    with pytest.raises(OSError, match=BLOCK_MESSAGE):
        socket.getaddrinfo("example.com", 443)
    loop = asyncio.get_running_loop()
    with pytest.raises(OSError, match=BLOCK_MESSAGE):
        await loop.getaddrinfo("example.com", 443)
    with pytest.raises(OSError, match=BLOCK_MESSAGE):
        await asyncio.open_connection("10.1.2.3", 443)
    async with aiohttp.ClientSession() as session:
        for url in ("https://discord.com/api/v10/users/@me", "http://10.1.2.3/"):
            with pytest.raises(aiohttp.ClientError, match=BLOCK_MESSAGE):
                await session.get(url)
    assert socket.getaddrinfo("localhost", 80)
    assert time.monotonic() - started < 1.0
    assert tripwire == [], "the guard let something through to the real network layer"


async def test_is_loopback_host() -> None:
    assert (
        is_loopback_host("127.0.0.1") and is_loopback_host("127.5.5.5") and is_loopback_host("::1")
    )
    assert is_loopback_host("localhost") and is_loopback_host("::ffff:127.0.0.1")
    assert not is_loopback_host("10.1.2.3") and not is_loopback_host("example.com")
