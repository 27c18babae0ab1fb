"""Neutral messages -> Discord embeds, buttons, modals, files and allowed mentions.

Plain text segments are user text: markdown and mentions in them are escaped so they show as
typed and never ping. The only pings a message can make are its explicit `Mention` segments,
and `allowed_mentions` names exactly those people on every send and edit.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import discord
from discord.utils import escape_markdown, escape_mentions

from bot.core.messages import (
    Bold,
    Code,
    Form,
    Link,
    Mention,
    Message,
    RoleMention,
    Text,
    Time,
    plain,
)

ACCENT_COLOURS: dict[str, int] = {
    "info": 0x5865F2,
    "success": 0x57F287,
    "warning": 0xFEE75C,
    "danger": 0xED4245,
    "muted": 0x99AAB5,
}
TIME_STYLES = {"full": "F", "relative": "R", "date": "D", "time": "t", "short": "f"}
BUTTON_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
FORM_PREFIX = "form:"

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
_TITLE, _DESCRIPTION, _FIELDS, _FIELD_NAME, _FIELD_VALUE, _FOOTER = 256, 4096, 25, 256, 1024, 2048
_BUTTONS, _PER_ROW, _LABEL, _CUSTOM_ID = 25, 5, 80, 100


def user_text(text: str) -> str:
    """Shown exactly as typed: no markdown, no @everyone/@here/role/user pings."""
    return escape_mentions(escape_markdown(text))


def timestamp(seg: Time) -> str:
    """Discord shows `<t:...>` in each reader's own zone, so the person's zone never matters."""
    return f"<t:{int(seg.at.timestamp())}:{TIME_STYLES.get(seg.style, 'F')}>"


def render_text(text: Text) -> str:
    out: list[str] = []
    for seg in text:
        if isinstance(seg, str):
            out.append(user_text(seg))
        elif isinstance(seg, Time):
            out.append(timestamp(seg))
        elif isinstance(seg, Mention):
            if seg.user_id.isdigit():
                out.append(f"<@{seg.user_id}>")
            else:
                out.append(user_text("@" + (seg.name or seg.user_id)))
        elif isinstance(seg, RoleMention):
            if seg.role_id.isdigit():
                out.append(f"<@&{seg.role_id}>")
            else:
                out.append(user_text("@" + (seg.name or seg.role_id)))
        elif isinstance(seg, Link):
            url = seg.url.replace(" ", "%20").replace(")", "%29")
            if seg.label:
                label = user_text(seg.label).replace("[", "\\[").replace("]", "\\]")
                out.append(f"[{label}]({url})")
            else:
                out.append(url)
        elif isinstance(seg, Bold):
            out.append(f"**{user_text(seg.text)}**" if seg.text.strip() else user_text(seg.text))
        elif isinstance(seg, Code):
            out.append(_code(seg.text))
    return "".join(out)


def _code(text: str) -> str:
    if not text:
        return ""
    if "`" not in text:
        return f"`{text}`"
    spaced = text.replace("``", "`\u200b`")
    return f"`` {spaced} ``"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def allowed_mentions(message: Message | None = None) -> discord.AllowedMentions:
    """Never everyone/here; users and roles only when the message deliberately mentions them
    (a role only in an organizer's role invitation, see `RoleMention`)."""
    ids = message.mentioned_user_ids if message is not None else []
    role_ids = [
        i for i in (message.mentioned_role_ids if message is not None else []) if i.isdigit()
    ]
    return discord.AllowedMentions(
        everyone=False,
        roles=[discord.Object(int(i)) for i in role_ids] if role_ids else False,
        users=[discord.Object(int(i)) for i in ids if i.isdigit()],
        replied_user=False,
    )


def embed_for(message: Message) -> discord.Embed | None:
    description = render_text(message.text)
    if not (message.title or description or message.fields or message.footer):
        return None
    embed = discord.Embed(colour=ACCENT_COLOURS.get(message.accent, ACCENT_COLOURS["info"]))
    if message.title:
        # Titles show markdown too: escape, and keep within Discord's length.
        embed.title = _cut(user_text(message.title), _TITLE)
    if description:
        embed.description = _cut(description, _DESCRIPTION)
    for f in message.fields[:_FIELDS]:
        embed.add_field(
            name=_cut(user_text(f.name), _FIELD_NAME) or "\u200b",
            value=_cut(render_text(f.value), _FIELD_VALUE) or "\u200b",
            inline=f.inline,
        )
    if message.footer:
        # Footers show no markdown nor timestamps: plain text it is.
        embed.set_footer(text=_cut(plain(message.footer), _FOOTER))
    return embed


def view_for(message: Message) -> discord.ui.View | None:
    """Buttons in rows of five. The view is stopped before sending so discord.py does not keep
    it in memory: presses are routed by custom id, which also survives restarts."""
    if not message.buttons:
        return None
    view = discord.ui.View(timeout=None)
    for index, button in enumerate(message.buttons[:_BUTTONS]):
        view.add_item(
            discord.ui.Button(
                label=_cut(button.label, _LABEL),
                custom_id=button.custom_id[:_CUSTOM_ID],
                style=BUTTON_STYLES.get(button.style, discord.ButtonStyle.secondary),
                disabled=button.disabled,
                row=index // _PER_ROW,
            )
        )
    view.stop()
    return view


def modal_for(form: Form) -> discord.ui.Modal:
    """A dialog whose submit (custom id "form:<command>") runs the form's command."""
    custom_id = f"{FORM_PREFIX}{form.command}"[:_CUSTOM_ID]
    modal = discord.ui.Modal(title=_cut(form.title, 45), custom_id=custom_id)
    for f in form.fields[:5]:
        modal.add_item(
            discord.ui.TextInput(
                label=_cut(f.label, 45),
                custom_id=f.option,
                placeholder=_cut(f.placeholder, 100) or None,
                default=f.value or None,
                required=f.required,
                style=discord.TextStyle.long if f.long else discord.TextStyle.short,
                max_length=min(f.max_length, 4000) if f.max_length else None,
            )
        )
    modal.stop()
    return modal


def form_as_text(form: Form) -> Text:
    """When a dialog cannot be opened (after a deferral), say what to type instead."""
    usage = " ".join(f"{f.option}:…" for f in form.fields)
    return ["\nFill in: ", Code(text=f"/{form.command} {usage}".strip())]


@dataclass
class Rendered:
    """One message ready for any discord.py send or edit call."""

    content: str | None
    embeds: list[discord.Embed]
    view: discord.ui.View | None
    files: list[discord.File] = field(default_factory=list)
    allowed_mentions: discord.AllowedMentions = field(default_factory=allowed_mentions)
    ephemeral: bool = False

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "content": self.content,
            "embeds": self.embeds,
            "allowed_mentions": self.allowed_mentions,
        }
        if self.view is not None:
            kwargs["view"] = self.view
        if self.files:
            kwargs["files"] = self.files
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """A full replacement: what is not in the new message is removed."""
        return {
            "content": self.content,
            "embeds": self.embeds,
            "view": self.view,
            "attachments": self.files,
            "allowed_mentions": self.allowed_mentions,
        }


def render(message: Message) -> Rendered:
    if message.form is not None:
        message = message.model_copy(update={"text": [*message.text, *form_as_text(message.form)]})
    embed = embed_for(message)
    ids = message.mentioned_user_ids
    # Mentions inside embeds never notify, so the people meant to be pinged go in the content.
    pings = [f"<@{i}>" for i in ids if i.isdigit()]
    pings += [f"<@&{i}>" for i in message.mentioned_role_ids if i.isdigit()]
    content = " ".join(pings) or None
    if embed is None and content is None and not message.files:
        content = "\u200b"
    files = [discord.File(io.BytesIO(a.content), filename=a.filename) for a in message.files[:10]]
    return Rendered(
        content=content,
        embeds=[embed] if embed is not None else [],
        view=view_for(message),
        files=files,
        allowed_mentions=allowed_mentions(message),
        ephemeral=message.ephemeral,
    )
