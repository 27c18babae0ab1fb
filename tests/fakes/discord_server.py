"""A stand-in Discord (REST API v10 + gateway websocket) on 127.0.0.1 for tests.

Why: the bot is tested with the *real* discord.py client. Pointing
``discord.http.Route.BASE`` at :attr:`FakeDiscord.api_base_url` and
``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` at :attr:`FakeDiscord.gateway_url`
makes discord.py log in, sync commands, connect, receive interactions and answer them
against this server, which records everything so tests can assert on what the bot did.
"""

# The wait helpers take `timeout=` by design (tests read better than asyncio.timeout blocks).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import itertools
import json
import re
import time
import uuid
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, WSMsgType, web

from .ledger import Created, DMOpen, Hold, Holds, Ledger

__all__ = [
    "DEFAULT_BOT_USER",
    "DEFAULT_CHANNEL_ID",
    "DEFAULT_GUILD_ID",
    "FakeDiscord",
    "InteractionHandle",
    "RecordedFile",
    "RecordedRequest",
    "running_discord_client",
]

DISCORD_EPOCH_MS = 1420070400000
DEFAULT_GUILD_ID = "100000000000000001"
DEFAULT_CHANNEL_ID = "200000000000000001"
DEFAULT_BOT_USER: dict[str, Any] = {
    "id": "300000000000000001",
    "username": "potluck",
    "discriminator": "0",
    "global_name": "Potluck",
    "avatar": None,
    "bot": True,
    "system": False,
    "mfa_enabled": False,
    "verified": True,
    "flags": 0,
    "public_flags": 0,
}
ALL_PERMISSIONS = str((1 << 53) - 1)

# Gateway opcodes.
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_HEARTBEAT_ACK = 7, 8, 9, 10, 11

JsonHandlerResult = tuple[int, Any]


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@dataclass
class RecordedFile:
    """One file part of a multipart request (discord.py sends ``files[n]``)."""

    field: str
    filename: str | None
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    """A REST request as the stand-in saw it.

    ``path`` is relative to the API base (``/channels/1/messages``); ``json`` is the JSON
    body, or the ``payload_json`` part of a multipart body.
    """

    method: str
    path: str
    json: Any
    files: list[RecordedFile] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    status: int = 0
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def route(self) -> str:
        """``"METHOD /path"``, handy in failure messages."""
        return f"{self.method} {self.path}"

    @property
    def token(self) -> str | None:
        """The bot token that sent this request (``Authorization: Bot <token>``)."""
        auth = self.headers.get("Authorization", "")
        return auth.removeprefix("Bot ") if auth else None


@dataclass
class _Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int
    after: bool = False  # answer with the failure only after acting on the request


@dataclass
class _Session:
    session_id: str
    shard_id: int
    shard_count: int
    seq: int = 0


@dataclass
class _GatewayConnection:
    ws: web.WebSocketResponse
    compress: str | None
    compressor: Any = None
    session: _Session | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class InteractionHandle:
    """What :meth:`FakeDiscord.send_interaction` returns: ids plus a way to await the answer."""

    fake: FakeDiscord
    payload: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    async def response(self, timeout: float = 5.0) -> RecordedRequest:
        """Wait for ``POST /interactions/{id}/{token}/callback``."""
        return await self.fake.wait_for_interaction_response(self.id, timeout=timeout)

    async def followup(self, timeout: float = 5.0) -> RecordedRequest:
        """Wait for a follow-up ``POST /webhooks/{app}/{token}``."""
        return await self.fake.wait_for_followup(self.token, timeout=timeout)

    async def original_edit(self, timeout: float = 5.0) -> RecordedRequest:
        """Wait for ``PATCH /webhooks/{app}/{token}/messages/@original`` (deferred answer)."""
        return await self.fake.wait_for_request(
            "PATCH", rf"/webhooks/\d+/{re.escape(self.token)}/messages/@original", timeout=timeout
        )


def _default_guild() -> dict[str, Any]:
    return {
        "id": DEFAULT_GUILD_ID,
        "name": "Library Chapter",
        "channels": [{"id": DEFAULT_CHANNEL_ID, "name": "general", "type": 0}],
        "roles": [],
        "members": [],
    }


class FakeDiscord:
    """Discord REST v10 + gateway stand-in served by aiohttp on ``127.0.0.1:0``.

    Construct with ``guilds=[{"id", "name", "channels", "roles", "members"}]`` (missing
    fields get sensible defaults; the @everyone role and the bot's own member are added),
    then ``await fake.start()`` or use ``async with FakeDiscord() as fake``.
    """

    def __init__(
        self,
        guilds: Sequence[Mapping[str, Any]] | None = None,
        *,
        bot_user: Mapping[str, Any] | None = None,
        application_id: str | None = None,
        owner: Mapping[str, Any] | None = None,
        users: Iterable[Mapping[str, Any]] = (),
        shard_count: int = 1,
        heartbeat_interval_ms: int = 41250,
        api_version: int = 10,
        token: str | None = None,
        nonce_window_seconds: float = 120.0,
    ) -> None:
        # With a token, a request authorized with any other (``Authorization: Bot <token>``)
        # gets Discord's 401, as a mistyped or reset token does.
        self.token = token
        self.bot_user: dict[str, Any] = {**DEFAULT_BOT_USER, **(bot_user or {})}
        self.application_id: str = str(application_id or self.bot_user["id"])
        self.owner: dict[str, Any] = dict(
            owner
            or {
                "id": "400000000000000099",
                "username": "owner",
                "discriminator": "0",
                "global_name": "Owner",
                "avatar": None,
            }
        )
        self.shard_count = shard_count
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.api_version = api_version
        # Discord returns the existing message for a repeated nonce with `enforce_nonce` by the
        # same author "within the past few minutes" (not published exactly).
        self.nonce_window_seconds = nonce_window_seconds
        self.ledger = Ledger()
        self.holds = Holds()
        self._nonces: dict[tuple[str, str], tuple[float, str]] = {}

        self._snowflake_last = 0
        self._snowflake_counter = itertools.count()
        self.users: dict[str, dict[str, Any]] = {
            self.bot_user["id"]: self.bot_user,
            self.owner["id"]: self.owner,
        }
        for u in users:
            self.users[str(u["id"])] = self._normalize_user(u)
        self.guilds: list[dict[str, Any]] = [
            self._normalize_guild(g) for g in (guilds if guilds is not None else [_default_guild()])
        ]

        # Recording.
        self.requests: list[RecordedRequest] = []
        self.unknown_routes: list[RecordedRequest] = []
        self.synced_commands: dict[str | None, list[dict[str, Any]]] = {}
        self.interactions: dict[str, dict[str, Any]] = {}
        self.messages: dict[str, dict[str, Any]] = {}
        self.dm_channels: dict[str, dict[str, Any]] = {}
        self.identifies: list[dict[str, Any]] = []
        self.resumes: list[dict[str, Any]] = []
        self.gateway_received: list[dict[str, Any]] = []
        # Query of every gateway connection, e.g. {"v": "10", "encoding": "json", ...}.
        self.gateway_connections: list[dict[str, str]] = []
        self._original_responses: dict[str, str] = {}  # interaction token -> message id
        self._failures: list[_Failure] = []
        self._sessions: dict[str, _Session] = {}
        self._connections: list[_GatewayConnection] = []
        self._cond: asyncio.Condition | None = None

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes = self._build_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        """Bind to an ephemeral loopback port and start serving."""
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self._gateway_handler)
        app.router.add_route("*", "/{tail:.*}", self._rest_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        """Close gateway connections and the server."""
        for conn in list(self._connections):
            if not conn.ws.closed:
                await conn.ws.close(code=1001)
        self._connections.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """Value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v{self.api_version}"

    @property
    def gateway_url(self) -> str:
        """Value for ``DiscordWebSocket.DEFAULT_GATEWAY`` (wrap in ``yarl.URL``)."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def default_guild(self) -> dict[str, Any]:
        return self.guilds[0]

    # ------------------------------------------------------------------ ids and payload shapes

    def snowflake(self) -> str:
        """A fresh, strictly increasing, timestamp-bearing snowflake (as a string)."""
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (
            next(self._snowflake_counter) & 0xFFF
        )
        value = max(value, self._snowflake_last + 1)
        self._snowflake_last = value
        return str(value)

    @staticmethod
    def _normalize_user(user: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "discriminator": "0",
            "avatar": None,
            "bot": False,
            "public_flags": 0,
        }
        out.update(user)
        out["id"] = str(out["id"])
        out.setdefault("username", f"user{out['id'][-4:]}")
        out.setdefault("global_name", out["username"])
        return out

    def _normalize_guild(self, guild: Mapping[str, Any]) -> dict[str, Any]:
        g: dict[str, Any] = copy.deepcopy(dict(guild))
        gid = str(g["id"])
        g["id"] = gid
        g.setdefault("name", f"Guild {gid}")
        g.setdefault("owner_id", self.owner["id"])
        roles = [dict(r) for r in g.get("roles", [])]
        if not any(str(r["id"]) == gid for r in roles):
            roles.insert(
                0, {"id": gid, "name": "@everyone", "permissions": "1071698660929", "position": 0}
            )
        for r in roles:
            r["id"] = str(r["id"])
            r.setdefault("color", 0)
            r.setdefault("hoist", False)
            r.setdefault("position", 1)
            r.setdefault("permissions", "0")
            r.setdefault("managed", False)
            r.setdefault("mentionable", False)
            r.setdefault("flags", 0)
            r["permissions"] = str(r["permissions"])
        g["roles"] = roles
        channels = []
        for pos, c in enumerate(g.get("channels", [])):
            ch = dict(c)
            ch["id"] = str(ch["id"])
            ch.setdefault("type", 0)
            ch["name"] = str(ch.get("name", f"channel-{pos}")).lstrip("#")
            ch.setdefault("position", pos)
            ch.setdefault("permission_overwrites", [])
            ch.setdefault("nsfw", False)
            ch.setdefault("parent_id", None)
            ch.setdefault("topic", None)
            ch.setdefault("last_message_id", None)
            ch.setdefault("rate_limit_per_user", 0)
            ch.setdefault("flags", 0)
            if ch["type"] == 2:
                ch.setdefault("bitrate", 64000)
                ch.setdefault("user_limit", 0)
            ch["guild_id"] = gid
            channels.append(ch)
        g["channels"] = channels
        members = []
        for m in g.get("members", []):
            member = dict(m)
            user = self._normalize_user(member.get("user") or {"id": member["id"]})
            member.pop("id", None)
            member["user"] = user
            self.users.setdefault(user["id"], user)
            member["roles"] = [str(r) for r in member.get("roles", [])]
            member.setdefault("joined_at", "2024-01-01T00:00:00+00:00")
            member.setdefault("deaf", False)
            member.setdefault("mute", False)
            member.setdefault("flags", 0)
            member.setdefault("nick", None)
            member.setdefault("avatar", None)
            member.setdefault("pending", False)
            members.append(member)
        if not any(m["user"]["id"] == self.bot_user["id"] for m in members):
            members.append(
                {
                    "user": self.bot_user,
                    "roles": [],
                    "joined_at": "2024-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "nick": None,
                    "avatar": None,
                    "pending": False,
                }
            )
        g["members"] = members
        return g

    def guild(self, guild_id: str | int | None = None) -> dict[str, Any]:
        """The configured guild with this id (default: the first)."""
        if guild_id is None:
            return self.default_guild
        for g in self.guilds:
            if g["id"] == str(guild_id):
                return g
        raise KeyError(f"no configured guild {guild_id}")

    def _find_channel(self, channel_id: str) -> dict[str, Any] | None:
        for g in self.guilds:
            for c in g["channels"]:
                if c["id"] == channel_id:
                    return c
        return self.dm_channels.get(channel_id)

    def _find_member(self, guild_id: str, user_id: str) -> dict[str, Any] | None:
        try:
            g = self.guild(guild_id)
        except KeyError:
            return None
        for m in g["members"]:
            if m["user"]["id"] == user_id:
                return m
        return None

    def user_payload(self, user_id: str | int, **overrides: Any) -> dict[str, Any]:
        """A user object: the configured one if known, else a plausible synthetic user."""
        uid = str(user_id)
        base = self.users.get(uid) or self._normalize_user({"id": uid})
        return {**base, **overrides}

    def guild_create_payload(self, guild: Mapping[str, Any]) -> dict[str, Any]:
        """GUILD_CREATE data for a configured guild."""
        g = dict(guild)
        return {
            "id": g["id"],
            "name": g["name"],
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": g["owner_id"],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": g["roles"],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": g["channels"][0]["id"] if g["channels"] else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "joined_at": "2024-01-01T00:00:00+00:00",
            "large": False,
            "unavailable": False,
            "member_count": len(g["members"]),
            "voice_states": [],
            "members": g["members"],
            "channels": g["channels"],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def message_payload(
        self,
        channel_id: str | int,
        body: Mapping[str, Any] | None = None,
        *,
        author: Mapping[str, Any] | None = None,
        message_id: str | None = None,
        files: Sequence[RecordedFile] = (),
        webhook_id: str | None = None,
    ) -> dict[str, Any]:
        """A complete message object as Discord returns from a create call."""
        body = dict(body or {})
        cid = str(channel_id)
        channel = self._find_channel(cid)
        mid = message_id or self.snowflake()
        attachments = []
        for i, f in enumerate(files):
            aid = self.snowflake()
            attachments.append(
                {
                    "id": aid,
                    "filename": f.filename or f"file{i}",
                    "size": len(f.data),
                    "url": f"{self.base_url}/attachments/{cid}/{aid}/{f.filename}",
                    "proxy_url": f"{self.base_url}/attachments/{cid}/{aid}/{f.filename}",
                    "content_type": f.content_type,
                }
            )
        msg: dict[str, Any] = {
            "id": mid,
            "type": 0,
            "channel_id": cid,
            "author": dict(author or self.bot_user),
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": int(body.get("flags") or 0),
            "nonce": body.get("nonce"),
        }
        if channel is not None and channel.get("guild_id"):
            msg["guild_id"] = channel["guild_id"]
        if webhook_id is not None:
            msg["webhook_id"] = webhook_id
            msg["application_id"] = self.application_id
        if body.get("message_reference"):
            msg["message_reference"] = body["message_reference"]
        self.messages[mid] = msg
        return msg

    def _edit_message(
        self, mid: str, body: Mapping[str, Any], files: Sequence[RecordedFile]
    ) -> dict[str, Any] | None:
        msg = self.messages.get(mid)
        if msg is None:
            return None
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        if files:
            msg["attachments"] = self.message_payload(msg["channel_id"], {}, files=files)[
                "attachments"
            ]
        msg["edited_timestamp"] = _now_iso()
        return msg

    # ------------------------------------------------------------------ failures and waiting

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        *,
        after: bool = False,
    ) -> None:
        """Answer the next ``times`` requests matching ``method`` (or ``"*"``) and
        ``re.fullmatch(path_regex, path)`` with ``status`` / ``json_body``.

        ``after=True`` acts on the request first (e.g. creates the message) and then answers
        with the failure: the answer got lost, the platform still did it. ``status=0`` with
        ``after=True`` drops the connection instead of answering.

        For 429, discord.py only retries when a ``Via`` header is present and the body
        has ``retry_after``; both are filled in unless given.
        """
        hdrs = dict(headers or {})
        if status == 429:
            hdrs.setdefault("Via", "1.1 google")
            if json_body is None:
                json_body = {
                    "message": "You are being rate limited.",
                    "retry_after": 0.01,
                    "global": False,
                }
            hdrs.setdefault("Retry-After", str(json_body.get("retry_after", 0.01)))
        if json_body is None:
            json_body = {"message": f"{status}: injected failure", "code": 0}
        self._failures.append(
            _Failure(method.upper(), re.compile(path_regex), status, json_body, hdrs, times, after)
        )

    def hold_answers(self, matches: Callable[[RecordedRequest], bool]) -> Hold:
        """Keep the answers to matching requests (after acting on them) until released."""
        return self.holds.add(matches)

    def _take_failure(self, method: str, path: str, *, after: bool = False) -> _Failure | None:
        for f in self._failures:
            if (
                f.remaining > 0
                and f.after == after
                and f.method in ("*", method)
                and f.pattern.fullmatch(path)
            ):
                f.remaining -= 1
                if f.remaining == 0:
                    self._failures.remove(f)
                return f
        return None

    async def _record(self, req: RecordedRequest, unknown: bool = False) -> None:
        self.requests.append(req)
        if unknown:
            self.unknown_routes.append(req)
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def _wait(
        self, check: Callable[[], Any], timeout: float, describe: Callable[[], str]
    ) -> Any:
        if self._cond is None:
            raise RuntimeError("FakeDiscord is not started")
        try:
            async with asyncio.timeout(timeout):
                async with self._cond:
                    while True:
                        found = check()
                        if found is not None and found is not False:
                            return found
                        await self._cond.wait()
        except TimeoutError:
            raise AssertionError(describe()) from None

    def seen_routes(self) -> list[str]:
        return [f"{r.route} -> {r.status}" for r in self.requests]

    async def wait_until(
        self, check: Callable[[], Any], timeout: float = 5.0, what: str = "a condition"
    ) -> Any:
        """Wait (on each recorded request) until ``check()`` is truthy; return its value."""
        return await self._wait(check, timeout, lambda: f"no {what} within {timeout}s")

    async def wait_for(
        self, predicate: Callable[[RecordedRequest], bool], timeout: float = 5.0, *, since: int = 0
    ) -> RecordedRequest:
        """Wait until a recorded request (index >= ``since``) matches ``predicate``; return it."""

        def check() -> RecordedRequest | None:
            for r in self.requests[since:]:
                if predicate(r):
                    return r
            return None

        return await self._wait(
            check,
            timeout,
            lambda: f"no matching Discord request within {timeout}s; seen: {self.seen_routes()}",
        )

    async def wait_for_request(
        self, method: str, path_regex: str, timeout: float = 5.0, *, since: int = 0
    ) -> RecordedRequest:
        """Wait for a request with this method whose path fully matches ``path_regex``."""
        pattern = re.compile(path_regex)
        return await self.wait_for(
            lambda r: r.method == method.upper() and pattern.fullmatch(r.path) is not None,
            timeout,
            since=since,
        )

    async def wait_for_interaction_response(
        self, interaction_id: str | int, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for the callback of this interaction; ``.json`` is ``{"type", "data"}``."""
        prefix = f"/interactions/{interaction_id}/"
        return await self.wait_for(
            lambda r: (
                r.method == "POST" and r.path.startswith(prefix) and r.path.endswith("/callback")
            ),
            timeout,
        )

    async def wait_for_followup(self, token: str, timeout: float = 5.0) -> RecordedRequest:
        pattern = re.compile(rf"/webhooks/\d+/{re.escape(token)}")
        return await self.wait_for(
            lambda r: r.method == "POST" and pattern.fullmatch(r.path) is not None, timeout
        )

    def calls(self, method: str, path_regex: str) -> list[RecordedRequest]:
        """All recorded requests with this method and fully matching path."""
        pattern = re.compile(path_regex)
        return [
            r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)
        ]

    def assert_no_unknown_routes(self) -> None:
        if self.unknown_routes:
            routes = [r.route for r in self.unknown_routes]
            raise AssertionError(
                f"FakeDiscord got requests for routes it does not implement: {routes}"
            )

    # ------------------------------------------------------------------ REST

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any]]]:
        table: list[tuple[str, str, Callable[..., Any]]] = [
            ("GET", r"/users/@me", self._h_me),
            ("GET", r"/oauth2/applications/@me", self._h_app_info),
            ("GET", r"/applications/@me", self._h_app_info),
            ("GET", r"/gateway", self._h_gateway),
            ("GET", r"/gateway/bot", self._h_gateway_bot),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._h_put_commands),
            (
                "PUT",
                r"/applications/(?P<app>\d+)/guilds/(?P<gid>\d+)/commands",
                self._h_put_commands,
            ),
            ("GET", r"/applications/(?P<app>\d+)/commands", self._h_get_commands),
            (
                "GET",
                r"/applications/(?P<app>\d+)/guilds/(?P<gid>\d+)/commands",
                self._h_get_commands,
            ),
            ("POST", r"/applications/(?P<app>\d+)/commands", self._h_post_command),
            (
                "POST",
                r"/applications/(?P<app>\d+)/guilds/(?P<gid>\d+)/commands",
                self._h_post_command,
            ),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._h_callback),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._h_followup),
            (
                "GET",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._h_webhook_get,
            ),
            (
                "PATCH",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._h_webhook_edit,
            ),
            (
                "DELETE",
                r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)",
                self._h_no_content,
            ),
            ("POST", r"/users/@me/channels", self._h_open_dm),
            ("GET", r"/users/(?P<uid>\d+)", self._h_get_user),
            ("GET", r"/channels/(?P<cid>\d+)", self._h_get_channel),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._h_create_message),
            ("GET", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._h_get_message),
            ("PATCH", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._h_edit_message),
            ("DELETE", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)", self._h_no_content),
            ("POST", r"/channels/(?P<cid>\d+)/typing", self._h_no_content),
            (
                "PUT",
                r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/reactions/[^/]+/@me",
                self._h_no_content,
            ),
            (
                "DELETE",
                r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/reactions/[^/]+/@me",
                self._h_no_content,
            ),
            ("GET", r"/guilds/(?P<gid>\d+)", self._h_get_guild),
            ("GET", r"/guilds/(?P<gid>\d+)/channels", self._h_get_guild_channels),
            ("GET", r"/guilds/(?P<gid>\d+)/roles", self._h_get_guild_roles),
            ("GET", r"/guilds/(?P<gid>\d+)/members/(?P<uid>\d+)", self._h_get_member),
        ]
        return [(m, re.compile(p), h) for m, p, h in table]

    async def _rest_handler(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path
        prefix = f"/api/v{self.api_version}"
        path = raw_path[len(prefix) :] if raw_path.startswith(prefix + "/") else raw_path
        path = unquote(path)
        body_json, files = await self._parse_body(request)
        rec = RecordedRequest(
            method=request.method,
            path=path,
            json=body_json,
            files=files,
            headers=dict(request.headers),
            query=dict(request.query),
        )
        failure = self._take_failure(request.method, path)
        if failure is not None:
            rec.status, rec.response = failure.status, failure.body
            await self._record(rec)
            return self._json(failure.status, failure.body, failure.headers)
        auth = request.headers.get("Authorization")
        if self.token is not None and auth is not None and auth != f"Bot {self.token}":
            rec.status, rec.response = 401, {"message": "401: Unauthorized", "code": 0}
            await self._record(rec)
            return self._json(401, rec.response)

        handler = None
        match = None
        if raw_path.startswith(prefix + "/"):
            for method, pattern, h in self._routes:
                if method == request.method:
                    match = pattern.fullmatch(path)
                    if match:
                        handler = h
                        break
        if handler is None or match is None:
            rec.status, rec.response = 404, {"message": "404: Not Found", "code": 0}
            await self._record(rec, unknown=True)
            return self._json(404, rec.response)
        result = handler(rec, **match.groupdict())
        if asyncio.iscoroutine(result):
            result = await result
        status, payload = result
        rec.status, rec.response = status, payload
        late = self._take_failure(request.method, path, after=True)
        if late is not None:
            rec.status, rec.response = late.status, late.body
        await self._record(rec)
        await self.holds.pause(rec)
        if late is not None and late.status == 0:  # the connection drops: no answer at all
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        if late is not None:
            return self._json(late.status, late.body, late.headers)
        if status == 204:
            return web.Response(status=204)
        return self._json(status, payload)

    @staticmethod
    def _json(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> web.Response:
        # Exactly "application/json": discord.py treats "...; charset=utf-8" as text.
        hdrs = {"Content-Type": "application/json", **(headers or {})}
        return web.Response(status=status, body=json.dumps(payload).encode(), headers=hdrs)

    @staticmethod
    async def _parse_body(request: web.Request) -> tuple[Any, list[RecordedFile]]:
        files: list[RecordedFile] = []
        if request.content_type.startswith("multipart/"):
            payload: Any = None
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):  # nested multipart: not used by Discord
                    continue
                data = await part.read()
                name = part.name or ""
                if name == "payload_json":
                    payload = json.loads(bytes(data).decode() or "null")
                else:
                    files.append(
                        RecordedFile(
                            field=name,
                            filename=part.filename,
                            content_type=part.headers.get(
                                "Content-Type", "application/octet-stream"
                            ),
                            data=bytes(data),
                        )
                    )
            return payload, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            return raw.decode("utf-8", "replace"), files

    # --- handlers: each returns (status, json)

    def _h_me(self, rec: RecordedRequest) -> JsonHandlerResult:
        return 200, self.bot_user

    def _h_app_info(self, rec: RecordedRequest) -> JsonHandlerResult:
        return 200, {
            "id": self.application_id,
            "name": self.bot_user["username"],
            "description": "",
            "icon": None,
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner,
            "verify_key": "0" * 64,
            "flags": 0,
            "team": None,
            "summary": "",
            "rpc_origins": [],
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "bot": self.bot_user,
        }

    def _h_gateway(self, rec: RecordedRequest) -> JsonHandlerResult:
        return 200, {"url": self.gateway_url.rstrip("/")}

    def _h_gateway_bot(self, rec: RecordedRequest) -> JsonHandlerResult:
        return 200, {
            "url": self.gateway_url.rstrip("/"),
            "shards": self.shard_count,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 14400000,
                "max_concurrency": 1,
            },
        }

    def _command_out(
        self, cmd: Mapping[str, Any], gid: str | None, existing: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **cmd,
        }
        out["id"] = existing["id"] if existing else self.snowflake()
        out["application_id"] = self.application_id
        out["version"] = self.snowflake()
        if gid is not None:
            out["guild_id"] = gid
        return out

    def _h_put_commands(
        self, rec: RecordedRequest, app: str, gid: str | None = None
    ) -> JsonHandlerResult:
        old = {(c["name"], c.get("type", 1)): c for c in self.synced_commands.get(gid, [])}
        result = [
            self._command_out(c, gid, old.get((c["name"], c.get("type", 1))))
            for c in rec.json or []
        ]
        self.synced_commands[gid] = result
        return 200, result

    def _h_get_commands(
        self, rec: RecordedRequest, app: str, gid: str | None = None
    ) -> JsonHandlerResult:
        return 200, self.synced_commands.get(gid, [])

    def _h_post_command(
        self, rec: RecordedRequest, app: str, gid: str | None = None
    ) -> JsonHandlerResult:
        cmds = self.synced_commands.setdefault(gid, [])
        existing = next((c for c in cmds if c["name"] == rec.json["name"]), None)
        out = self._command_out(rec.json, gid, existing)
        if existing is not None:
            cmds.remove(existing)
        cmds.append(out)
        return 201 if existing is None else 200, out

    def _h_callback(self, rec: RecordedRequest, iid: str, token: str) -> JsonHandlerResult:
        body = rec.json or {}
        cb_type = int(body.get("type", 0))
        data = body.get("data") or {}
        interaction = self.interactions.get(iid, {})
        info: dict[str, Any] = {"id": iid, "type": interaction.get("type", 2)}
        result: dict[str, Any] = {"interaction": info, "resource": {"type": cb_type}}
        channel_id = interaction.get("channel_id") or DEFAULT_CHANNEL_ID
        if cb_type in (4, 5):
            msg = self.message_payload(
                channel_id,
                data if cb_type == 4 else {"flags": int(data.get("flags") or 0) | 128},
                files=rec.files,
                webhook_id=self.application_id,
            )
            msg["interaction_metadata"] = {
                "id": iid,
                "type": interaction.get("type", 2),
                "user": (interaction.get("member") or {}).get("user")
                or interaction.get("user")
                or self.owner,
                "authorizing_integration_owners": {},
            }
            self._original_responses[token] = msg["id"]
            info["response_message_id"] = msg["id"]
            info["response_message_loading"] = cb_type == 5
            info["response_message_ephemeral"] = bool(int(data.get("flags") or 0) & 64)
            result["resource"]["message"] = msg
        elif cb_type == 7:
            message = interaction.get("message")
            mid = message["id"] if message else self.snowflake()
            if mid not in self.messages:
                self.messages[mid] = message or self.message_payload(channel_id, {}, message_id=mid)
            info["response_message_id"] = mid
            result["resource"]["message"] = self._edit_message(mid, data, rec.files)
        elif cb_type == 6 and interaction.get("message"):
            # DEFERRED_UPDATE_MESSAGE: "@original" is now the message the component is on.
            message = interaction["message"]
            self.messages.setdefault(message["id"], dict(message))
            self._original_responses[token] = message["id"]
        return 200, result

    def _h_followup(self, rec: RecordedRequest, app: str, token: str) -> JsonHandlerResult:
        interaction = next((i for i in self.interactions.values() if i.get("token") == token), {})
        channel_id = interaction.get("channel_id") or DEFAULT_CHANNEL_ID
        return 200, self.message_payload(
            channel_id, rec.json or {}, files=rec.files, webhook_id=app
        )

    def _resolve_webhook_mid(self, token: str, mid: str) -> str | None:
        return self._original_responses.get(token) if mid == "@original" else mid

    def _h_webhook_get(
        self, rec: RecordedRequest, app: str, token: str, mid: str
    ) -> JsonHandlerResult:
        real = self._resolve_webhook_mid(token, mid)
        if real is None or real not in self.messages:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 200, self.messages[real]

    def _h_webhook_edit(
        self, rec: RecordedRequest, app: str, token: str, mid: str
    ) -> JsonHandlerResult:
        real = self._resolve_webhook_mid(token, mid)
        if real is None:
            # Editing @original before any callback: Discord says Unknown Webhook/Message.
            return 404, {"message": "Unknown Message", "code": 10008}
        if real not in self.messages:
            interaction = next(
                (i for i in self.interactions.values() if i.get("token") == token), {}
            )
            self.message_payload(
                interaction.get("channel_id") or DEFAULT_CHANNEL_ID,
                {},
                message_id=real,
                webhook_id=app,
            )
        msg = self._edit_message(real, rec.json or {}, rec.files)
        if msg is not None and "flags" in msg:
            msg["flags"] = int(msg["flags"]) & ~128  # no longer "loading"
        return 200, msg

    @staticmethod
    def _h_no_content(rec: RecordedRequest, **_: str) -> JsonHandlerResult:
        return 204, None

    def dm_channel_with(self, user_id: str | int) -> dict[str, Any]:
        """The DM channel with a person, made if missing (as if opened long ago)."""
        uid = str(user_id)
        existing = next(
            (c for c in self.dm_channels.values() if c["recipients"][0]["id"] == uid), None
        )
        if existing is None:
            existing = {
                "id": self.snowflake(),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.user_payload(uid)],
            }
            self.dm_channels[existing["id"]] = existing
        return existing

    def _h_open_dm(self, rec: RecordedRequest) -> JsonHandlerResult:
        uid = str((rec.json or {}).get("recipient_id"))
        new = not any(c["recipients"][0]["id"] == uid for c in self.dm_channels.values())
        self.ledger.dm_opens.append(DMOpen(rec.at, uid, new, rec.token))
        return 200, self.dm_channel_with(uid)

    def _h_get_user(self, rec: RecordedRequest, uid: str) -> JsonHandlerResult:
        return 200, self.user_payload(uid)

    def _h_get_channel(self, rec: RecordedRequest, cid: str) -> JsonHandlerResult:
        ch = self._find_channel(cid)
        if ch is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        return 200, ch

    def _h_create_message(self, rec: RecordedRequest, cid: str) -> JsonHandlerResult:
        if self._find_channel(cid) is None:
            return 404, {"message": "Unknown Channel", "code": 10003}
        body = rec.json or {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            if len(str(nonce)) > 25:
                return 400, {
                    "message": "Invalid Form Body",
                    "code": 50035,
                    "errors": {"nonce": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH"}]}},
                }
            seen = self._nonces.get((self.bot_user["id"], str(nonce)))
            if seen is not None and rec.at - seen[0] <= self.nonce_window_seconds:
                self.ledger.repeats += 1
                return 200, self.messages[seen[1]]
        message = self.message_payload(cid, body, files=rec.files)
        if nonce is not None:
            self._nonces[(self.bot_user["id"], str(nonce))] = (rec.at, message["id"])
        self.ledger.created.append(
            Created(rec.at, cid, message["id"], rec.token, str(nonce) if nonce else None, body)
        )
        return 200, message

    def _h_get_message(self, rec: RecordedRequest, cid: str, mid: str) -> JsonHandlerResult:
        msg = self.messages.get(mid)
        if msg is None or msg["channel_id"] != cid:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 200, msg

    def _h_edit_message(self, rec: RecordedRequest, cid: str, mid: str) -> JsonHandlerResult:
        msg = self._edit_message(mid, rec.json or {}, rec.files)
        if msg is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        return 200, msg

    def _h_get_guild(self, rec: RecordedRequest, gid: str) -> JsonHandlerResult:
        try:
            g = self.guild(gid)
        except KeyError:
            return 404, {"message": "Unknown Guild", "code": 10004}
        payload = self.guild_create_payload(g)
        for key in ("members", "channels", "threads", "presences", "voice_states"):
            payload.pop(key, None)
        return 200, payload

    def _h_get_guild_channels(self, rec: RecordedRequest, gid: str) -> JsonHandlerResult:
        try:
            return 200, self.guild(gid)["channels"]
        except KeyError:
            return 404, {"message": "Unknown Guild", "code": 10004}

    def _h_get_guild_roles(self, rec: RecordedRequest, gid: str) -> JsonHandlerResult:
        try:
            return 200, self.guild(gid)["roles"]
        except KeyError:
            return 404, {"message": "Unknown Guild", "code": 10004}

    def _h_get_member(self, rec: RecordedRequest, gid: str, uid: str) -> JsonHandlerResult:
        member = self._find_member(gid, uid)
        if member is None:
            return 404, {"message": "Unknown Member", "code": 10007}
        return 200, member

    # ------------------------------------------------------------------ gateway

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        if not web.WebSocketResponse().can_prepare(request).ok:
            rec = RecordedRequest(
                "GET", request.rel_url.raw_path, None, headers=dict(request.headers), status=404
            )
            await self._record(rec, unknown=True)
            return self._json(404, {"message": "404: Not Found", "code": 0})
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.gateway_connections.append(dict(request.query))
        compress = request.query.get("compress")
        conn = _GatewayConnection(ws=ws, compress=compress)
        if compress == "zlib-stream":
            conn.compressor = zlib.compressobj()
        self._connections.append(conn)
        try:
            await self._send_op(
                conn, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
            )
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    payload = json.loads(msg.data)
                elif msg.type == WSMsgType.BINARY:
                    payload = json.loads(msg.data.decode())
                else:
                    break
                self.gateway_received.append(payload)
                await self._on_gateway_message(conn, payload)
        finally:
            if conn in self._connections:
                self._connections.remove(conn)
            assert self._cond is not None
            async with self._cond:
                self._cond.notify_all()
        return ws

    async def _on_gateway_message(
        self, conn: _GatewayConnection, payload: Mapping[str, Any]
    ) -> None:
        op = payload.get("op")
        d = payload.get("d")
        if op == OP_HEARTBEAT:
            await self._send_op(conn, {"op": OP_HEARTBEAT_ACK, "d": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, d or {})
        elif op == OP_RESUME:
            await self._resume(conn, d or {})
        elif op == OP_REQUEST_MEMBERS:
            await self._request_members(conn, d or {})
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def _identify(self, conn: _GatewayConnection, d: Mapping[str, Any]) -> None:
        shard_id, shard_count = (d.get("shard") or [0, 1])[:2]
        session = _Session(
            session_id=uuid.uuid4().hex, shard_id=int(shard_id), shard_count=int(shard_count)
        )
        self._sessions[session.session_id] = session
        conn.session = session
        guilds = [
            g
            for g in self.guilds
            if self._shard_for(g["id"], session.shard_count) == session.shard_id
        ]
        ready = {
            "v": self.api_version,
            "user": self.bot_user,
            "guilds": [{"id": g["id"], "unavailable": True} for g in guilds],
            "session_id": session.session_id,
            "resume_gateway_url": self.gateway_url.rstrip("/"),
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "geo_ordered_rtc_regions": [],
            "_trace": ["fake-discord"],
        }
        await self._send_dispatch(conn, "READY", ready)
        for g in guilds:
            await self._send_dispatch(conn, "GUILD_CREATE", self.guild_create_payload(g))
        # Recorded last, so wait_until_identified() returns after READY and GUILD_CREATEs.
        self.identifies.append(dict(d))

    async def _resume(self, conn: _GatewayConnection, d: Mapping[str, Any]) -> None:
        self.resumes.append(dict(d))
        session = self._sessions.get(str(d.get("session_id")))
        if session is None:
            await self._send_op(conn, {"op": OP_INVALID_SESSION, "d": False})
            return
        conn.session = session
        await self._send_dispatch(conn, "RESUMED", {"_trace": ["fake-discord"]})

    async def _request_members(self, conn: _GatewayConnection, d: Mapping[str, Any]) -> None:
        gid = str(d.get("guild_id"))
        try:
            members = self.guild(gid)["members"]
        except KeyError:
            members = []
        user_ids = d.get("user_ids")
        if user_ids:
            wanted = {str(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])}
            members = [m for m in members if m["user"]["id"] in wanted]
        chunk = {
            "guild_id": gid,
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        await self._send_dispatch(conn, "GUILD_MEMBERS_CHUNK", chunk)

    @staticmethod
    def _shard_for(guild_id: str | int, shard_count: int) -> int:
        return (int(guild_id) >> 22) % max(shard_count, 1)

    async def _send_op(self, conn: _GatewayConnection, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        async with conn.lock:  # compress+send must stay in order for the shared zlib stream
            if conn.ws.closed:
                return
            if conn.compressor is not None:
                frame = conn.compressor.compress(data) + conn.compressor.flush(zlib.Z_SYNC_FLUSH)
                await conn.ws.send_bytes(frame)
            else:
                # zstd-stream (or none): discord.py also accepts plain text frames.
                await conn.ws.send_str(data.decode())

    async def _send_dispatch(self, conn: _GatewayConnection, event: str, data: Any) -> None:
        assert conn.session is not None
        conn.session.seq += 1
        await self._send_op(conn, {"op": OP_DISPATCH, "s": conn.session.seq, "t": event, "d": data})

    def _live(self) -> list[_GatewayConnection]:
        return [c for c in self._connections if c.session is not None and not c.ws.closed]

    @property
    def connected(self) -> bool:
        return bool(self._live())

    async def wait_until_identified(self, timeout: float = 5.0, *, count: int = 1) -> None:
        """Wait until ``count`` IDENTIFYs were answered with READY (+GUILD_CREATEs)."""
        await self._wait(
            lambda: len(self.identifies) >= count and len(self._live()) >= 1,
            timeout,
            lambda: f"no gateway IDENTIFY within {timeout}s; REST seen: {self.seen_routes()}",
        )

    async def wait_until_resumed(self, timeout: float = 5.0, *, count: int = 1) -> None:
        await self._wait(
            lambda: len(self.resumes) >= count and len(self._live()) >= 1,
            timeout,
            lambda: f"no gateway RESUME within {timeout}s",
        )

    def _targets(self, data: Any, shard_id: int | None) -> list[_GatewayConnection]:
        live = self._live()
        if not live:
            raise AssertionError("no discord.py client is connected to the FakeDiscord gateway")
        if shard_id is None:
            gid = data.get("guild_id") if isinstance(data, Mapping) else None
            count = live[-1].session.shard_count if live[-1].session else 1
            shard_id = self._shard_for(gid, count) if gid else 0
        # The most recent connection for the shard wins (older ones are being replaced).
        for conn in reversed(live):
            if conn.session is not None and conn.session.shard_id == shard_id:
                return [conn]
        return [live[-1]]

    async def dispatch(self, event: str, data: Any, *, shard_id: int | None = None) -> None:
        """Send an op-0 event to the connected client (the shard owning ``data["guild_id"]``)."""
        for conn in self._targets(data, shard_id):
            await self._send_dispatch(conn, event, data)

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client should come back with RESUME."""
        for conn in self._live():
            await self._send_op(conn, {"op": OP_RECONNECT, "d": None})

    # ------------------------------------------------------------------ interactions

    def _interaction_base(
        self,
        itype: int,
        *,
        user_id: str | int,
        guild_id: str | int | None,
        channel_id: str | int | None,
        roles: Iterable[str | int],
        permissions: str | int,
        dm: bool,
        locale: str,
    ) -> dict[str, Any]:
        iid = self.snowflake()
        user = self.user_payload(user_id)
        payload: dict[str, Any] = {
            "id": iid,
            "application_id": self.application_id,
            "type": itype,
            "token": f"itoken-{iid}-{uuid.uuid4().hex}",
            "version": 1,
            "attachment_size_limit": 10 * 1024 * 1024,
            "app_permissions": ALL_PERMISSIONS,
            "locale": locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": self.owner["id"]}
            if not dm
            else {"1": str(user_id)},
        }
        if dm:
            dm_channel = next(
                (c for c in self.dm_channels.values() if c["recipients"][0]["id"] == str(user_id)),
                None,
            ) or {
                "id": str(channel_id or self.snowflake()),
                "type": 1,
                "recipients": [user],
                "flags": 0,
            }
            self.dm_channels.setdefault(dm_channel["id"], dm_channel)
            payload.update(
                {"channel_id": dm_channel["id"], "channel": dm_channel, "user": user, "context": 1}
            )
            return payload
        guild = self.guild(guild_id)
        cid = str(
            channel_id or (guild["channels"][0]["id"] if guild["channels"] else DEFAULT_CHANNEL_ID)
        )
        channel = self._find_channel(cid) or {
            "id": cid,
            "type": 0,
            "name": "unknown",
            "guild_id": guild["id"],
        }
        known = self._find_member(guild["id"], str(user_id))
        member_roles = [str(r) for r in roles] or (known["roles"] if known else [])
        payload.update(
            {
                "guild_id": guild["id"],
                "guild": {"id": guild["id"], "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "channel_id": cid,
                "channel": channel,
                "member": {
                    "user": user,
                    "roles": member_roles,
                    "permissions": str(permissions),
                    "flags": 0,
                    "joined_at": (known or {}).get("joined_at", "2024-01-01T00:00:00+00:00"),
                    "nick": (known or {}).get("nick"),
                    "avatar": None,
                    "deaf": False,
                    "mute": False,
                    "pending": False,
                    "premium_since": None,
                    "communication_disabled_until": None,
                },
                "context": 0,
            }
        )
        return payload

    def _find_synced(
        self, name: str, guild_id: str | None
    ) -> tuple[dict[str, Any] | None, str | None]:
        """The synced command and the scope it was found in (guild id or None for global)."""
        if guild_id is not None:
            for c in self.synced_commands.get(guild_id, []):
                if c["name"] == name:
                    return c, guild_id
        for c in self.synced_commands.get(None, []):
            if c["name"] == name:
                return c, None
        return None, None

    @staticmethod
    def _option_type(value: Any, schema: Mapping[str, Any] | None) -> int:
        if schema is not None and "type" in schema:
            return int(schema["type"])
        if isinstance(value, bool):
            return 5
        if isinstance(value, int):
            return 4
        if isinstance(value, float):
            return 10
        return 3

    def _build_options(
        self,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        schema: Sequence[Mapping[str, Any]],
        guild: Mapping[str, Any] | None,
        resolved: dict[str, dict[str, Any]],
        focused: str | None = None,
    ) -> list[dict[str, Any]]:
        if options is None:
            return []
        if not isinstance(options, Mapping):
            return [dict(o) for o in options]  # already raw option dicts
        by_name = {s["name"]: s for s in schema}
        out = []
        for name, value in options.items():
            otype = self._option_type(value, by_name.get(name))
            opt: dict[str, Any] = {"name": name, "type": otype, "value": value}
            if otype in (6, 7, 8, 9, 11):
                opt["value"] = str(value)
                self._resolve(otype, str(value), guild, resolved)
            if name == focused:
                opt["focused"] = True
            out.append(opt)
        return out

    def _resolve(
        self,
        otype: int,
        value: str,
        guild: Mapping[str, Any] | None,
        resolved: dict[str, dict[str, Any]],
    ) -> None:
        if otype in (6, 9) and (
            otype == 6 or not any(r["id"] == value for r in (guild or {}).get("roles", []))
        ):
            resolved.setdefault("users", {})[value] = self.user_payload(value)
            member = self._find_member(guild["id"], value) if guild else None
            if member is not None:
                m = {k: v for k, v in member.items() if k != "user"}
                m.setdefault("permissions", "0")
                resolved.setdefault("members", {})[value] = m
        elif otype in (8, 9):
            role = next((r for r in (guild or {}).get("roles", []) if r["id"] == value), None)
            resolved.setdefault("roles", {})[value] = role or {
                "id": value,
                "name": "role",
                "permissions": "0",
                "position": 1,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        elif otype == 7:
            ch = self._find_channel(value) or {"id": value, "type": 0, "name": "channel"}
            resolved.setdefault("channels", {})[value] = {
                "id": value,
                "type": ch["type"],
                "name": ch.get("name", ""),
                "permissions": ALL_PERMISSIONS,
                "parent_id": ch.get("parent_id"),
                "guild_id": ch.get("guild_id"),
            }

    def _command_data(
        self,
        itype: int,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        *,
        guild_id: str | None,
        subcommand: str | None,
        subcommand_group: str | None,
        focused: str | None = None,
    ) -> dict[str, Any]:
        synced, scope = self._find_synced(name, guild_id)
        schema: Sequence[Mapping[str, Any]] = (synced or {}).get("options", [])
        guild = self.guild(guild_id) if guild_id is not None else None
        resolved: dict[str, dict[str, Any]] = {}

        def sub_schema(
            sub_name: str, within: Sequence[Mapping[str, Any]]
        ) -> Sequence[Mapping[str, Any]]:
            found = next((o for o in within if o.get("name") == sub_name), None)
            return (found or {}).get("options", [])

        if subcommand_group is not None and subcommand is not None:
            group_schema = sub_schema(subcommand_group, schema)
            leaf = self._build_options(
                options, sub_schema(subcommand, group_schema), guild, resolved, focused
            )
            built = [
                {
                    "name": subcommand_group,
                    "type": 2,
                    "options": [{"name": subcommand, "type": 1, "options": leaf}],
                }
            ]
        elif subcommand is not None:
            leaf = self._build_options(
                options, sub_schema(subcommand, schema), guild, resolved, focused
            )
            built = [{"name": subcommand, "type": 1, "options": leaf}]
        else:
            built = self._build_options(options, schema, guild, resolved, focused)
        data: dict[str, Any] = {
            "id": (synced or {}).get("id") or self.snowflake(),
            "name": name,
            "type": 1,
            "options": built,
        }
        if scope is not None:
            data["guild_id"] = scope
        elif synced is None and guild_id is not None and guild_id in self.synced_commands:
            data["guild_id"] = guild_id
        if resolved:
            data["resolved"] = resolved
        return data

    def slash_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        user_id: str | int,
        guild_id: str | int | None = None,
        channel_id: str | int | None = None,
        roles: Iterable[str | int] = (),
        permissions: str | int = "0",
        subcommand: str | None = None,
        subcommand_group: str | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A complete INTERACTION_CREATE payload for ``/name [group] [subcommand] options``.

        ``options`` is ``{name: value}`` (types come from the synced command schema when
        the bot synced it, else from the Python type) or a list of raw option dicts.
        ``guild_id=None`` means the first configured guild; ``dm=True`` builds a DM
        interaction (``user`` instead of ``member``). ``data.guild_id`` is set when the
        command was synced as a guild command, as Discord does.
        """
        payload = self._interaction_base(
            2,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            roles=roles,
            permissions=permissions,
            dm=dm,
            locale=locale,
        )
        payload["data"] = self._command_data(
            2,
            name,
            options,
            guild_id=payload.get("guild_id"),
            subcommand=subcommand,
            subcommand_group=subcommand_group,
        )
        return payload

    def autocomplete_interaction(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        focused: str,
        user_id: str | int,
        guild_id: str | int | None = None,
        channel_id: str | int | None = None,
        roles: Iterable[str | int] = (),
        permissions: str | int = "0",
        subcommand: str | None = None,
        subcommand_group: str | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A type-4 autocomplete interaction; ``focused`` names the option being typed."""
        payload = self._interaction_base(
            4,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            roles=roles,
            permissions=permissions,
            dm=dm,
            locale=locale,
        )
        payload["data"] = self._command_data(
            4,
            name,
            options,
            guild_id=payload.get("guild_id"),
            subcommand=subcommand,
            subcommand_group=subcommand_group,
            focused=focused,
        )
        return payload

    def _message_for_component(
        self, message: Mapping[str, Any] | None, channel_id: str
    ) -> dict[str, Any]:
        if message is not None:
            return dict(message)
        msg = self.message_payload(channel_id, {"content": "message with components"})
        return msg

    def button_interaction(
        self,
        custom_id: str,
        *,
        user_id: str | int,
        message: Mapping[str, Any] | None = None,
        guild_id: str | int | None = None,
        channel_id: str | int | None = None,
        roles: Iterable[str | int] = (),
        permissions: str | int = "0",
        component_type: int = 2,
        values: Sequence[str] | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A type-3 component interaction (button by default; ``values`` for selects).

        ``message`` defaults to a fresh bot message in the channel; pass the message
        object the bot posted (e.g. ``req.response`` of its create call) to be faithful.
        """
        payload = self._interaction_base(
            3,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            roles=roles,
            permissions=permissions,
            dm=dm,
            locale=locale,
        )
        payload["message"] = self._message_for_component(message, payload["channel_id"])
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        payload["data"] = data
        return payload

    def modal_submit_interaction(
        self,
        custom_id: str,
        values: Mapping[str, str],
        *,
        user_id: str | int,
        message: Mapping[str, Any] | None = None,
        guild_id: str | int | None = None,
        channel_id: str | int | None = None,
        roles: Iterable[str | int] = (),
        permissions: str | int = "0",
        dm: bool = False,
        locale: str = "en-US",
    ) -> dict[str, Any]:
        """A type-5 modal submit: one action row per text input ``{custom_id: value}``."""
        payload = self._interaction_base(
            5,
            user_id=user_id,
            guild_id=guild_id,
            channel_id=channel_id,
            roles=roles,
            permissions=permissions,
            dm=dm,
            locale=locale,
        )
        payload["data"] = {
            "custom_id": custom_id,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ],
        }
        if message is not None:
            payload["message"] = dict(message)
        return payload

    async def send_interaction(self, payload: dict[str, Any]) -> InteractionHandle:
        """Dispatch INTERACTION_CREATE; await ``handle.response()`` for the callback."""
        self.interactions[str(payload["id"])] = payload
        await self.dispatch("INTERACTION_CREATE", payload)
        return InteractionHandle(self, payload)


@contextlib.asynccontextmanager
async def running_discord_client(
    fake: FakeDiscord, client: Any, *, token: str = "fake-token", ready_timeout: float = 5.0
) -> AsyncIterator[Any]:
    """Point discord.py at ``fake``, log ``client`` in, connect, wait for ready; undo on exit.

    Why: sets and restores the two module-level seams (``Route.BASE``,
    ``DiscordWebSocket.DEFAULT_GATEWAY``), uses ``connect(reconnect=False)`` so errors
    surface instead of retrying, and always closes the client.
    """
    import discord.gateway
    import discord.http
    import yarl

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base_url
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    connect_task: asyncio.Task[None] | None = None
    try:
        await client.login(token)
        connect_task = asyncio.create_task(client.connect(reconnect=False))
        ready_task = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {connect_task, ready_task}, timeout=ready_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready_task not in done:
            ready_task.cancel()
            if connect_task in done:
                connect_task.result()  # re-raise the connection error
            raise AssertionError(
                f"discord client not ready within {ready_timeout}s; seen: {fake.seen_routes()}"
            )
        yield client
    finally:
        await client.close()
        if connect_task is not None:
            try:
                await asyncio.wait_for(connect_task, timeout=5)
            except Exception:
                pass
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
