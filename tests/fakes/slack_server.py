"""A stand-in Slack (Web API, response_url, file upload, Socket Mode) on 127.0.0.1.

Why: the bot is tested with the *real* slack-bolt / slack_sdk. Its ``AsyncWebClient`` is
pointed at :attr:`FakeSlack.api_base_url`; ``respond()`` follows the ``response_url`` the
fake puts into request bodies; Socket Mode connects to the URL ``apps.connections.open``
returns. Everything the bot sends is recorded for assertions.
"""

# The wait helpers take `timeout=` by design (tests read better than asyncio.timeout blocks).
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import aiohttp
from aiohttp import WSMsgType, web

from .ledger import Created, DMOpen, Hold, Holds, Ledger

__all__ = ["FakeSlack", "RecordedCall", "SlackUser"]

DEFAULT_TEAM_ID = "T0000000001"
DEFAULT_BOT_USER_ID = "U0000000BOT"
DEFAULT_BOT_ID = "B0000000001"
DEFAULT_APP_ID = "A0000000001"


@dataclass
class RecordedCall:
    """One request seen by the stand-in.

    ``method`` is the Web API method (``chat.postMessage``), ``"response_url"``,
    ``"upload"`` or ``"unknown"``; ``params`` merges query string, form and JSON body.
    """

    method: str
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""
    http_method: str = "POST"
    body: bytes = b""
    status: int = 200
    response: Any = None
    at: float = field(default_factory=time.monotonic)

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth[len("Bearer ") :]
        tok = self.params.get("token")
        return str(tok) if tok is not None else None

    def json_param(self, name: str) -> Any:
        """A param that may arrive as a JSON string (form) or as a value (JSON body)."""
        value = self.params.get(name)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            return json.loads(value)
        return value


@dataclass
class SlackUser:
    """Configurable fields returned by ``users.info``."""

    id: str
    name: str = ""
    real_name: str = ""
    tz: str = "America/New_York"
    tz_label: str = "Eastern Standard Time"
    tz_offset: int = -18000
    is_admin: bool = False
    is_owner: bool = False
    is_bot: bool = False
    deleted: bool = False
    email: str | None = None
    locale: str = "en-US"  # returned only when asked for with include_locale, as Slack does

    def payload(self, team_id: str) -> dict[str, Any]:
        name = self.name or self.id.lower()
        real = self.real_name or name.title()
        return {
            "id": self.id,
            "team_id": team_id,
            "name": name,
            "deleted": self.deleted,
            "real_name": real,
            "tz": self.tz,
            "tz_label": self.tz_label,
            "tz_offset": self.tz_offset,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "profile": {
                "real_name": real,
                "display_name": name,
                "real_name_normalized": real,
                "display_name_normalized": name,
                "email": self.email or f"{name}@example.invalid",
                "team": team_id,
            },
        }


@dataclass
class _Failure:
    method: str
    status: int
    headers: dict[str, str]
    body: Any
    remaining: int
    after: bool = False  # answer with the failure only after acting on the call


class FakeSlack:
    """Slack Web API + response_url + Socket Mode stand-in on ``127.0.0.1:0``.

    ``FakeSlack(users=[SlackUser(...)] | {"U1": {"tz": ...}}, usergroups={"S1": ["U1"]})``;
    ``await fake.start()`` / ``await fake.stop()`` or ``async with``.
    """

    def __init__(
        self,
        *,
        team_id: str = DEFAULT_TEAM_ID,
        team_name: str = "Library Chapter",
        bot_user_id: str = DEFAULT_BOT_USER_ID,
        bot_id: str = DEFAULT_BOT_ID,
        app_id: str = DEFAULT_APP_ID,
        users: Iterable[SlackUser] | Mapping[str, Mapping[str, Any]] = (),
        usergroups: Mapping[str, Iterable[str]] | None = None,
        bot_token: str | None = None,
        app_token: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """``clock`` gives the Unix time message timestamps (``ts``) are made from; pass the
        bot's injected clock so history look-ups by time agree with it. With tokens, a call
        made with any other token gets Slack's ``invalid_auth`` (HTTP 200, ``ok: false``), as
        a mistyped or revoked token does."""
        self.bot_token = bot_token
        self.app_token = app_token
        self.clock = clock
        self.team_id = team_id
        self.team_name = team_name
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = app_id
        self.users: dict[str, SlackUser] = {}
        if isinstance(users, Mapping):
            for uid, fields in users.items():
                self.users[uid] = SlackUser(id=uid, **fields)
        else:
            for u in users:
                self.users[u.id] = u
        self.usergroups: dict[str, list[str]] = {k: list(v) for k, v in (usergroups or {}).items()}

        self.requests: list[RecordedCall] = []
        self.unknown_routes: list[RecordedCall] = []
        self.uploads: dict[str, bytes] = {}
        self.dm_channels: dict[str, str] = {}
        # Every message posted, per channel, oldest first (what conversations.history reads).
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.ledger = Ledger()
        self.holds = Holds()
        self.socket_envelopes: list[dict[str, Any]] = []
        self.socket_acks: dict[str, dict[str, Any]] = {}
        self._failures: list[_Failure] = []
        self._ts_counter = itertools.count(1)
        self._id_counter = itertools.count(1)
        self._sockets: list[web.WebSocketResponse] = []
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._methods: dict[str, Callable[[RecordedCall], dict[str, Any]]] = {
            "auth.test": self._m_auth_test,
            "chat.postMessage": self._m_post_message,
            "chat.update": self._m_update,
            "chat.postEphemeral": self._m_post_ephemeral,
            "chat.delete": self._m_delete,
            "conversations.open": self._m_conversations_open,
            "conversations.history": self._m_conversations_history,
            "users.info": self._m_users_info,
            "usergroups.users.list": self._m_usergroup_users,
            "views.open": self._m_view,
            "views.update": self._m_view,
            "views.push": self._m_view,
            "files.getUploadURLExternal": self._m_get_upload_url,
            "files.completeUploadExternal": self._m_complete_upload,
            "apps.connections.open": self._m_connections_open,
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeSlack:
        """Bind to an ephemeral loopback port and start serving."""
        self._cond = asyncio.Condition()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api_handler)
        app.router.add_post("/response/{token}", self._response_url_handler)
        app.router.add_post("/upload/{file_id}", self._upload_handler)
        app.router.add_get("/socket", self._socket_handler)
        app.router.add_route("*", "/{tail:.*}", self._unknown_handler)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[attr-defined]
        self._port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            if not ws.closed:
                await ws.close()
        self._sockets.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeSlack is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base_url(self) -> str:
        """``AsyncWebClient(base_url=...)``; the trailing slash matters."""
        return f"{self.base_url}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket"

    def response_url(self, token: str | None = None) -> str:
        return f"{self.base_url}/response/{token or uuid.uuid4().hex}"

    # ------------------------------------------------------------------ ids

    def _ts(self) -> str:
        return f"{int(self.clock())}.{next(self._ts_counter):06d}"

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._id_counter):010d}"

    def user(self, user_id: str) -> SlackUser:
        return self.users.get(user_id) or SlackUser(id=user_id)

    # ------------------------------------------------------------------ recording / waiting

    async def _record(self, call: RecordedCall, unknown: bool = False) -> None:
        self.requests.append(call)
        if unknown:
            self.unknown_routes.append(call)
        await self._notify()

    async def _notify(self) -> None:
        assert self._cond is not None
        async with self._cond:
            self._cond.notify_all()

    async def _wait(
        self, check: Callable[[], Any], timeout: float, describe: Callable[[], str]
    ) -> Any:
        if self._cond is None:
            raise RuntimeError("FakeSlack is not started")
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
        return [f"{c.method} -> {c.status}" for c in self.requests]

    async def wait_for(
        self, predicate: Callable[[RecordedCall], bool], timeout: float = 5.0, *, since: int = 0
    ) -> RecordedCall:
        """Wait until a recorded call (index >= ``since``) matches ``predicate``; return it."""

        def check() -> RecordedCall | None:
            for c in self.requests[since:]:
                if predicate(c):
                    return c
            return None

        return await self._wait(
            check,
            timeout,
            lambda: f"no matching Slack call within {timeout}s; seen: {self.seen_routes()}",
        )

    async def wait_for_call(
        self, method: str, timeout: float = 5.0, *, since: int = 0
    ) -> RecordedCall:
        """Wait for a call of this Web API method (or ``"response_url"``)."""
        return await self.wait_for(lambda c: c.method == method, timeout, since=since)

    def calls(self, method: str) -> list[RecordedCall]:
        return [c for c in self.requests if c.method == method]

    def assert_no_unknown_routes(self) -> None:
        if self.unknown_routes:
            seen = [f"{c.http_method} {c.path}" for c in self.unknown_routes]
            raise AssertionError(f"FakeSlack got requests it does not implement: {seen}")

    # ------------------------------------------------------------------ failures

    def fail_next(
        self,
        method: str,
        status: int = 429,
        headers: Mapping[str, str] | None = None,
        body: Any = None,
        times: int = 1,
        *,
        error: str | None = None,
        after: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``after=True``: act on the call
        first, e.g. post the message, then answer with the failure, or with ``status=0`` drop
        the connection).

        ``fail_next("chat.postMessage")`` -> HTTP 429 ``Retry-After: 1`` ``{"ok": false,
        "error": "ratelimited"}``; ``fail_next("chat.postMessage", 200, error="channel_not_found")``
        -> a Slack-style ``{"ok": false, "error": ...}``.
        """
        hdrs = dict(headers or {})
        if status == 429:
            hdrs.setdefault("Retry-After", "1")
        if body is None:
            body = {
                "ok": False,
                "error": error or ("ratelimited" if status == 429 else "internal_error"),
            }
        self._failures.append(_Failure(method, status, hdrs, body, times, after))

    def hold_answers(self, matches: Callable[[RecordedCall], bool]) -> Hold:
        """Keep the answers to matching calls (after acting on them) until released."""
        return self.holds.add(matches)

    async def wait_until(
        self, check: Callable[[], Any], timeout: float = 5.0, what: str = "a condition"
    ) -> Any:
        """Wait (on each recorded call) until ``check()`` is truthy; return its value."""
        return await self._wait(check, timeout, lambda: f"no {what} within {timeout}s")

    def _take_failure(self, method: str, *, after: bool = False) -> _Failure | None:
        for f in self._failures:
            if f.remaining > 0 and f.after == after and f.method in (method, "*"):
                f.remaining -= 1
                if f.remaining == 0:
                    self._failures.remove(f)
                return f
        return None

    # ------------------------------------------------------------------ HTTP handlers

    @staticmethod
    async def _parse_params(request: web.Request, raw: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if ctype == "application/json" and raw:
            body = json.loads(raw)
            if isinstance(body, dict):
                params.update(body)
        elif ctype == "application/x-www-form-urlencoded" and raw:
            params.update(dict(parse_qsl(raw.decode(), keep_blank_values=True)))
        elif ctype.startswith("multipart/"):
            # request.post() reuses the body already read; file parts become FileField.
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"filename": value.filename, "data": value.file.read()}
                else:
                    params[key] = value
        return params

    async def _api_handler(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        raw = await request.read()
        call = RecordedCall(
            method=method,
            params=await self._parse_params(request, raw),
            headers=dict(request.headers),
            path=request.path,
            http_method=request.method,
            body=raw,
        )
        failure = self._take_failure(method)
        if failure is not None:
            call.status, call.response = failure.status, failure.body
            await self._record(call)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        handler = self._methods.get(method)
        if handler is None:
            call.response = {"ok": False, "error": "unknown_method"}
            await self._record(call, unknown=True)
            return web.json_response(call.response)
        if call.token is None:
            call.response = {"ok": False, "error": "not_authed"}
        elif not self._known_token(call.token):
            call.response = {"ok": False, "error": "invalid_auth"}
        else:
            call.response = handler(call)
        late = self._take_failure(method, after=True)
        if late is not None:
            call.status, call.response = late.status, late.body
        await self._record(call)
        await self.holds.pause(call)
        if late is not None and late.status == 0:  # the connection drops: no answer at all
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=500)
        if late is not None:
            return web.json_response(late.body, status=late.status, headers=late.headers)
        return web.json_response(call.response)

    def _known_token(self, token: str) -> bool:
        wanted = self.app_token if token.startswith("xapp-") else self.bot_token
        return wanted is None or token == wanted

    async def _response_url_handler(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            params = {"_raw": raw.decode("utf-8", "replace")}
        call = RecordedCall(
            method="response_url",
            params=params if isinstance(params, dict) else {"_body": params},
            headers=dict(request.headers),
            path=request.path,
            body=raw,
        )
        failure = self._take_failure("response_url")
        if failure is not None:
            call.status, call.response = failure.status, failure.body
            await self._record(call)
            return web.json_response(failure.body, status=failure.status, headers=failure.headers)
        call.response = {"ok": True}
        await self._record(call)
        return web.json_response(call.response)

    async def _upload_handler(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        raw = await request.read()
        self.uploads[file_id] = raw
        call = RecordedCall(
            method="upload",
            params={"file_id": file_id, "size": len(raw)},
            headers=dict(request.headers),
            path=request.path,
            body=raw,
            response=f"OK - {len(raw)}",
        )
        await self._record(call)
        return web.Response(text=f"OK - {len(raw)}")

    async def _unknown_handler(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        call = RecordedCall(
            method="unknown",
            params={},
            headers=dict(request.headers),
            path=request.path,
            http_method=request.method,
            body=raw,
            status=404,
        )
        await self._record(call, unknown=True)
        return web.json_response({"ok": False, "error": "not_found"}, status=404)

    # ------------------------------------------------------------------ Web API methods

    def _m_auth_test(self, call: RecordedCall) -> dict[str, Any]:
        if (call.token or "").startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        return {
            "ok": True,
            "url": f"https://{self.team_name.lower().replace(' ', '-')}.slack.invalid/",
            "team": self.team_name,
            "user": "potluck",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "is_enterprise_install": False,
        }

    def _message(self, call: RecordedCall, ts: str) -> dict[str, Any]:
        msg: dict[str, Any] = {
            "type": "message",
            "subtype": None,
            "text": call.params.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "ts": ts,
        }
        blocks = call.json_param("blocks")
        if blocks is not None:
            msg["blocks"] = blocks
        metadata = call.json_param("metadata")
        if isinstance(metadata, dict) and metadata.get("event_type"):
            msg["metadata"] = {
                "event_type": metadata["event_type"],
                "event_payload": metadata.get("event_payload") or {},
            }
        if call.params.get("thread_ts"):
            msg["thread_ts"] = call.params["thread_ts"]
        return {k: v for k, v in msg.items() if v is not None}

    def _channel_param(self, call: RecordedCall) -> str | dict[str, Any]:
        channel = call.params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if str(channel).startswith("U"):  # posting to a user id opens the DM
            return self._dm_for(str(channel))
        return str(channel)

    def _m_post_message(self, call: RecordedCall) -> dict[str, Any]:
        channel = self._channel_param(call)
        if isinstance(channel, dict):
            return channel
        if not (
            call.params.get("text") or call.params.get("blocks") or call.params.get("attachments")
        ):
            return {"ok": False, "error": "no_text"}
        ts = self._ts()
        message = self._message(call, ts)
        self.history.setdefault(channel, []).append(message)
        key = (message.get("metadata") or {}).get("event_payload", {}).get("key")
        self.ledger.created.append(
            Created(call.at, channel, ts, call.token, str(key) if key else None, call.params)
        )
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_conversations_history(self, call: RecordedCall) -> dict[str, Any]:
        """Newest first, `oldest`/`latest` exclusive, `limit` per page, a cursor for the rest;
        message metadata only with `include_all_metadata` (as Slack does)."""
        channel = str(call.params.get("channel") or "")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        oldest = float(call.params.get("oldest") or 0)
        latest = float(call.params.get("latest") or "inf")
        limit = max(1, min(int(call.params.get("limit") or 100), 999))
        start = int(call.params.get("cursor") or 0)
        with_metadata = str(call.params.get("include_all_metadata", "")).lower() in ("1", "true")
        found = [
            m for m in reversed(self.history.get(channel, [])) if oldest < float(m["ts"]) < latest
        ]
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "ok": True,
            "messages": [
                m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in page
            ],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _m_update(self, call: RecordedCall) -> dict[str, Any]:
        channel = self._channel_param(call)
        if isinstance(channel, dict):
            return channel
        ts = str(call.params.get("ts", ""))
        if not ts:
            return {"ok": False, "error": "message_not_found"}
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": call.params.get("text", ""),
            "message": self._message(call, ts),
        }

    def _m_post_ephemeral(self, call: RecordedCall) -> dict[str, Any]:
        channel = self._channel_param(call)
        if isinstance(channel, dict):
            return channel
        if not call.params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._ts()}

    def _m_delete(self, call: RecordedCall) -> dict[str, Any]:
        return {"ok": True, "channel": call.params.get("channel"), "ts": call.params.get("ts")}

    def _dm_for(self, user_id: str) -> str:
        if user_id not in self.dm_channels:
            self.dm_channels[user_id] = "D" + user_id.lstrip("UW")[:10].rjust(10, "0")
        return self.dm_channels[user_id]

    def _m_conversations_open(self, call: RecordedCall) -> dict[str, Any]:
        users = str(call.params.get("users") or "")
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        first = users.split(",")[0]
        if "," in users:  # a multi-person DM with the bot (Slack: up to 8 users)
            ids = users.split(",")
            if len(ids) > 8:
                return {"ok": False, "error": "too_many_users"}
            fresh = users not in self.dm_channels
            self.ledger.dm_opens.append(DMOpen(call.at, users, fresh, call.token))
            self.dm_channels.setdefault(users, f"G{len(self.dm_channels):010d}")
            return {"ok": True, "no_op": not fresh, "channel": {"id": self.dm_channels[users]}}
        self.ledger.dm_opens.append(
            DMOpen(call.at, first, first not in self.dm_channels, call.token)
        )
        return {
            "ok": True,
            "no_op": first in self.dm_channels,
            "already_open": first in self.dm_channels,
            "channel": {"id": self._dm_for(first)},
        }

    def _m_users_info(self, call: RecordedCall) -> dict[str, Any]:
        uid = str(call.params.get("user") or "")
        if not uid:
            return {"ok": False, "error": "user_not_found"}
        user = self.user(uid)
        payload = user.payload(self.team_id)
        if str(call.params.get("include_locale", "")).lower() in ("1", "true"):
            payload["locale"] = user.locale
        return {"ok": True, "user": payload}

    def _m_usergroup_users(self, call: RecordedCall) -> dict[str, Any]:
        group = str(call.params.get("usergroup") or "")
        if group not in self.usergroups:
            return {"ok": False, "error": "no_such_subteam"}
        return {"ok": True, "users": self.usergroups[group]}

    def _m_view(self, call: RecordedCall) -> dict[str, Any]:
        view = call.json_param("view") or {}
        view_id = call.params.get("view_id") or self._id("V")
        return {
            "ok": True,
            "view": {
                **view,
                "id": view_id,
                "team_id": self.team_id,
                "app_id": self.app_id,
                "bot_id": self.bot_id,
                "hash": uuid.uuid4().hex[:12],
                "state": {"values": {}},
            },
        }

    def _m_get_upload_url(self, call: RecordedCall) -> dict[str, Any]:
        file_id = self._id("F")
        return {"ok": True, "upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _m_complete_upload(self, call: RecordedCall) -> dict[str, Any]:
        files = call.json_param("files") or []
        return {
            "ok": True,
            "files": [{"id": f["id"], "title": f.get("title") or ""} for f in files],
        }

    def _m_connections_open(self, call: RecordedCall) -> dict[str, Any]:
        if not (call.token or "").startswith("xapp-"):
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": True, "url": self.socket_url}

    # ------------------------------------------------------------------ signed requests to the app

    @staticmethod
    def signed_request_headers(
        signing_secret: str, body: bytes, timestamp: int | None = None
    ) -> dict[str, str]:
        """Headers Slack would send with ``body``: timestamp + v0 HMAC-SHA256 signature."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        base = f"v0:{ts}:".encode() + body
        sig = "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()
        return {
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig,
            "Content-Type": "application/x-www-form-urlencoded",
        }

    def slash_command_payload(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U0000000001",
        team_id: str | None = None,
        channel_id: str = "C0000000001",
        trigger_id: str | None = None,
        user_name: str | None = None,
        channel_name: str = "general",
        response_token: str | None = None,
    ) -> dict[str, str]:
        """The fields of a slash command (also the Socket Mode ``slash_commands`` payload)."""
        return {
            "token": "legacy-verification-token",
            "team_id": team_id or self.team_id,
            "team_domain": "library-chapter",
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name or self.user(user_id).name or user_id.lower(),
            "command": command if command.startswith("/") else "/" + command,
            "text": text,
            "api_app_id": self.app_id,
            "is_enterprise_install": "false",
            "response_url": self.response_url(response_token),
            "trigger_id": trigger_id
            or f"{int(time.time())}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex[:16]}",
        }

    def slash_command_body(self, command: str, text: str = "", **kwargs: Any) -> bytes:
        """Form-encoded slash command body (same kwargs as :meth:`slash_command_payload`)."""
        return urlencode(self.slash_command_payload(command, text, **kwargs)).encode()

    def block_actions_payload(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U0000000001",
        team_id: str | None = None,
        channel_id: str = "C0000000001",
        message_ts: str | None = None,
        block_id: str = "actions",
        trigger_id: str | None = None,
        message: Mapping[str, Any] | None = None,
        response_token: str | None = None,
    ) -> dict[str, Any]:
        """A ``block_actions`` interactive payload for a button click."""
        team = team_id or self.team_id
        ts = message_ts or self._ts()
        msg = (
            dict(message)
            if message is not None
            else {
                "type": "message",
                "user": self.bot_user_id,
                "bot_id": self.bot_id,
                "text": "",
                "ts": ts,
                "blocks": [],
            }
        )
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "type": "button",
            "text": {"type": "plain_text", "text": action_id},
            "action_ts": self._ts(),
        }
        if value is not None:
            action["value"] = value
        return {
            "type": "block_actions",
            "user": {
                "id": user_id,
                "username": self.user(user_id).name or user_id.lower(),
                "team_id": team,
            },
            "api_app_id": self.app_id,
            "token": "legacy-verification-token",
            "container": {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().hex[:16]}",
            "team": {"id": team, "domain": "library-chapter"},
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": "general"},
            "message": msg,
            "state": {"values": {}},
            "response_url": self.response_url(response_token),
            "actions": [action],
        }

    def block_actions_body(self, action_id: str, value: str | None = None, **kwargs: Any) -> bytes:
        """``payload=<json>`` body for a button click; kwargs as :meth:`block_actions_payload`."""
        return urlencode(
            {"payload": json.dumps(self.block_actions_payload(action_id, value, **kwargs))}
        ).encode()

    def view_submission_payload(
        self,
        callback_id: str,
        values: Mapping[str, Any],
        *,
        user_id: str = "U0000000001",
        team_id: str | None = None,
        private_metadata: str = "",
        view_id: str | None = None,
        trigger_id: str | None = None,
    ) -> dict[str, Any]:
        """A ``view_submission`` payload.

        ``values`` is ``{block_id: {action_id: "text"}}`` or flat ``{action_id: "text"}``
        (then block_id == action_id); each becomes a ``plain_text_input`` state value.
        """
        team = team_id or self.team_id
        state: dict[str, dict[str, Any]] = {}
        for key, val in values.items():
            inner = val if isinstance(val, Mapping) else {key: val}
            state[key] = {
                aid: (v if isinstance(v, Mapping) else {"type": "plain_text_input", "value": v})
                for aid, v in inner.items()
            }
        return {
            "type": "view_submission",
            "team": {"id": team, "domain": "library-chapter"},
            "user": {
                "id": user_id,
                "username": self.user(user_id).name or user_id.lower(),
                "team_id": team,
            },
            "api_app_id": self.app_id,
            "token": "legacy-verification-token",
            "trigger_id": trigger_id or f"{int(time.time())}.{uuid.uuid4().hex[:16]}",
            "is_enterprise_install": False,
            "enterprise": None,
            "view": {
                "id": view_id or self._id("V"),
                "team_id": team,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "blocks": [],
                "state": {"values": state},
                "hash": uuid.uuid4().hex[:12],
                "title": {"type": "plain_text", "text": "Form"},
                "app_id": self.app_id,
                "bot_id": self.bot_id,
            },
            "response_urls": [],
        }

    def view_submission_body(
        self, callback_id: str, values: Mapping[str, Any], **kwargs: Any
    ) -> bytes:
        return urlencode(
            {"payload": json.dumps(self.view_submission_payload(callback_id, values, **kwargs))}
        ).encode()

    async def post_to_app(
        self,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        extra_headers: Mapping[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST ``body`` to the app under test (as Slack would); returns ``(status, text)``."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        hdrs = {**headers, **(extra_headers or {})}
        async with self._session.post(url, data=body, headers=hdrs) as resp:
            return resp.status, await resp.text()

    async def post_signed(self, url: str, body: bytes, signing_secret: str) -> tuple[int, str]:
        """Shorthand: sign ``body`` with ``signing_secret`` and post it."""
        return await self.post_to_app(url, body, self.signed_request_headers(signing_secret, body))

    # ------------------------------------------------------------------ Socket Mode

    async def _socket_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await self._notify()
        try:
            await ws.send_str(
                json.dumps(
                    {
                        "type": "hello",
                        "num_connections": len(self._sockets),
                        "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
                        "connection_info": {"app_id": self.app_id},
                    }
                )
            )
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    continue
                env_id = data.get("envelope_id") if isinstance(data, dict) else None
                if env_id:
                    self.socket_acks[str(env_id)] = data
                    await self._notify()
        finally:
            if ws in self._sockets:
                self._sockets.remove(ws)
            await self._notify()
        return ws

    async def wait_until_socket_connected(self, timeout: float = 5.0) -> None:
        await self._wait(
            lambda: any(not ws.closed for ws in self._sockets),
            timeout,
            lambda: f"no Socket Mode connection within {timeout}s; seen: {self.seen_routes()}",
        )

    async def socket_send(
        self, envelope_type: str, payload: Mapping[str, Any], *, timeout: float = 5.0
    ) -> str:
        """Send an envelope over the (latest) Socket Mode connection; returns its envelope_id.

        ``envelope_type`` is ``"slash_commands"``, ``"interactive"`` or ``"events_api"``.
        """
        await self.wait_until_socket_connected(timeout)
        ws = [w for w in self._sockets if not w.closed][-1]
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": envelope_type,
            "payload": dict(payload),
            "accepts_response_payload": envelope_type != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        self.socket_envelopes.append(envelope)
        await ws.send_str(json.dumps(envelope))
        return envelope_id

    async def wait_for_socket_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the app's ack ``{"envelope_id", "payload"?}`` of this envelope."""
        return await self._wait(
            lambda: self.socket_acks.get(envelope_id),
            timeout,
            lambda: (
                f"no ack for envelope {envelope_id} in {timeout}s; got {sorted(self.socket_acks)}"
            ),
        )
