"""The console front door: the embedded default that needs no account at all.

Interactive (with history) on a terminal; one command per line when piped, so a story can be
scripted: `potluck console < examples/demo.txt`. `@sam /rsvp ...` acts as sam; `/press 2`
presses the second button of the newest message with buttons the acting person was shown
(their own direct message or reply, or the channel); an updated message keeps its place.

The console is the operator's own terminal: its commands skip the flood guard (a script may
send hundreds), everything people typed is printed without its terminal escape sequences,
and a file that cannot be written is reported in the reply instead of ending the console.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from rich.ansi import AnsiDecoder
from rich.console import Console
from rich.panel import Panel
from rich.text import Text as RichText

from bot.adapters.console_lines import QUIT_WORDS, acting_problem, space_after_name
from bot.app import Potluck
from bot.core.control_chars import remove_control_characters
from bot.core.delivery import Delivery
from bot.core.messages import Bold, Code, Link, Mention, Message, RoleMention, Text, Time
from bot.core.types import Actor, ChannelRef, Level
from bot.core.zones import zone

log = logging.getLogger("potluck.console")

if TYPE_CHECKING:
    from prompt_toolkit.history import History

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


_KEPT_CONTROLS = frozenset("\n\t")


def terminal_safe(text: str) -> str:
    """Text someone typed, made safe to print on the operator's terminal: escape sequences
    (ECMA-48 colours, cursor moves, screen clears, window titles) are removed by rich's ANSI
    decoder, then every other control character but newline and tab (bell, backspace,
    carriage return, a lone ESC, C1 codes), so no title can repaint the screen or fake a
    line, and the invisible format characters `remove_control_characters` removes from what
    is stored (a right-to-left override would flip the rest of the line, the echoed command
    included). Text without control or format characters comes back unchanged."""
    if text.isprintable():
        return text
    decoder = AnsiDecoder()
    lines = text.replace("\r\n", "\n").replace("\r", "").split("\n")
    plain = "\n".join(decoder.decode_line(line).plain for line in lines)
    kept = "".join(c for c in plain if c in _KEPT_CONTROLS or unicodedata.category(c) != "Cc")
    return remove_control_characters(kept, keep_newlines=True)


def render_text(text: Text, zone: ZoneInfo, now: datetime, *, code_marks: bool = True) -> RichText:
    """Plain strings are appended as-is (never parsed as markup, escape sequences removed), so
    user text stays text. Code keeps its `backticks` when `code_marks` (piped output, where
    no style shows); on a terminal its style alone marks it."""
    out = RichText()
    for seg in text:
        if isinstance(seg, str):
            out.append(terminal_safe(seg))
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
            out.append(terminal_safe(f"@{seg.name or seg.user_id}"), style="magenta")
        elif isinstance(seg, RoleMention):
            out.append(terminal_safe(f"@{seg.name or seg.role_id}"), style="magenta")
        elif isinstance(seg, Link):
            out.append(terminal_safe(seg.label or seg.url), style="underline")
            if seg.label:
                out.append(terminal_safe(f" ({seg.url})"))
        elif isinstance(seg, Bold):
            out.append(terminal_safe(seg.text), style="bold")
        elif isinstance(seg, Code):
            code = terminal_safe(seg.text)
            out.append(f"`{code}`" if code_marks else code, style="bold cyan")
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


@contextmanager
def _logs_to(stream: TextIO) -> Iterator[None]:
    """Point the root logger's console handlers at `stream` (prompt_toolkit's patched
    stderr) for a while, so a warning logged while someone types is printed above the
    prompt instead of over it."""
    moved: list[tuple[logging.StreamHandler[TextIO], TextIO]] = []
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.__stderr__:
            moved.append((handler, handler.setStream(stream) or sys.__stderr__))
    try:
        yield
    finally:
        for handler, old in moved:
            handler.setStream(old)


class ConsoleAdapter:
    def __init__(
        self, bot: Potluck, *, out: Console | None = None, files_dir: Path | None = None
    ) -> None:
        self.bot = bot
        self.settings = bot.settings.console
        self.out = out or Console(highlight=False, soft_wrap=False)
        self.files_dir = files_dir or Path("data") / "files"
        # The newest message with buttons each person can see: (order posted, [(custom_id,
        # message ref)]), keyed by name, or by None for a message everyone sees.
        self.buttons: dict[str | None, tuple[int, list[tuple[str, str | None]]]] = {}
        # The order in which each sent message (by its ref) was first posted: an update of
        # a message (a channel card after an RSVP) keeps the place of the original, as it
        # does on Discord and Slack, so it never takes /press away from a newer message.
        self._posted: dict[str, int] = {}
        self._shown = 0
        self._sent = 0
        # Console names are one person however capitalised ("Sam", "sam"): casefolded name ->
        # the name as first written, which is how they are shown.
        self._written: dict[str, str] = {}
        # On a terminal prompt_toolkit already shows what was typed: no echo then.
        self.echo = True
        bot.outbox.add_sender("console", self)

    # -- people ----------------------------------------------------------------------------

    def actor(self, name: str) -> Actor:
        """The person `name` stands for at the console: one person however capitalised (their
        id is the casefolded name), shown as the name was first written."""
        key = name.casefold()
        level = Level.MEMBER
        if key in {n.casefold() for n in self.settings.moderators}:
            level = Level.MODERATOR
        elif key in {n.casefold() for n in self.settings.organizers}:
            level = Level.ORGANIZER
        return Actor(
            platform="console",
            community_id="console",
            community_name=self.settings.community,
            user_id=key,
            display_name=self._written.setdefault(key, name),
            channel=ChannelRef(external_id=self.settings.channel, name=self.settings.channel),
            level=level,
            rate_limited=False,  # the operator's own terminal: no flood guard
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
            text = space_after_name(text)
            problem = acting_problem(text)
            if problem:
                self.out.print(RichText(terminal_safe(problem), style="yellow"))
                return True
            head, _, rest = text.partition(" ")
            name, text = await self._known_name(head[1:]), rest.strip()
        first, _, more = text.partition(" ")
        first = first.casefold()  # commands are read in any case: /QUIT, /Press, /RSVP
        if first in QUIT_WORDS:
            if not more.strip():
                return False
            if first.startswith("/"):
                self.out.print(RichText(f"To leave, type {first} alone.", style="yellow"))
                return True
        if not text.startswith("/"):
            self.out.print(
                RichText("Commands start with /, like /help. Type /quit to leave.", style="yellow")
            )
            return True
        if self.echo:
            self.out.print(RichText(terminal_safe(f"{name}> {text}"), style="dim"))
        if first == "/press":
            reply = await self._press(name, text)
        else:
            reply = await self.bot.dispatcher.run_line(self.actor(name), text)
        await self.show(reply, reader=name, private=reply.ephemeral)
        await self.bot.outbox.pump()
        return True

    async def _known_name(self, name: str) -> str:
        """`name` as first written by anyone ("Sam" when "@sam" follows "@Sam"), here or in
        an earlier run (the stored display name), else `name` itself."""
        key = name.casefold()
        if key not in self._written:
            community = await self.bot.identity.community("console", "console")
            known = await self.bot.identity.person_by_external_id(community.id, key)
            self._written[key] = known.display_name if known and known.display_name else name
        return self._written[key]

    async def _press(self, name: str, text: str) -> Message:
        parts = text.split()
        if len(parts) != 2 or not parts[1].isdigit():
            return Message(
                text=["Type /press and a button number, like /press 1."],
                ephemeral=True,
                accent="danger",
            )
        index = int(parts[1])
        mine = self.buttons.get(name.casefold())
        shown = [b for b in (mine, self.buttons.get(None)) if b is not None]
        buttons = max(shown)[1] if shown else []
        if not 1 <= index <= len(buttons):
            count = len(buttons)
            hint = (
                f"There are buttons 1 to {count}."
                if count
                else f"No buttons are showing to {name}."
            )
            return Message(
                text=[f"There is no button {index}. {hint}"], ephemeral=True, accent="danger"
            )
        custom_id, ref = buttons[index - 1]
        return await self.bot.dispatcher.press(self.actor(name), custom_id, message_ref=ref)

    async def run(self, stream: TextIO | None = None) -> None:
        """Read commands until /quit or the end of input: with prompt_toolkit when `stream` is
        a terminal, else one line at a time."""
        stream = stream or sys.stdin
        if stream.isatty():
            self.echo = False
            await self._interactive()
            return
        lines = _read_lines_in_background(stream)
        while True:
            line = await lines.get()
            if not line or not await self.handle_line(line):
                break
            self.out.file.flush()  # a script's reader sees each answer as it comes

    async def _interactive(self) -> None:
        """The prompt. Everything printed meanwhile (a reminder arriving while someone types,
        a log warning) goes through prompt_toolkit's patch_stdout, which prints it above the
        prompt and redraws the prompt with the half-typed line. Ctrl-C clears the line, as in
        a shell; Ctrl-D on an empty line (or /quit) leaves."""
        from prompt_toolkit import PromptSession
        from prompt_toolkit.patch_stdout import patch_stdout

        session: PromptSession[str] = PromptSession(history=self._history())
        self.out.print(
            RichText(
                "Potluck console. Type /help to start, '@name /command' to act as someone else, "
                "Ctrl-C to clear the line, /quit or Ctrl-D to leave.",
                style="bold",
            )
        )
        with patch_stdout(raw=True), _logs_to(sys.stderr):
            while True:
                try:
                    line = await session.prompt_async(f"{self.settings.user}> ")
                except KeyboardInterrupt:
                    continue
                except EOFError:
                    break
                if not await self.handle_line(line):
                    break

    def _history(self) -> History:
        """Command history in data/console_history, or kept in memory (with a note) when that
        file cannot be written: a read-only folder costs the history, not the console."""
        from prompt_toolkit.history import FileHistory, InMemoryHistory

        path = Path("data") / "console_history"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8"):
                pass
        except OSError as exc:
            self.out.print(
                RichText(f"(History is not saved: {path}: {exc.strerror or exc}.)", style="yellow")
            )
            return InMemoryHistory()
        return FileHistory(str(path))

    # -- output ----------------------------------------------------------------------------

    async def show(
        self,
        message: Message,
        *,
        reader: str,
        heading: str | None = None,
        ref: str | None = None,
        private: bool = False,
        readers: Sequence[str] = (),
    ) -> None:
        """Print `message` in `reader`'s zone. Its buttons are the ones `/press` picks for
        `reader` and `readers` when `private` (an only-you reply, a direct message), else for
        everyone."""
        zone = await self.zone_of(reader)
        now = self.bot.clock.now()
        marks = not self.out.is_terminal
        body = RichText()
        saved, unsaved = self._save_files(message)
        if unsaved:
            # The text introduces the files ("Here is everything..."): when one could not be
            # written, the reply says so instead, first.
            body.append(" ".join(unsaved), style="yellow")
        elif message.text:
            body.append_text(render_text(message.text, zone, now, code_marks=marks))
        for field in message.fields:
            body.append("\n")
            name = terminal_safe(field.name)
            body.append(name + (": " if field.inline else "\n"), style="bold")
            body.append_text(render_text(field.value, zone, now, code_marks=marks))
        if message.buttons:
            self._keep_buttons(message, ref, {reader, *readers} if private else {None})
            body.append("\n")
            for i, button in enumerate(message.buttons, start=1):
                style = "dim" if button.disabled else "reverse"
                body.append(f"[{i}] {terminal_safe(button.label)}", style=style)
                body.append("  ")
            alone = private and set(readers) <= {reader}  # one person's own message
            typed = f"@{reader} /press N" if alone and reader != self.settings.user else "/press N"
            body.append(f"(type {terminal_safe(typed)})", style="dim")
        if message.form is not None:
            body.append("\n")
            fields = " ".join(f'{f.option}:"…"' for f in message.form.fields)
            body.append(f"Fill in: /{message.form.command} {fields}", style="dim")
        for line in saved:
            body.append(line, style="dim")
        if message.footer:
            body.append("\n")
            body.append_text(render_text(message.footer, zone, now, code_marks=marks).copy())
        title = terminal_safe(message.title or "")
        if message.ephemeral:
            title = f"{title}  (only you can see this)" if title else "(only you can see this)"
        if heading:
            title = f"{terminal_safe(heading)} {title}".strip()
        self.out.print(
            Panel(
                body,
                title=RichText(title) if title else None,
                title_align="left",
                border_style=_ACCENTS[message.accent],
            )
        )

    def _keep_buttons(self, message: Message, ref: str | None, seen_by: set[str | None]) -> None:
        """Make `message` the one /press means for each of `seen_by` (names, or None for
        everyone in the channel) when it is the newest message with buttons they were
        shown. Messages count in the order they were first posted: an update (same `ref`)
        replaces the buttons of its original, in the original's place."""
        if ref is not None and ref in self._posted:
            order = self._posted[ref]
        else:
            self._shown += 1
            order = self._shown
            if ref is not None:
                self._posted[ref] = order
        pressable = [(button.custom_id, ref) for button in message.buttons]
        for reader in seen_by:
            key = reader.casefold() if reader is not None else None  # "Sam" is "sam"
            newest = self.buttons.get(key)
            if newest is None or newest[0] <= order:
                self.buttons[key] = (order, pressable)

    def _save_files(self, message: Message) -> tuple[list[str], list[str]]:
        """Write the message's files into files_dir: the "File saved: <path>" lines, and the lines
        saying which files could not be written (with what to do)."""
        saved: list[str] = []
        unsaved: list[str] = []
        for file in message.files:
            shown = terminal_safe(file.filename)
            try:
                path = self._save(file.filename, file.content)
            except OSError as exc:
                # The system's words ("File exists", "Read-only file system") name no folder
                # and no remedy; the debug log keeps them for whoever needs the detail.
                log.debug("could not save %s in %s: %s", file.filename, self.files_dir, exc)
                unsaved.append(
                    f"📎 {shown} could not be saved in {self.files_dir}: that folder cannot "
                    "be written here (a file may have its name, or the folder is read-only). "
                    "Start the console in a folder you can write to."
                )
            else:
                # The name actually written, once: a second export.json is saved as
                # export-2.json, and naming both would contradict itself.
                saved.append(f"\n📎 File saved: {path}")
        return saved, unsaved

    def _save(self, filename: str, content: bytes) -> Path:
        """Write a reply's file into files_dir under a name of its own: `export.json`, then
        `export-2.json`, ... (an earlier file is never overwritten). Raises OSError."""
        self.files_dir.mkdir(parents=True, exist_ok=True)
        typed = terminal_safe(filename)
        safe = "".join(c for c in typed if c.isalnum() or c in "._-").lstrip(".") or "file"
        stem, dot, suffix = safe.rpartition(".")
        if not stem:
            stem, dot, suffix = safe, "", ""
        number = 1
        while True:
            name = safe if number == 1 else f"{stem}-{number}{dot}{suffix}"
            path = self.files_dir / name
            try:
                with path.open("xb") as out:  # "x": fails instead of overwriting
                    out.write(content)
            except FileExistsError:
                number += 1
                continue
            return path

    # -- outbox sender ---------------------------------------------------------------------

    async def deliver(self, item: Delivery) -> str | None:
        self._sent += 1
        ref = item.edit_ref or f"console-{self._sent}"
        members: list[str] = []
        if item.destination.kind == "person":
            reader = self._written.get(item.destination.id, item.destination.id)
            heading = f"[direct message to @{reader}]"
            members = [reader]
        elif item.destination.kind == "group":
            members = [self._written.get(m, m) for m in item.destination.id.split(",")]
            heading = f"[group message to {', '.join('@' + m for m in members)}]"
            reader = members[0]
        else:
            heading = f"[#{item.destination.id}{' (updated)' if item.edit_ref else ''}]"
            reader = self.settings.user
        await self.show(
            item.message,
            reader=reader,
            heading=heading,
            ref=ref,
            private=bool(members),
            readers=members,
        )
        return ref
