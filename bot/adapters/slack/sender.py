"""The Slack outbox sender: one outbox row -> chat.postMessage / chat.update / a file upload.

It never sleeps: a 429 becomes `RetryLater(Retry-After)` so the outbox moves the row's due
time forward and goes on with other channels; errors that no retry can fix become
`Undeliverable`, so a direct message falls back to the event channel instead of retrying.

Slack has no idempotency key, so every post carries message metadata naming its outbox row
(`event_type` "potluck_outbox", `event_payload.key`). A row whose earlier attempt may have
landed (its process died mid-send, or the answer was lost) is looked for first in the
channel's history since that attempt (`conversations.history` with `include_all_metadata`);
found, it is marked sent instead of being posted again. Only such rare re-sends look: Slack
throttles `conversations.history`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import CommandPrefix, fallback_text, payload, reader_zone
from bot.core.delivery import Delivery, RetryLater, RetryScope, Undeliverable
from bot.core.messages import Attachment, Message
from bot.pacing import DirectMessages

log = logging.getLogger("potluck.slack.sender")

PLATFORM = "slack"
METADATA_EVENT = "potluck_outbox"
# How far before the first attempt the history look-up starts (clock differences), and how
# many pages of 200 messages it reads at most.
LOOKUP_MARGIN = timedelta(minutes=2)
LOOKUP_PAGES = 5

# Slack errors that mean "this message can never go there as addressed".
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "cannot_dm_bot",
        "user_not_found",
        "user_not_visible",
        "user_disabled",
        "account_inactive",
        "messages_tab_disabled",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "no_text",
        "too_many_attachments",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "is_inactive",
        "channel_is_archived",
        "invalid_channel",
        "ekm_access_denied",
    }
)


def retry_after(exc: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait, if this error is a rate limit."""
    response = exc.response
    headers: Mapping[str, Any] = getattr(response, "headers", None) or {}
    status = getattr(response, "status_code", None)
    error = response.get("error") if hasattr(response, "get") else None
    if status != 429 and error != "ratelimited":
        return None
    for key, value in headers.items():
        if key.lower() == "retry-after":
            try:
                return max(0.0, float(value[0] if isinstance(value, list) else value))
            except (TypeError, ValueError):
                break
    return 1.0


def classify(exc: SlackApiError, what: str, scope: RetryScope = "destination") -> Exception:
    """The outbox's view of a Slack error: wait, give up, or (default) retry with backoff.
    A rate limit holds `scope`: the destination for chat.postMessage (Slack allows about one
    message per second per channel), the platform for workspace-wide methods."""
    seconds = retry_after(exc)
    if seconds is not None:
        return RetryLater(seconds, f"Slack rate limit on {what}", scope=scope)
    error = str(exc.response.get("error") or "")
    if error in PERMANENT_ERRORS:
        return Undeliverable(f"{what}: {error}")
    return exc


class SlackSender:
    def __init__(
        self,
        client: AsyncWebClient,
        prefix: CommandPrefix | None = None,
        *,
        direct_messages: DirectMessages,
    ) -> None:
        self.client = without_retries(client)
        self.prefix = prefix
        self.direct_messages = direct_messages

    async def deliver(self, item: Delivery) -> str | None:
        try:
            return await self._deliver(item)
        except SlackApiError as exc:
            method = str(getattr(exc.response, "api_url", "") or "").rsplit("/", 1)[-1]
            scope: RetryScope = "destination" if method.startswith("chat.") else "platform"
            raise classify(exc, item.destination.id, scope) from exc
        except aiohttp.ClientError:
            raise  # the outbox retries with backoff

    async def _deliver(self, item: Delivery) -> str | None:
        zone = reader_zone(item.timezone)
        message = self.prefix.apply(item.message) if self.prefix else item.message
        if item.edit_ref:
            channel, _, ts = item.edit_ref.partition(":")
            await self.client.chat_update(channel=channel, ts=ts, **payload(message, zone))
            return item.edit_ref
        channel = item.destination.id
        if item.destination.kind in ("person", "group"):
            known = await self.direct_messages.channel(PLATFORM, item.destination.id)
            channel = known or await self._open_new(item)
        if message.files and not (message.buttons or message.fields or message.title):
            # One upload carries both the text and the files, so a retry never doubles either.
            return await upload(
                self.client, channel, message.files, comment=fallback_text(message, zone)
            )
        if item.maybe_sent and item.key:
            landed = await self.find_posted(channel, item)
            if landed is not None:
                log.info("outbox row %s had already landed as %s", item.id, landed)
                return landed
        response = await self.client.chat_postMessage(
            channel=channel, metadata=outbox_metadata(item), **payload(message, zone)
        )
        ref = f"{response['channel']}:{response['ts']}"
        if message.files:
            try:
                await upload(
                    self.client,
                    str(response["channel"]),
                    message.files,
                    thread_ts=str(response["ts"]),
                )
            except Exception:
                # The message itself is out; resending it would post it twice.
                log.exception("files of outbox row %s could not be uploaded", item.id)
        return ref

    async def find_posted(self, channel: str, item: Delivery) -> str | None:
        """The "channel:ts" of this row's message if an earlier attempt posted it: reads the
        channel's history since shortly before the first attempt, newest first."""
        oldest = ""
        if item.first_attempt_at is not None:
            oldest = f"{(item.first_attempt_at - LOOKUP_MARGIN).timestamp():.6f}"
        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            response = await self.client.conversations_history(
                channel=channel,
                oldest=oldest,
                include_all_metadata=True,
                limit=200,
                cursor=cursor,
            )
            for found in response.get("messages") or []:
                metadata = found.get("metadata") or {}
                if (
                    metadata.get("event_type") == METADATA_EVENT
                    and (metadata.get("event_payload") or {}).get("key") == item.key
                ):
                    return f"{channel}:{found['ts']}"
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                return None
        log.warning("outbox row %s: history too long to be sure; posting again", item.id)
        return None

    async def _open_new(self, item: Delivery) -> str:
        """A DM channel with someone the bot has none with, or a group DM (`Destination.group`:
        the user ids joined by commas, as `conversations.open` takes them): spends the new-DM
        budget, and is remembered under that id for every process."""
        wait = await self.direct_messages.reserve_new(
            PLATFORM, item.community_id, item.destination.id
        )
        if wait > 0:
            raise RetryLater(wait, "new direct messages are paced")
        return await self.dm_channel(item.destination.id, item.community_id)

    async def dm_channel(self, user_id: str, community_id: int | None = None) -> str:
        """The direct-message channel with a person (conversations.open), remembered for
        every process."""
        known = await self.direct_messages.channel(PLATFORM, user_id)
        if known is not None:
            return known
        response = await self.client.conversations_open(users=user_id)
        channel = str((response.get("channel") or {}).get("id") or "")
        if not channel:
            raise Undeliverable(f"no direct-message channel with {user_id}")
        await self.direct_messages.opened(PLATFORM, user_id, channel, community_id)
        return channel


def without_retries(client: AsyncWebClient) -> AsyncWebClient:
    """The same Web API client without slack_sdk's own retry of a call whose connection
    dropped: that call may have been done (a post that landed), and posting again is the
    outbox's decision, after looking in the channel's history."""
    twin = AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        ssl=client.ssl,
        proxy=client.proxy,
        session=client.session,
        headers=client.headers,
        logger=client.logger,
        retry_handlers=[],
    )
    twin.default_params = dict(client.default_params)
    twin.retry_handlers = []
    return twin


def outbox_metadata(item: Delivery) -> dict[str, Any]:
    """Slack message metadata naming the outbox row, found again by `find_posted`."""
    return {"event_type": METADATA_EVENT, "event_payload": {"key": item.key, "row": item.id}}


async def upload(
    client: AsyncWebClient,
    channel: str,
    files: list[Attachment],
    *,
    comment: str | None = None,
    thread_ts: str | None = None,
) -> str:
    """files.getUploadURLExternal + upload + files.completeUploadExternal, shared in
    `channel`; returns "channel:file:<id>" (file messages cannot be edited)."""
    kwargs: dict[str, Any] = {}
    if comment:
        kwargs["initial_comment"] = comment
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    response = await client.files_upload_v2(
        channel=channel,
        file_uploads=[
            {"content": f.content, "filename": f.filename, "title": f.filename} for f in files
        ],
        **kwargs,
    )
    uploaded = response.get("files") or [{}]
    return f"{channel}:file:{uploaded[0].get('id', '')}"


def files_note(message: Message) -> Message:
    """The only-to-you reply that tells where the files went (Slack cannot attach files to
    an ephemeral message, so they go to the person's direct messages)."""
    names = ", ".join(f.filename for f in message.files)
    return message.model_copy(
        update={
            "text": [*message.text, f"\nI sent {names} to you in a direct message."],
            "files": [],
        }
    )
