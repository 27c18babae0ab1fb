"""Neutral messages -> Slack Block Kit plus notification fallback text, and back for input.

Every plain string is escaped (`&`, `<`, `>`), so nothing a person typed can become
`<!channel>`, `<!here>`, `<!everyone>`, a user-group ping or a link; the only pings are
`Mention` segments, rendered as `<@U123>`. Times become `<!date^...>` so each reader sees
their own local time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.core.messages import (
    Bold,
    Button,
    Code,
    Field,
    Form,
    Link,
    Mention,
    Message,
    RoleMention,
    Text,
    Time,
)
from bot.core.zones import zone

# Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks).
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_PER_SECTION = 10
HEADER_MAX = 150
BUTTON_LABEL_MAX = 75
ACTION_ID_MAX = 255
BUTTONS_PER_ACTIONS = 25
MODAL_TITLE_MAX = 24
MAX_BLOCKS = 50
FALLBACK_MAX = 3900

FORM_CALLBACK_PREFIX = "potluck-form:"

_DATE_TOKENS = {
    "full": "{date_short_pretty} at {time}",
    "relative": "{ago}",
    "date": "{date_short_pretty}",
    "time": "{time}",
    "short": "{date_short} {time}",
}
_FALLBACK_FORMATS = {
    "full": "%a %d %b %Y, %H:%M %Z",
    "relative": "%a %d %b %Y, %H:%M %Z",
    "date": "%a %d %b %Y",
    "time": "%H:%M %Z",
    "short": "%d %b %H:%M %Z",
}
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
_BUTTON_STYLES = {"primary": "primary", "success": "primary", "danger": "danger"}


class CommandPrefix:
    """With `slack.command_prefix`, Slack knows `/pl-event`, not `/event`: rewrite the
    commands that messages mention (hints, examples, code), so what people copy works."""

    def __init__(self, prefix: str, names: Callable[[], Iterable[str]]) -> None:
        self.prefix = prefix
        self._names = names
        self._pattern: re.Pattern[str] | None = None

    def _mention(self) -> re.Pattern[str]:
        if self._pattern is None:  # the commands are known once the cogs are loaded
            alternatives = "|".join(
                re.escape(n) for n in sorted(self._names(), key=len, reverse=True)
            )
            self._pattern = re.compile(rf"(?<![\w/.:-])/({alternatives})(?![\w-])")
        return self._pattern

    def command(self, text: str) -> str:
        if not self.prefix:
            return text
        return self._mention().sub(lambda m: f"/{self.prefix}{m.group(1)}", text)

    def apply(self, message: Message) -> Message:
        if not self.prefix:
            return message

        def fix(text: Text) -> Text:
            out: Text = []
            for seg in text:
                if isinstance(seg, str):
                    out.append(self.command(seg))
                elif isinstance(seg, Code):
                    out.append(Code(text=self.command(seg.text)))
                else:
                    out.append(seg)
            return out

        return message.model_copy(
            update={
                "text": fix(message.text),
                "footer": fix(message.footer),
                "fields": [f.model_copy(update={"value": fix(f.value)}) for f in message.fields],
            }
        )


def escape(text: str) -> str:
    """Slack's mrkdwn escaping: the only three characters that control markup and pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _url(url: str) -> str:
    # `|` and `>` would end the link early; percent-encoding keeps the address intact.
    return escape(url).replace("|", quote("|")).replace("&gt;", quote(">"))


def _time(seg: Time, zone: ZoneInfo) -> str:
    fallback = seg.at.astimezone(zone).strftime(_FALLBACK_FORMATS[seg.style])
    return f"<!date^{int(seg.at.timestamp())}^{_DATE_TOKENS[seg.style]}|{escape(fallback)}>"


def mrkdwn(text: Text, zone: ZoneInfo | None = None) -> str:
    """Rich text as Slack mrkdwn. `zone` only shapes the fallback of times (old clients)."""
    zone = zone or ZoneInfo("UTC")
    out: list[str] = []
    for seg in text:
        if isinstance(seg, str):
            out.append(escape(seg))
        elif isinstance(seg, Time):
            out.append(_time(seg, zone))
        elif isinstance(seg, Mention):
            if re.fullmatch(r"[UW][A-Z0-9]+", seg.user_id):
                out.append(f"<@{seg.user_id}>")
            else:  # not a Slack user id (e.g. a name typed on another platform): just text
                out.append(escape(f"@{seg.name or seg.user_id}"))
        elif isinstance(seg, RoleMention):
            if re.fullmatch(r"S[A-Z0-9]+", seg.role_id):
                out.append(f"<!subteam^{seg.role_id}>")
            else:
                out.append(escape(f"@{seg.name or seg.role_id}"))
        elif isinstance(seg, Link):
            if seg.url.startswith(_SAFE_SCHEMES):
                label = escape(seg.label or seg.url).replace("|", "¦")
                out.append(f"<{_url(seg.url)}|{label}>")
            else:
                out.append(escape(seg.label or seg.url))
        elif isinstance(seg, Bold):
            out.append(f"*{escape(seg.text)}*" if seg.text.strip() else escape(seg.text))
        elif isinstance(seg, Code):
            out.append(f"`{escape(seg.text.replace('`', 'ʼ'))}`" if seg.text else "")
    return "".join(out)


def _chunks(text: str, size: int) -> list[str]:
    """Split long text on line breaks where possible, never mid-`<...>`."""
    pieces: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        if cut <= 0:
            cut = size
            opening = text.rfind("<", 0, cut)
            if opening > text.rfind(">", 0, cut):
                cut = opening or size
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    if text:
        pieces.append(text)
    return pieces


def _plain_text(text: str, limit: int) -> dict[str, Any]:
    text = text.strip() or " "
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def button_action_id(button: Button, index: int) -> str:
    """Action ids must be unique within a message; `#n` is stripped again on a press."""
    suffix = f"#{index}"
    return button.custom_id[: ACTION_ID_MAX - len(suffix)] + suffix


def custom_id_of(action_id: str) -> str:
    return re.sub(r"#\d+$", "", action_id)


def _field_text(field: Field, zone: ZoneInfo) -> str:
    text = f"*{escape(field.name)}*\n{mrkdwn(field.value, zone)}"
    return text if len(text) <= FIELD_TEXT_MAX else text[: FIELD_TEXT_MAX - 1] + "…"


def _sections(text: str) -> list[dict[str, Any]]:
    """Mrkdwn sections, as many as the text needs."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in _chunks(text, SECTION_TEXT_MAX)
        if piece.strip()
    ]


def _field_blocks(fields: list[Field], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Inline fields side by side (up to 10 per section); the others as their own sections."""
    out: list[dict[str, Any]] = []
    inline: list[dict[str, Any]] = []

    def flush() -> None:
        for start in range(0, len(inline), FIELDS_PER_SECTION):
            out.append({"type": "section", "fields": inline[start : start + FIELDS_PER_SECTION]})
        inline.clear()

    for field in fields:
        if field.inline:
            inline.append({"type": "mrkdwn", "text": _field_text(field, zone)})
            continue
        flush()
        text = f"*{escape(field.name)}*\n{mrkdwn(field.value, zone)}"
        out += [
            {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
            for piece in _chunks(text, SECTION_TEXT_MAX)
        ]
    flush()
    return out


def _button_blocks(buttons: list[Button]) -> list[dict[str, Any]]:
    """Actions blocks of up to 25 buttons; disabled buttons are left out (Block Kit has
    none)."""
    elements: list[dict[str, Any]] = []
    for index, button in enumerate(buttons):
        if button.disabled:
            continue
        element: dict[str, Any] = {
            "type": "button",
            "text": _plain_text(button.label, BUTTON_LABEL_MAX),
            "action_id": button_action_id(button, index),
            "value": button.custom_id[:2000],
        }
        style = _BUTTON_STYLES.get(button.style)
        if style:
            element["style"] = style
        elements.append(element)
    return [
        {
            "type": "actions",
            "block_id": f"potluck-actions-{start // 25}",
            "elements": elements[start : start + BUTTONS_PER_ACTIONS],
        }
        for start in range(0, len(elements), BUTTONS_PER_ACTIONS)
    ]


def blocks(message: Message, zone: ZoneInfo | None = None) -> list[dict[str, Any]]:
    """Block Kit for a message: header, sections, fields, buttons, footer.

    Plain dicts rather than slack_sdk's block models: those raise on an over-long text,
    while Slack's limits are handled here by cutting and chunking (and tests compare dicts)."""
    zone = zone or ZoneInfo("UTC")
    out: list[dict[str, Any]] = []
    if message.title:
        out.append({"type": "header", "text": _plain_text(message.title, HEADER_MAX)})
    out += _sections(mrkdwn(message.text, zone))
    out += _field_blocks(message.fields, zone)
    out += _button_blocks(message.buttons)
    if message.footer:
        footer = mrkdwn(message.footer, zone)
        if footer.strip():
            out.append(
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": footer[:SECTION_TEXT_MAX]}],
                }
            )
    if len(out) > MAX_BLOCKS:
        out = [
            *out[: MAX_BLOCKS - 1],
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": "(shortened: the full message was too long for Slack)",
                    }
                ],
            },
        ]
    return out


def fallback_text(message: Message, zone: ZoneInfo | None = None) -> str:
    """The `text` of a message: what notifications and screen readers show. Escaped too,
    because Slack parses it for pings like the blocks."""
    zone = zone or ZoneInfo("UTC")
    parts = [escape(message.title or ""), mrkdwn(message.text, zone)]
    parts += [f"{escape(f.name)}: {mrkdwn(f.value, zone)}" for f in message.fields]
    text = "\n".join(p for p in parts if p.strip())
    if not text:
        text = "Potluck" if not message.files else "Potluck sent a file."
    return text if len(text) <= FALLBACK_MAX else text[: FALLBACK_MAX - 1] + "…"


def payload(message: Message, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """`text` + `blocks`, ready for chat.postMessage / chat.update / response_url."""
    return {"text": fallback_text(message, zone), "blocks": blocks(message, zone)}


def modal(form: Form, *, metadata: dict[str, str]) -> dict[str, Any]:
    """A Slack modal for a form; `callback_id` carries the command the form runs."""
    inputs: list[dict[str, Any]] = []
    for field in form.fields[:MAX_BLOCKS]:
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": field.option,
            "multiline": field.long,
        }
        if field.placeholder:
            element["placeholder"] = _plain_text(field.placeholder, 150)
        if field.value:
            element["initial_value"] = field.value[:3000]
        if field.max_length:
            element["max_length"] = min(field.max_length, 3000)
        inputs.append(
            {
                "type": "input",
                "block_id": field.option,
                "optional": not field.required,
                "label": _plain_text(field.label, 2000),
                "element": element,
            }
        )
    return {
        "type": "modal",
        "callback_id": (FORM_CALLBACK_PREFIX + form.command)[:255],
        "title": _plain_text(form.title, MODAL_TITLE_MAX),
        "submit": _plain_text("Submit", 24),
        "close": _plain_text("Cancel", 24),
        "private_metadata": json.dumps(metadata)[:3000],
        "blocks": inputs,
    }


def form_values(view: dict[str, Any]) -> dict[str, str]:
    """Option values typed into a submitted modal (empty inputs are left out)."""
    values: dict[str, str] = {}
    state = (view.get("state") or {}).get("values") or {}
    for block_id, actions in state.items():
        for action_id, entry in (actions or {}).items():
            value = entry.get("value") if isinstance(entry, dict) else None
            if value is None and isinstance(entry, dict):
                value = entry.get("selected_option", {}) or {}
                value = value.get("value") if isinstance(value, dict) else None
            if value not in (None, ""):
                values[action_id or block_id] = str(value)
    return values


def form_as_text(form: Form) -> str:
    """What to type instead when a modal cannot be opened (the trigger expired)."""
    options = " ".join(f'{f.option}:"…"' for f in form.fields)
    return f"/{form.command} {options}".strip()


_SLACK_SEQUENCE = re.compile(r"<([^<>]*)>")


def command_text(text: str) -> str:
    """Slash command text as the person typed it, for the shared `key:value` grammar.

    Slack escapes `&`, `<`, `>` and (with `should_escape`) turns @people and #channels into
    `<@U123|name>` / `<#C123|name>`; those stay, because options understand them, and so do
    user-group references `<!subteam^S123|@name>` (an organizer's `/invite role:` names one;
    echoed back as user text they are escaped like all user text, so never ping). Broadcast
    references and auto-links become their visible text.
    """

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        if inner.startswith(("@", "#", "!subteam^")):
            return match.group(0)
        target, _, label = inner.partition("|")
        if target.startswith("!"):
            name = target[1:].split("^", 1)[0]
            return label or f"@{name}"
        return label or target

    return _unescape(_SLACK_SEQUENCE.sub(replace, text))


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def reader_zone(name: str | None) -> ZoneInfo:
    """The zone a reader's fallback times are written in: the one Slack or the outbox row
    names for them, else UTC (see bot/core/zones.py)."""
    return zone(name)
