"""Slack modals (forms): opening one for a command's form, reading what came back with it,
and showing a refusal inline on the field it names.

Slack's `views.open` needs a trigger id that lives 3 seconds
(https://api.slack.com/surfaces/modals#opening); a submitted view carries our
`private_metadata` back (at most 3,000 characters, Slack's limit), and `response_action:
"errors"` shows messages under the named input blocks.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.render import modal
from bot.core.messages import Message, plain
from bot.core.types import Actor

log = logging.getLogger("potluck.slack")


async def open_form(client: AsyncWebClient, reply: Message, actor: Actor, trigger_id: str) -> bool:
    """Open `reply.form` as a modal for the person who typed the command. Returns False when
    Slack refused it (an expired trigger id, typically), so the caller shows the form as text
    instead. The channel travels in the view's `private_metadata` (`form_metadata`)."""
    assert reply.form is not None
    metadata = {
        "channel": actor.channel.external_id,
        "channel_name": actor.channel.name,
        "team_domain": actor.community_name,
    }
    try:
        await client.views_open(trigger_id=trigger_id, view=modal(reply.form, metadata=metadata))
        return True
    except SlackApiError as exc:
        # trigger ids live 3 seconds; a slow request shows the form as text instead
        log.warning("views.open failed: %s", exc.response.get("error"))
        return False


def inline_errors(reply: Message, view: dict[str, Any]) -> dict[str, str] | None:
    """A refusal of what was typed, as Slack's inline modal errors: on the field the message
    names (`when:`), else on the first field."""
    if reply.accent != "danger" or not reply.ephemeral or reply.buttons or reply.files:
        return None
    fields = list(((view.get("state") or {}).get("values") or {}).keys()) or [
        str(b["block_id"]) for b in view.get("blocks") or [] if b.get("block_id")
    ]
    if not fields:
        return None
    text = plain(reply.text)
    if "(ref " in text:  # our own failure, not the person's input
        return None
    named = re.search(r"`(\w+):`", text)
    block = named.group(1) if named and named.group(1) in fields else fields[0]
    return {block: text[:1900]}


def form_metadata(view: dict[str, Any]) -> dict[str, str]:
    """The `private_metadata` a modal was opened with (`open_form`), as strings; empty when
    it is missing or not a JSON object."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
