"""The Slack front door: slack-bolt's AsyncApp composed around Potluck's dispatcher.

Every request is acknowledged first (Slack gives up after 3 seconds) and the work goes on
after the ack: with `process_before_response=False` bolt keeps the listener running once
`ack()` returned. Answers go back through `response_url` (commands, buttons) or the Web API
(forms). A request Slack retries is recognised by its trigger id (or body hash) in the
`handled_requests` table, so it never runs twice, even when another process took the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.forms import form_metadata, inline_errors, open_form
from bot.adapters.slack.people import People, actor_fields
from bot.adapters.slack.render import (
    FORM_CALLBACK_PREFIX,
    CommandPrefix,
    command_text,
    custom_id_of,
    form_as_text,
    form_values,
    payload,
    reader_zone,
)
from bot.adapters.slack.sender import SlackSender, files_note, upload
from bot.config import ConfigError, StartupError
from bot.core.dispatcher import failure_reply, new_ref
from bot.core.messages import Code, Message
from bot.core.types import Actor, ChannelRef
from bot.outbox import Pacing
from storage.repositories import handled

if TYPE_CHECKING:
    from bot.app import Potluck

log = logging.getLogger("potluck.slack")

EVENTS_PATH = "/slack/events"
# The catch-all command: `/potluck event list` runs `/event list`.
MAIN_COMMAND = "potluck"
# A form answer this quick can show its mistakes inline (Slack waits 3 s for the ack).
FORM_INLINE_SECONDS = 2.0
# How long a handled request is remembered; Slack retries within minutes.
HANDLED_KEEP = timedelta(days=1)
HANDLED_PREFIX = "slack:"

# Slack's answers to a token it will not take (https://api.slack.com/methods/auth.test).
REFUSED_TOKEN_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)


def refused_token_line(what: str, error: str | None, variable: str) -> str:
    """`Slack refused the token (invalid_auth): check SLACK_BOT_TOKEN (or slack.bot_token)`."""
    key = "slack." + variable.removeprefix("SLACK_").lower()
    return f"Slack refused the {what} ({error or 'no reason given'}): check {variable} (or {key})"


def _token_on_client(record: logging.LogRecord) -> bool:
    """Drop bolt's "`token` will be unused" warning: bolt reads SLACK_BOT_TOKEN itself and
    warns at every start when given a client, though that client carries the same token."""
    return record.getMessage() != warning_client_prioritized_and_token_skipped()


class SlackAdapter:
    """Slack for one workspace: slash commands, buttons, modals, and the outbox sender."""

    def __init__(self, bot: Potluck, *, client: AsyncWebClient | None = None) -> None:
        self.bot = bot
        self.settings = bot.settings.slack
        if not self.settings.bot_token:
            raise ConfigError("config error: slack.bot_token: set SLACK_BOT_TOKEN (xoxb-...)")
        self.socket_mode = bool(self.settings.app_token)
        if not self.socket_mode and not self.settings.signing_secret:
            raise ConfigError(
                "config error: slack.signing_secret: set SLACK_SIGNING_SECRET for HTTP mode "
                "(or SLACK_APP_TOKEN for Socket Mode)"
            )
        self.client = client or AsyncWebClient(
            token=self.settings.bot_token, base_url=self.settings.api_base_url
        )
        # The token lives on the client only: bolt takes it from there.
        bolt_log = logging.getLogger("potluck.slack.bolt")
        if _token_on_client not in bolt_log.filters:
            bolt_log.addFilter(_token_on_client)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=self.settings.signing_secret or "",
            name="potluck",
            logger=bolt_log,
        )
        self.people = People(self.client, self.settings)
        self.prefix = self.settings.command_prefix
        self.commands = CommandPrefix(self.prefix, bot.registry.top_level_names)
        self.sender = SlackSender(
            self.client, self.commands, direct_messages=bot.outbox.direct_messages
        )
        self._socket: Any = None
        self._closed = asyncio.Event()
        self._working: set[asyncio.Task[Any]] = set()
        self._register()
        bot.outbox.add_sender(
            "slack",
            self.sender,
            Pacing(
                per_destination_seconds=self.settings.seconds_per_channel,
                new_dms_per_minute=self.settings.new_dms_per_minute,
            ),
        )
        if not self.socket_mode:
            bot.web.add_route("POST", EVENTS_PATH, self.handle_http)

    # -- wiring ----------------------------------------------------------------------------

    def command_names(self) -> list[str]:
        """Every slash command this app answers, with the configured prefix."""
        names = self.bot.registry.top_level_names()
        if MAIN_COMMAND not in names:
            names = [*names, MAIN_COMMAND]
        return [f"/{self.prefix}{name}" for name in names]

    def _register(self) -> None:
        for name in self.command_names():
            self.app.command(name)(self.on_command)
        # Anything else Slack routes here (a manifest older than the loaded cogs) still gets
        # a helpful "not a command" answer instead of Slack's "dispatch_failed".
        self.app.command(re.compile(r"^/.+"))(self.on_command)
        self.app.action(re.compile(r".+"))(self.on_action)
        self.app.view(re.compile("^" + re.escape(FORM_CALLBACK_PREFIX)))(self.on_form)

    async def handle_http(self, request: web.Request) -> web.Response:
        """Slack's HTTP endpoint on the bot's web server; bolt verifies the signature."""
        bolt_request = await to_bolt_request(request)
        response = await self.app.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the bot token (auth.test) and, in Socket Mode, connect with the app token.
        Raises StartupError when Slack refuses a token or cannot be reached."""
        who: Any = {}
        try:
            who = await self.client.auth_test()
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error in REFUSED_TOKEN_ERRORS:
                raise StartupError(refused_token_line("token", error, "SLACK_BOT_TOKEN")) from None
            log.warning("Slack auth.test failed (%s); going on", error)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise StartupError(self._unreachable(exc)) from None
        self.bot.scheduler.every("slack-forget-handled", 3600, self.forget_handled)
        if self.socket_mode:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            # Ask for the websocket address ourselves: the Socket Mode client would retry a
            # refused app token forever; the address it gets is the one it then uses.
            address: str | None = None
            try:
                opened = await self.client.apps_connections_open(
                    app_token=self.settings.app_token or ""
                )
                address = opened["url"]
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error in REFUSED_TOKEN_ERRORS or error == "not_allowed_token_type":
                    raise StartupError(
                        refused_token_line("app token", error, "SLACK_APP_TOKEN")
                    ) from None
                log.warning("Slack apps.connections.open failed (%s); retrying", error)
            except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                raise StartupError(self._unreachable(exc)) from None
            self._socket = AsyncSocketModeHandler(self.app, self.settings.app_token)
            self._socket.client.wss_uri = address
            await self._socket.connect_async()
            log.info("Slack: Socket Mode connected")
        else:
            log.info("Slack: HTTP mode, requests at %s", EVENTS_PATH)
        self.bot.metrics.platform("slack")
        self.bot.health.connection("slack", self.connected)
        if who:
            log.info(
                "Slack: workspace %s (%s) as %s",
                who.get("team"),
                who.get("team_id"),
                who.get("user"),
            )

    def _unreachable(self, exc: BaseException) -> str:
        reason = str(exc) or type(exc).__name__
        return f"slack.api_base_url: cannot reach Slack at {self.settings.api_base_url}: {reason}"

    async def wait_closed(self) -> None:
        await self._closed.wait()

    def connected(self) -> bool:
        """Socket Mode: the websocket is open. HTTP mode: requests come to our web server,
        so the app is up until it is stopped."""
        if self._closed.is_set():
            return False
        if not self.socket_mode:
            return True
        client = getattr(self._socket, "client", None)
        current = getattr(client, "current_session", None)
        return current is not None and not current.closed

    async def drain(self) -> None:
        """Wait until every request already acknowledged has been answered."""
        current = asyncio.current_task()
        while pending := [t for t in self._working if t is not current and not t.done()]:
            await asyncio.wait(pending)

    @contextlib.contextmanager
    def _at_work(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._working.add(task)
        try:
            yield
        finally:
            if task is not None:
                self._working.discard(task)

    async def stop(self) -> None:
        """Finish the work already acknowledged (for a while), then disconnect."""
        try:
            async with asyncio.timeout(10):
                await self.drain()
        except TimeoutError:
            log.warning("stopping with Slack requests still running")
        if self._socket is not None:
            try:
                await self._socket.close_async()
            except Exception:
                log.exception("closing the Socket Mode connection failed")
            self._socket = None
        self._closed.set()

    # -- retries ---------------------------------------------------------------------------

    async def first_time(self, body: dict[str, Any], request: AsyncBoltRequest) -> bool:
        """Record this request; False when it (or an earlier delivery of it) was handled."""
        team = actor_fields(body)["team_id"] or "-"
        trigger = body.get("trigger_id")
        if trigger:
            stable = str(trigger)
        else:
            stable = hashlib.sha256(request.raw_body.encode()).hexdigest()[:40]
        key = f"{HANDLED_PREFIX}{team}:{stable}"
        async with self.bot.db.transaction() as session:
            fresh = await handled.first_time(session, key, self.bot.clock.now())
        if not fresh:
            retry = request.headers.get("x-slack-retry-num")
            log.info("Slack request %s already handled (retry %s): skipped", key, retry)
        return fresh

    async def forget_handled(self) -> None:
        cutoff = self.bot.clock.now() - HANDLED_KEEP
        async with self.bot.db.transaction() as session:
            await handled.forget_before(session, HANDLED_PREFIX, cutoff)

    # -- listeners -------------------------------------------------------------------------

    async def actor(self, body: dict[str, Any], **override: str) -> Actor:
        fields = actor_fields(body)
        fields.update({k: v for k, v in override.items() if v})
        return await self.people.actor(**fields)

    def command_line(self, command: str, text: str) -> str:
        """`/pl-event create ...` -> `/event create ...`; `/potluck event list` -> `/event list`."""
        name = command.lstrip("/")
        if self.prefix and name.startswith(self.prefix):
            name = name[len(self.prefix) :]
        text = command_text(text).strip()
        if name == MAIN_COMMAND and MAIN_COMMAND not in self.bot.registry.top_level_names():
            first, _, rest = text.partition(" ")
            first = first.lstrip("/")
            if self.prefix and first.startswith(self.prefix):
                first = first[len(self.prefix) :]
            return f"/{first or 'help'} {rest}".strip()
        return f"/{name} {text}".strip()

    async def on_command(
        self, ack: AsyncAck, body: dict[str, Any], request: AsyncBoltRequest, respond: AsyncRespond
    ) -> None:
        with self._at_work():
            await ack()
            try:
                if not await self.first_time(body, request):
                    return
                actor = await self.actor(body)
                line = self.command_line(
                    str(body.get("command") or ""), str(body.get("text") or "")
                )
                reply = await self.bot.dispatcher.run_line(actor, line, raw=body)
                await self.answer(reply, actor, respond, trigger_id=body.get("trigger_id"))
            except Exception:
                await self._failed(respond, "slash command %s", body.get("command"))

    async def on_action(
        self,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        request: AsyncBoltRequest,
        respond: AsyncRespond,
    ) -> None:
        with self._at_work():
            await ack()
            try:
                if not await self.first_time(body, request):
                    return
                actor = await self.actor(body)
                container = body.get("container") or {}
                channel = actor.channel.external_id
                ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
                ref = f"{channel}:{ts}" if channel and ts else None
                custom_id = custom_id_of(str(action.get("action_id") or ""))
                reply = await self.bot.dispatcher.press(actor, custom_id, message_ref=ref, raw=body)
                await self.answer(
                    reply, actor, respond, trigger_id=body.get("trigger_id"), pressed=True
                )
            except Exception:
                await self._failed(respond, "button %s", action.get("action_id"))

    async def on_form(
        self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], request: AsyncBoltRequest
    ) -> None:
        """A submitted modal. A quick mistake (a bad date, a missing title) is shown inline
        on the field, with the modal still open; anything else closes it and is posted."""
        with self._at_work():
            work = asyncio.create_task(self._run_form(body, view, request))
            done, _ = await asyncio.wait({work}, timeout=FORM_INLINE_SECONDS)
            if work in done and not work.exception():
                outcome = work.result()
                errors = inline_errors(outcome[0], view) if outcome else None
                if errors:
                    await ack(response_action="errors", errors=errors)
                    return
            await ack()
            outcome = await work
            if outcome is not None:
                reply, actor = outcome
                await self.post(reply.model_copy(update={"form": None}), actor)

    async def _run_form(
        self, body: dict[str, Any], view: dict[str, Any], request: AsyncBoltRequest
    ) -> tuple[Message, Actor] | None:
        user_id = str((body.get("user") or {}).get("id") or "")
        channel = ""
        try:
            if not await self.first_time(body, request):
                return None
            meta = form_metadata(view)
            channel = meta.get("channel", "")
            actor = await self.actor(
                body,
                channel_id=channel,
                channel_name=meta.get("channel_name", ""),
                team_domain=meta.get("team_domain", ""),
            )
            command = str(view.get("callback_id") or "")[len(FORM_CALLBACK_PREFIX) :]
            reply = await self.bot.dispatcher.run_command(
                actor, command, form_values(view), raw=body
            )
            return reply, actor
        except Exception:
            ref = new_ref()
            self.bot.dispatcher.telemetry.error("form")
            log.exception(
                "form %s failed (ref %s)", view.get("callback_id"), ref, extra={"ref": ref}
            )
            fields = actor_fields(body)
            fallback = Actor(
                platform="slack",
                community_id=fields["team_id"],
                community_name="",
                user_id=user_id,
                display_name=user_id,
                channel=ChannelRef(external_id=channel),
            )
            return failure_reply(ref), fallback

    # -- answering -------------------------------------------------------------------------

    async def answer(
        self,
        reply: Message,
        actor: Actor,
        respond: AsyncRespond,
        *,
        trigger_id: str | None,
        pressed: bool = False,
    ) -> None:
        """Send a dispatcher reply back where the request came from."""
        if reply.form is not None:
            if trigger_id and await open_form(self.client, reply, actor, str(trigger_id)):
                return
            reply = reply.model_copy(
                update={
                    "form": None,
                    "ephemeral": True,
                    "text": [*reply.text, "\nFill in: ", Code(text=form_as_text(reply.form))],
                }
            )
        reply = self.commands.apply(reply)
        if reply.files:
            reply = await self.share_files(reply, actor)
        body = payload(reply, reader_zone(actor.timezone_hint))
        if pressed and reply.replace_original:
            await respond(replace_original=True, **body)
            return
        await respond(
            response_type="ephemeral" if reply.ephemeral else "in_channel",
            replace_original=False,
            **body,
        )

    async def share_files(self, reply: Message, actor: Actor) -> Message:
        """Files of an only-to-you reply go to the person's DM (Slack cannot attach files to
        ephemeral messages); public ones to the channel, or the DM if the bot is not there."""
        if not reply.ephemeral:
            try:
                await upload(self.client, actor.channel.external_id, reply.files)
                return reply.model_copy(update={"files": []})
            except SlackApiError as exc:
                log.info(
                    "could not share files in %s (%s); sending them by DM",
                    actor.channel.external_id,
                    exc.response.get("error"),
                )
        dm = await self.sender.dm_channel(actor.user_id)
        await upload(self.client, dm, reply.files)
        return files_note(reply)

    async def post(self, reply: Message, actor: Actor) -> None:
        """Answer without a response_url (form submissions): only-to-you replies as an
        ephemeral message, others in the channel; the DM when the channel is closed to us."""
        reply = self.commands.apply(reply)
        if reply.files:
            reply = await self.share_files(reply, actor)
        body = payload(reply, reader_zone(actor.timezone_hint))
        channel = actor.channel.external_id
        if channel:
            try:
                if reply.ephemeral:
                    await self.client.chat_postEphemeral(
                        channel=channel, user=actor.user_id, **body
                    )
                else:
                    await self.client.chat_postMessage(channel=channel, **body)
                return
            except SlackApiError as exc:
                log.info(
                    "could not post in %s (%s); sending a DM", channel, exc.response.get("error")
                )
        dm = await self.sender.dm_channel(actor.user_id)
        await self.client.chat_postMessage(channel=dm, **body)

    async def _failed(self, respond: AsyncRespond, what: str, name: Any) -> None:
        ref = new_ref()
        self.bot.dispatcher.telemetry.error("slack request")
        log.exception("%s failed (ref %s)", what % (name,), ref, extra={"ref": ref})
        try:
            await respond(response_type="ephemeral", **payload(failure_reply(ref)))
        except Exception:
            log.exception("could not tell the person about ref %s", ref)
