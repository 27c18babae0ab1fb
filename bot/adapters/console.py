"""The console front door: the embedded default that needs no account at all.

Interactive (with history) on a terminal; one command per line when piped, so a story can be
scripted: `potluck console < examples/demo.txt`. `@sam /rsvp ...` acts as sam; `/press 2`
presses the second button of the last message that had buttons.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.panel import Panel
from rich.text import Text as RichText

from bot.app import Potluck
from bot.core.delivery import Delivery
from bot.core.messages import Bold, Code, Link, Mention, Message, Text, Time
from bot.core.types import Actor, ChannelRef, Level
from bot.core.zones import zone

_ACCENTS = {
    "info": "cyan",
    "success": "green",
    "warning": "yellow",
    "danger": "red",
    "muted": "grey50",
}


def humanize_delta(at: datetime, now: datetime) -> str:
    seconds = (at - now).total_seconds()
    past = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = round(seconds / size)
            label = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"{label} ago" if past else f"in {label}"
    return "just now"


def render_text(text: Text, zone: ZoneInfo, now: datetime) -> RichText:
    """Plain strings are appended as-is (never parsed as markup), so user text stays text."""
    out = RichText()
    for seg in text:
        if isinstance(seg, str):
            out.append(seg)
        elif isinstance(seg, Time):
            local = seg.at.astimezone(zone)
            if seg.style == "relative":
                out.append(humanize_delta(seg.at, now))
            elif seg.style == "date":
                out.append(local.strftime("%a %d %b %Y"))
            elif seg.style == "time":
                out.append(local.strftime("%H:%M %Z"))
            else:
                out.append(local.strftime("%a %d %b %Y, %H:%M %Z"), style="bold")
        elif isinstance(seg, Mention):
            out.append(f"@{seg.name or seg.user_id}", style="magenta")
        elif isinstance(seg, Link):
            out.append(seg.label or seg.url, style="underline")
            if seg.label:
                out.append(f" ({seg.url})")
        elif isinstance(seg, Bold):
            out.append(seg.text, style="bold")
        elif isinstance(seg, Code):
            out.append(f"`{seg.text}`", style="bold cyan")  # backticks survive piping
    return out


def _read_lines_in_background(stream: TextIO) -> asyncio.Queue[str]:
    """Lines of `stream`, read by a daemon thread so the scheduler and the web server keep
    running while input is awaited, and Ctrl-C never waits for a pipe to close. An empty
    string marks the end."""
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in iter(stream.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
        finally:
            try:
                loop.call_soon_threadsafe(lines.put_nowait, "")
            except RuntimeError:  # the loop is already closed: nobody is waiting
                pass

    threading.Thread(target=pump, name="console-input", daemon=True).start()
    return lines


class ConsoleAdapter:
    def __init__(
        self, bot: Potluck, *, out: Console | None = None, files_dir: Path | None = None
    ) -> None:
        self.bot = bot
        self.settings = bot.settings.console
        self.out = out or Console(highlight=False, soft_wrap=False)
        self.files_dir = files_dir or Path("data") / "files"
        self.buttons: list[tuple[str, str | None]] = []  # (custom_id, message ref)
        self._sent = 0
        bot.outbox.add_sender("console", self)

    # -- people ----------------------------------------------------------------------------

    def actor(self, name: str) -> Actor:
        level = Level.MEMBER
        if name in self.settings.moderators:
            level = Level.MODERATOR
        elif name in self.settings.organizers:
            level = Level.ORGANIZER
        return Actor(
            platform="console",
            community_id="console",
            community_name=self.settings.community,
            user_id=name,
            display_name=name,
            channel=ChannelRef(external_id=self.settings.channel, name=self.settings.channel),
            level=level,
        )

    async def zone_of(self, name: str) -> ZoneInfo:
        _, person = await self.bot.identity.resolve(self.actor(name))
        community = await self.bot.identity.community("console", "console")
        return zone(person, community)

    # -- input -----------------------------------------------------------------------------

    async def handle_line(self, line: str) -> bool:
        """Run one line; False when the person asked to quit."""
        text = line.strip()
        if not text or text.startswith("#"):
            return True
        name = self.settings.user
        if text.startswith("@"):
            head, _, rest = text.partition(" ")
            name, text = head[1:] or name, rest.strip()
        if text in ("/quit", "/exit", "quit", "exit"):
            return False
        if not text.startswith("/"):
            self.out.print(
                RichText("Commands start with /, like /help. Type /quit to leave.", style="yellow")
            )
            return True
        self.out.print(RichText(f"{name}> {text}", style="dim"))
        if text.split()[0] == "/press":
            reply = await self._press(name, text)
        else:
            reply = await self.bot.dispatcher.run_line(self.actor(name), text)
        await self.show(reply, reader=name)
        await self.bot.outbox.pump()
        return True

    async def _press(self, name: str, text: str) -> Message:
        parts = text.split()
        if len(parts) != 2 or not parts[1].isdigit():
            return Message(
                text=["Type /press and a button number, like /press 1."],
                ephemeral=True,
                accent="danger",
            )
        index = int(parts[1])
        if not self.buttons or not 1 <= index <= len(self.buttons):
            count = len(self.buttons)
            hint = f"There are buttons 1 to {count}." if count else "No buttons are showing."
            return Message(
                text=[f"There is no button {index}. {hint}"], ephemeral=True, accent="danger"
            )
        custom_id, ref = self.buttons[index - 1]
        return await self.bot.dispatcher.press(self.actor(name), custom_id, message_ref=ref)

    async def run(self, stream: TextIO | None = None) -> None:
        stream = stream or sys.stdin
        if stream.isatty():
            await self._interactive()
            return
        lines = _read_lines_in_background(stream)
        while True:
            line = await lines.get()
            if not line or not await self.handle_line(line):
                break
            self.out.file.flush()  # a script's reader sees each answer as it comes

    async def _interactive(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory

        history = Path("data") / "console_history"
        history.parent.mkdir(parents=True, exist_ok=True)
        session: PromptSession[str] = PromptSession(history=FileHistory(str(history)))
        self.out.print(
            RichText(
                "Potluck console. Type /help to start, '@name /command' to act as someone else, "
                "/quit to leave.",
                style="bold",
            )
        )
        while True:
            try:
                line = await session.prompt_async(f"{self.settings.user}> ")
            except (EOFError, KeyboardInterrupt):
                break
            if not await self.handle_line(line):
                break

    # -- output ----------------------------------------------------------------------------

    async def show(
        self, message: Message, *, reader: str, heading: str | None = None, ref: str | None = None
    ) -> None:
        zone = await self.zone_of(reader)
        now = self.bot.clock.now()
        body = RichText()
        if message.text:
            body.append_text(render_text(message.text, zone, now))
        for field in message.fields:
            body.append("\n")
            body.append(f"{field.name}" + (": " if field.inline else "\n"), style="bold")
            body.append_text(render_text(field.value, zone, now))
        if message.buttons:
            # The newest message with buttons is the one /press refers to.
            self.buttons = []
            body.append("\n")
            for i, button in enumerate(message.buttons, start=1):
                self.buttons.append((button.custom_id, ref))
                style = "dim" if button.disabled else "reverse"
                body.append(f"[{i}] {button.label}", style=style)
                body.append("  ")
            body.append("(type /press N)", style="dim")
        if message.form is not None:
            body.append("\n")
            fields = " ".join(f'{f.option}:"…"' for f in message.form.fields)
            body.append(f"Fill in: /{message.form.command} {fields}", style="dim")
        for file in message.files:
            path = self._save(file.filename, file.content)
            body.append(f"\n📎 {file.filename} saved to {path}", style="dim")
        if message.footer:
            body.append("\n")
            body.append_text(render_text(message.footer, zone, now).copy())
        title = message.title or ""
        if message.ephemeral:
            title = f"{title}  (only you can see this)" if title else "(only you can see this)"
        if heading:
            title = f"{heading} {title}".strip()
        self.out.print(
            Panel(
                body,
                title=RichText(title) if title else None,
                title_align="left",
                border_style=_ACCENTS[message.accent],
            )
        )

    def _save(self, filename: str, content: bytes) -> Path:
        self.files_dir.mkdir(parents=True, exist_ok=True)
        safe = "".join(c for c in filename if c.isalnum() or c in "._-") or "file"
        path = self.files_dir / safe
        path.write_bytes(content)
        return path

    # -- outbox sender ---------------------------------------------------------------------

    async def deliver(self, item: Delivery) -> str | None:
        self._sent += 1
        ref = item.edit_ref or f"console-{self._sent}"
        if item.destination.kind == "person":
            heading = f"[direct message to @{item.destination.id}]"
            reader = item.destination.id
        else:
            heading = f"[#{item.destination.id}{' (updated)' if item.edit_ref else ''}]"
            reader = self.settings.user
        await self.show(item.message, reader=reader, heading=heading, ref=ref)
        return ref
