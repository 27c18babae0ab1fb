"""The neutral message every adapter renders: rich text, fields, buttons, files, forms.

Text is a list of segments. Plain strings are user-visible text that adapters always escape,
so user input can never become a ping or markup; pings and times are explicit segments.
Messages are pydantic models so the outbox can store them as JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField


class _Model(BaseModel):
    model_config = ConfigDict(frozen=False, ser_json_bytes="base64", val_json_bytes="base64")


TimeStyle = Literal["full", "relative", "date", "time", "short"]


class Time(_Model):
    """A moment each reader sees in their own time zone."""

    kind: Literal["time"] = "time"
    at: datetime
    style: TimeStyle = "full"

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("Time segments need an aware datetime")
        return value


class Mention(_Model):
    """A deliberate ping of one person (never a role, @here or @everyone)."""

    kind: Literal["mention"] = "mention"
    user_id: str
    name: str = ""


class RoleMention(_Model):
    """A deliberate ping of one role (Discord) or user group (Slack), for an organizer's role
    invitation only: user text can never become one. Adapters let exactly these roles ping."""

    kind: Literal["role"] = "role"
    role_id: str
    name: str = ""


class Link(_Model):
    kind: Literal["link"] = "link"
    url: str
    label: str | None = None


class Bold(_Model):
    kind: Literal["bold"] = "bold"
    text: str


class Code(_Model):
    """Something the reader can type, shown verbatim."""

    kind: Literal["code"] = "code"
    text: str


Styled = Annotated[
    Time | Mention | RoleMention | Link | Bold | Code, PydanticField(discriminator="kind")
]
Segment = str | Styled
Text = list[Segment]


def rich(*parts: Segment | None) -> Text:
    """Build text from plain strings and segments, skipping Nones."""
    return [p for p in parts if p is not None and p != ""]


def plain(text: Text) -> str:
    """Text without markup, for logs and fallbacks."""
    out: list[str] = []
    for seg in text:
        if isinstance(seg, str):
            out.append(seg)
        elif isinstance(seg, Time):
            out.append(seg.at.strftime("%Y-%m-%d %H:%M %Z"))
        elif isinstance(seg, Mention):
            out.append(f"@{seg.name or seg.user_id}")
        elif isinstance(seg, RoleMention):
            out.append(f"@{seg.name or seg.role_id}")
        elif isinstance(seg, Link):
            out.append(seg.label or seg.url if not seg.label else f"{seg.label} ({seg.url})")
        elif isinstance(seg, Code):
            out.append(f"`{seg.text}`")
        else:
            out.append(seg.text)
    return "".join(out)


class Field(_Model):
    name: str
    value: Text
    inline: bool = True


ButtonStyle = Literal["primary", "secondary", "success", "danger"]


class Button(_Model):
    """A button whose press is routed to the action handler registered under `action`."""

    label: str
    action: str
    value: str = ""
    style: ButtonStyle = "secondary"
    disabled: bool = False

    @property
    def custom_id(self) -> str:
        return f"{self.action}:{self.value}" if self.value else self.action


class Attachment(_Model):
    filename: str
    content: bytes
    content_type: str = "application/octet-stream"


class FormField(_Model):
    option: str
    label: str
    placeholder: str = ""
    required: bool = False
    long: bool = False
    value: str = ""
    max_length: int | None = None


class Form(_Model):
    """A dialog (Discord modal, Slack view) that, when submitted, runs `command`."""

    title: str
    command: str
    fields: list[FormField]


Accent = Literal["info", "success", "warning", "danger", "muted"]


class Message(_Model):
    title: str | None = None
    text: Text = PydanticField(default_factory=list)
    fields: list[Field] = PydanticField(default_factory=list)
    buttons: list[Button] = PydanticField(default_factory=list)
    files: list[Attachment] = PydanticField(default_factory=list)
    footer: Text = PydanticField(default_factory=list)
    accent: Accent = "info"
    ephemeral: bool = False
    replace_original: bool = False
    form: Form | None = None

    @property
    def mentioned_user_ids(self) -> list[str]:
        """The only people a platform may ping for this message."""
        ids: list[str] = []
        for seg in [*self.text, *(s for f in self.fields for s in f.value), *self.footer]:
            if isinstance(seg, Mention) and seg.user_id not in ids:
                ids.append(seg.user_id)
        return ids

    @property
    def mentioned_role_ids(self) -> list[str]:
        """The only roles (or Slack user groups) a platform may ping for this message."""
        ids: list[str] = []
        for seg in [*self.text, *(s for f in self.fields for s in f.value), *self.footer]:
            if isinstance(seg, RoleMention) and seg.role_id not in ids:
                ids.append(seg.role_id)
        return ids

    def plain_text(self) -> str:
        parts = [self.title or "", plain(self.text)]
        parts += [f"{f.name}: {plain(f.value)}" for f in self.fields]
        return "\n".join(p for p in parts if p)
