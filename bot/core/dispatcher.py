"""The dispatcher: one entry point per kind of input, each returning a reply and never raising.

Adapters call `run_line` (Slack, console), `run_command` (Discord, forms), `press` (buttons)
and `suggest` (autocomplete). Known errors become friendly only-to-you replies; anything else
becomes "something went wrong (ref ABC123)" with the traceback logged under that ref.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any, Protocol

from bot.core.checks import RateLimiter, require_level
from bot.core.clock import Clock
from bot.core.commands import CommandSpec
from bot.core.control_chars import remove_control_characters
from bot.core.errors import ECHO_MAX, Ambiguous, BadOption, UserError, echo
from bot.core.grammar import bind_options, split_command
from bot.core.messages import Code, Message, Text, rich
from bot.core.options import convert_options
from bot.core.registry import Registry
from bot.core.telemetry import LogContext, NoTelemetry, Telemetry, current_log_context
from bot.core.types import Actor, Community, Invocation, Person
from bot.core.zonewords import is_zone

log = logging.getLogger("potluck.dispatch")

# The longest button value we accept: Slack's limit for a button's `value` (2000 characters,
# Block Kit button element reference); ours are far shorter.
MAX_BUTTON_VALUE = 2000


class IdentityResolver(Protocol):
    """Storage's answer to "which community and person is this actor?"."""

    async def resolve(self, actor: Actor) -> tuple[Community, Person]: ...


def _name_option(exc: Ambiguous, options: Mapping[str, Any]) -> None:
    """Word an ambiguity's hint with the option the person typed the value in, so it can
    be followed as it is (`/event cancel id:Feed` is told `id:`, `/rsvp Feed` `event:`)."""
    for option, value in options.items():
        if isinstance(value, str) and value.strip().lstrip("#") == exc.typed:
            exc.typed_as(option)
            return


def error_reply(exc: UserError) -> Message:
    text = exc.message + (f"\n{exc.hint}" if exc.hint else "")
    return clip_echoes(Message(text=backticks_as_code(text), ephemeral=True, accent="danger"))


# A run of text without spaces longer than any word or command: someone's pasted text.
_LONG_RUN = re.compile(rf"\S{{{ECHO_MAX + 1},}}")


def _clip_code(text: str) -> str:
    """A code part of an error as it may be shown. A suggested command (it starts with "/")
    is the bot's own text with the person's values in it: only its quoted values and long
    runs are cut, so the command stays whole and can still be copied. Any other code part is
    an echo of what was typed, cut as a whole."""
    if not text.startswith("/"):
        return echo(text)
    parts = text.split('"')  # odd parts are quoted values
    return '"'.join(
        echo(part) if i % 2 else _LONG_RUN.sub(lambda m: echo(m.group(0)), part)
        for i, part in enumerate(parts)
    )


def clip_echoes(reply: Message) -> Message:
    """An error reply (accent "danger") with the person's own text cut to ECHO_MAX
    characters wherever it repeats it: every quoted (code) echo longer than that, every long
    quoted value inside a suggested command, and any run of text without spaces longer than
    that. Other replies are returned as they are."""
    if reply.accent != "danger":
        return reply
    text = [
        Code(text=_clip_code(seg.text))
        if isinstance(seg, Code)
        else _LONG_RUN.sub(lambda m: echo(m.group(0)), seg)
        if isinstance(seg, str)
        else seg
        for seg in reply.text
    ]
    return reply.model_copy(update={"text": text})


def backticks_as_code(text: str) -> Text:
    """Error texts quote what to type in `backticks`; make those Code segments so every
    platform shows them as code instead of escaping the backticks."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the text alone
        return [text]
    return rich(*(Code(text=p) if i % 2 else p for i, p in enumerate(parts)))


def with_reading_notes(reply: Message, inv: Invocation | None) -> Message:
    """An only-to-you reply with a line for each ambiguous date or zone word the command's
    options were read with ("I read 4/12 as 4 December (day first)..."), so the person sees
    the reading that was taken, whether the command then succeeded or not."""
    if inv is None or not reply.ephemeral:
        return reply
    notes = [note for reading in inv.readings.values() for note in reading.notes]
    if not notes:
        return reply
    # Marked like the notes a command adds itself (`ends:` read across midnight): ⚠️.
    return reply.model_copy(update={"text": [*reply.text, *(f"\n⚠️ {note}" for note in notes)]})


def failure_reply(ref: str) -> Message:
    return Message(
        text=rich(
            f"Sorry, something went wrong on my side (ref {ref}). ",
            "Nothing was changed. Please try again; if it keeps happening, "
            "tell a moderator the ref.",
        ),
        ephemeral=True,
        accent="danger",
    )


# What a command or a press gets while this process stops; another process (or this one,
# restarted) takes the next one.
STOPPING = UserError(
    "Potluck is restarting and did not run that.", hint="Please try again in a minute."
)


class Dispatcher:
    def __init__(
        self,
        registry: Registry,
        resolver: IdentityResolver,
        clock: Clock,
        *,
        commands_per_minute: int = 30,
        command_prefix: str = "",
        telemetry: Telemetry | None = None,
    ) -> None:
        self.registry = registry
        self.telemetry: Telemetry = telemetry or NoTelemetry()
        self.resolver = resolver
        self.clock = clock
        self.limiter = RateLimiter(commands_per_minute, clock)
        self.command_prefix = command_prefix
        # False once the process drains for a stop (SIGTERM): new commands and presses are
        # answered with STOPPING and not run; those already running finish.
        self.accepting = True

    async def invocation(
        self, actor: Actor, *, command: str = "", raw: Any = None, message_ref: str | None = None
    ) -> Invocation:
        actor = platform_facts(actor)
        community, person = await self.resolver.resolve(actor)
        return Invocation(
            platform=actor.platform,
            community=community,
            person=person,
            channel=actor.channel,
            now=self.clock.now(),
            command=command,
            raw=raw,
            message_ref=message_ref,
            locale=actor.locale,
        )

    # -- entry points ----------------------------------------------------------------------

    async def run_line(self, actor: Actor, line: str, *, raw: Any = None) -> Message:
        """A command typed as text: `/event create title:"Winter party" when:friday`."""
        try:
            words, tokens = split_command(line)
            if self.command_prefix and words and words[0].startswith(self.command_prefix):
                words[0] = words[0][len(self.command_prefix) :]
            spec, used = self.registry.resolve(words)
            if spec is None:
                raise self._unknown(words)
            unnamed: set[str] = set()
            values = bind_options(spec, tokens[used:], unnamed)
        except UserError as exc:
            return error_reply(exc)
        return await self.run_command(actor, spec, values, raw=raw, unnamed=frozenset(unnamed))

    async def run_command(
        self,
        actor: Actor,
        command: CommandSpec | str,
        options: Mapping[str, Any],
        *,
        raw: Any = None,
        unnamed: frozenset[str] = frozenset(),
    ) -> Message:
        """A command with its options bound; `unnamed` the options typed without their name."""
        ref = ""
        inv: Invocation | None = None
        started = time.perf_counter()
        name = getattr(command, "name", command)
        context = current_log_context.get()
        try:
            if not self.accepting:
                raise STOPPING
            spec = command if isinstance(command, CommandSpec) else self._spec(command)
            inv = await self.invocation(actor, command=spec.name, raw=raw)
            inv.unnamed = unnamed
            current_log_context.set(LogContext(inv.platform, inv.community.id))
            require_level(inv, spec.level, f"/{spec.name}")
            if actor.rate_limited:
                self.limiter.check(inv, spec)
            values = convert_options(spec, dict(options), inv)
            assert spec.handler is not None
            reply = await spec.handler(inv, **values)
            if reply is None:
                reply = Message(text=["Done."], ephemeral=True)
            return with_reading_notes(clip_echoes(reply), inv)  # a refusal the handler wrote
        except UserError as exc:
            if isinstance(exc, Ambiguous):
                _name_option(exc, options)
            return with_reading_notes(error_reply(exc), inv)
        except Exception:
            ref = new_ref()
            self.telemetry.error("command")
            log.exception("command %r failed (ref %s)", name, ref, extra={"ref": ref})
            return failure_reply(ref)
        finally:
            self.telemetry.command_finished(str(name), time.perf_counter() - started)
            current_log_context.set(context)

    async def press(
        self, actor: Actor, custom_id: str, *, message_ref: str | None = None, raw: Any = None
    ) -> Message:
        """A button press; `custom_id` is "action:value" as built by `Button.custom_id`. The
        value is platform text like any other: control characters are removed, and one longer
        than any button of ours carries (Slack's 2000-character limit) is refused."""
        name, _, value = remove_control_characters(custom_id).partition(":")
        started = time.perf_counter()
        context = current_log_context.get()
        try:
            if not self.accepting:
                raise STOPPING
            spec = self.registry.actions.get(name)
            if spec is None or spec.handler is None or len(value) > MAX_BUTTON_VALUE:
                raise UserError(
                    "That button no longer works.", hint="Type /help to see what you can do now."
                )
            inv = await self.invocation(
                actor, command=f"button:{name}", raw=raw, message_ref=message_ref
            )
            current_log_context.set(LogContext(inv.platform, inv.community.id))
            require_level(inv, spec.level, "this button")
            if actor.rate_limited:
                self.limiter.check(inv)
            reply = await spec.handler(inv, value)
            return (
                clip_echoes(reply) if reply is not None else Message(text=["Done."], ephemeral=True)
            )
        except UserError as exc:
            return error_reply(exc)
        except Exception:
            ref = new_ref()
            self.telemetry.error("button")
            log.exception("button %r failed (ref %s)", custom_id, ref, extra={"ref": ref})
            return failure_reply(ref)
        finally:
            if name in self.registry.actions:  # not every stale custom_id gets a series
                self.telemetry.command_finished(f"button:{name}", time.perf_counter() - started)
            current_log_context.set(context)

    async def suggest(
        self, actor: Actor, command: str, option: str, partial: str
    ) -> list[tuple[str, str]]:
        """Autocomplete choices (label, value); an empty list when anything goes wrong."""
        try:
            spec = self._spec(command)
            provider = self.registry.suggester(spec, option)
            if provider is None or provider.handler is None:
                return []
            inv = await self.invocation(actor, command=spec.name)
            cleaned = remove_control_characters(partial)[:100]  # Discord's 100-character cap
            return (await provider.handler(inv, cleaned))[:25]
        except Exception:
            log.exception("suggestions for /%s %s failed", command, option)
            return []

    # -- helpers ---------------------------------------------------------------------------

    def _spec(self, name: str) -> CommandSpec:
        spec = self.registry.commands.get(tuple(name.lower().split()))
        if spec is None:
            raise self._unknown(name.split())
        return spec

    def _unknown(self, words: list[str]) -> UserError:
        """The refusal of words that name no command: the commands of the deepest group they
        start with ("/mentor topics has: add, remove, show"), else a pointer to /help."""
        if not words:
            return BadOption("Type a command, like /help.")
        lowered = tuple(w.lower() for w in words)
        for depth in (2, 1):
            group = lowered[:depth]
            subs = sorted(
                {p[depth] for p in self.registry.commands if len(p) > depth and p[:depth] == group}
            )
            if len(group) == depth and subs:
                name = " ".join(group)
                return BadOption(
                    f"/{' '.join(words[: depth + 1])} is not a command.",
                    hint=f"/{name} has: {', '.join(subs)}. Type /help {name} for examples.",
                )
        return UserError(
            f"/{words[0]} is not a Potluck command.",
            hint="Type /help to see the commands you can use.",
        )


def platform_facts(actor: Actor) -> Actor:
    """The actor with what a platform says about the person made safe to store and use:
    names without control characters or blanks around them (a name that is nothing else
    becomes the platform's user id), and a zone hint only when this machine's tz database
    knows it (a platform's can be newer than ours)."""
    hint = actor.timezone_hint
    locale = remove_control_characters(actor.locale or "").strip() or None
    name = remove_control_characters(actor.display_name).strip()
    return dataclasses.replace(
        actor,
        display_name=name or actor.user_id,
        community_name=remove_control_characters(actor.community_name).strip(),
        timezone_hint=hint if hint and is_zone(hint) else None,
        locale=locale,
    )


def new_ref() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(6))
