"""Command declaration: decorators attach metadata to cog methods; the registry collects it.

One declaration produces the Discord slash command, the Slack `/command sub key:value` grammar
and the console grammar.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pydantic import BaseModel

from bot.core.types import Level

if TYPE_CHECKING:
    from bot.core.messages import Message


class OptionKind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    PERSON = "person"
    CHANNEL = "channel"
    DURATION = "duration"
    DATETIME = "datetime"  # natural-language date and time, parsed in the person's zone
    DATE = "date"  # a day; a time of day is optional


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    description: str
    kind: OptionKind = OptionKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    # Other words people use for a choice, as (word, choice): ("rally", "advocacy").
    synonyms: tuple[tuple[str, str], ...] = ()
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    autocomplete: str | None = None  # name of a @suggestions provider of the same cog
    long: bool = False  # multi-line in forms
    # "none" clears it: the handler receives CLEAR (see `Clear`). An empty value clears it
    # only with `blank_clears` (`where:""`); otherwise it is left blank, so a command can say
    # what to type instead of removing a value without a word.
    clearable: bool = False
    blank_clears: bool = False


class Clear:
    """What a clearable option holds when someone typed "none" or left it empty: "remove
    this value" (`/event edit id:k3f9 capacity:none`), as opposed to not giving the option."""

    _instance: Clear | None = None

    def __new__(cls) -> Clear:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "CLEAR"


CLEAR = Clear()
CLEAR_WORDS = frozenset({"", "none", "clear", "-"})


@dataclass(frozen=True, slots=True)
class Cooldown:
    """At most `rate` uses per `per` seconds, per person. Raises ValueError unless rate is at
    least 1 and per is above 0."""

    rate: int
    per: float

    def __post_init__(self) -> None:
        if self.rate < 1 or not self.per > 0:
            raise ValueError(f"a cooldown needs rate >= 1 and per > 0, not {self.rate}/{self.per}")


Handler = Callable[..., Awaitable["Message | None"]]


@dataclass(slots=True)
class CommandSpec:
    path: tuple[str, ...]  # ("event", "create") or ("rsvp",)
    description: str
    options: tuple[Option, ...] = ()
    level: Level = Level.MEMBER
    examples: tuple[str, ...] = ()
    cooldown: Cooldown | None = None
    handler: Handler | None = field(default=None, repr=False)
    cog: Cog | None = field(default=None, repr=False)
    # `options` by name, made on first use (every command looks its options up several times)
    _by_name: dict[str, Option] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def option(self, name: str) -> Option | None:
        if self._by_name is None:
            self._by_name = {o.name: o for o in self.options}
        return self._by_name.get(name)

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for opt in self.options:
            parts.append(f"{opt.name}:…" if opt.required else f"[{opt.name}:…]")
        return " ".join(parts)


@dataclass(slots=True)
class ActionSpec:
    """A button handler, found by the `action` part of a button's custom id."""

    name: str
    level: Level = Level.MEMBER
    handler: Handler | None = field(default=None, repr=False)
    cog: Cog | None = field(default=None, repr=False)


Suggester = Callable[..., Awaitable[list[tuple[str, str]]]]


@dataclass(slots=True)
class SuggestSpec:
    name: str
    handler: Suggester | None = field(default=None, repr=False)


F = TypeVar("F", bound=Callable[..., Any])

_COMMAND_ATTR = "__potluck_command__"
_ACTION_ATTR = "__potluck_action__"
_SUGGEST_ATTR = "__potluck_suggest__"


def command(
    name: str,
    description: str,
    *,
    options: Sequence[Option] = (),
    level: Level = Level.MEMBER,
    examples: Sequence[str] = (),
    cooldown: Cooldown | None = None,
) -> Callable[[F], F]:
    """Declare a command. `name` is "cmd" or "group sub"; the handler gets options as kwargs."""

    def attach(func: F) -> F:
        setattr(
            func,
            _COMMAND_ATTR,
            CommandSpec(
                path=tuple(name.split()),
                description=description,
                options=tuple(options),
                level=level,
                examples=tuple(examples),
                cooldown=cooldown,
            ),
        )
        return func

    return attach


def action(name: str, *, level: Level = Level.MEMBER) -> Callable[[F], F]:
    """Declare a button handler: `async def on_x(self, inv, value: str) -> Message`."""

    def attach(func: F) -> F:
        setattr(func, _ACTION_ATTR, ActionSpec(name=name, level=level))
        return func

    return attach


def suggestions(name: str) -> Callable[[F], F]:
    """Declare an autocomplete provider: `async def f(self, inv, partial) -> [(label, value)]`."""

    def attach(func: F) -> F:
        setattr(func, _SUGGEST_ATTR, SuggestSpec(name=name))
        return func

    return attach


class Cog:
    """A feature package's commands, buttons and data hooks.

    Subclasses set `name` (also the config section), `description`, and optionally
    `Settings`, a pydantic model validated from the `[name]` section of the config file.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    Settings: ClassVar[type[BaseModel] | None] = None

    async def export_person(self, community_id: int, person_id: int) -> dict[str, Any]:
        """Everything this cog stores about a person (`person_id`, the people row's id) in
        one community, as JSON-ready data; {} for nothing. Shown by /privacy export."""
        return {}

    async def forget_person(self, session: Any, community_id: int, person_id: int) -> None:
        """Delete everything this cog stores about a person in one community (/privacy
        forget). The contract every cog keeps:

        - Work only in `session`: the open SQLAlchemy `AsyncSession` of the one transaction
          in which every cog, the outbox and the identity store forget the person. Never open
          another session or transaction (on SQLite it would wait on this one forever), never
          commit, and do not kick the outbox: the privacy cog does both once all is written.
        - Delete (or unlink) every row of this cog about the person. Rows that name them
          among others (a channel reminder listing who is coming) are rewritten without them
          through the outbox; after the cogs, the outbox deletes every row addressed to or
          mentioning the person, and the identity store deletes the person.
        - Raise to refuse: the whole transaction rolls back and nothing is forgotten.
        """

    async def on_ready(self) -> None:
        """Called once the bot is started (schedule jobs here)."""

    async def on_close(self) -> None:
        """Called when the bot stops."""

    def commands(self) -> list[CommandSpec]:
        return [spec for spec in self._collect(_COMMAND_ATTR)]

    def actions(self) -> list[ActionSpec]:
        return [spec for spec in self._collect(_ACTION_ATTR)]

    def suggesters(self) -> list[SuggestSpec]:
        return [spec for spec in self._collect(_SUGGEST_ATTR)]

    def _collect(self, attr: str) -> list[Any]:
        found = []
        for _, member in inspect.getmembers(type(self), inspect.isfunction):
            spec = getattr(member, attr, None)
            if spec is None:
                continue
            bound = getattr(self, member.__name__)
            # A fresh copy per cog instance, bound to it.
            copy = dataclasses.replace(spec)
            copy.handler = bound
            if hasattr(copy, "cog"):
                copy.cog = self
            found.append(copy)
        return found


def check_handler_signature(spec: CommandSpec) -> None:
    """Every declared option must be a keyword parameter of the handler, and vice versa."""
    assert spec.handler is not None
    params = inspect.signature(spec.handler).parameters
    names = [p for p in params if p not in ("self",)]
    if not names:
        raise TypeError(f"/{spec.name}: handler must take the invocation as first argument")
    declared = {o.name for o in spec.options}
    accepted = set(names[1:])
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    missing = declared - accepted
    if missing and not accepts_any:
        raise TypeError(f"/{spec.name}: handler does not accept option(s) {sorted(missing)}")
    extra = {
        n
        for n in accepted - declared
        if params[n].default is inspect.Parameter.empty
        and params[n].kind is not inspect.Parameter.VAR_KEYWORD
    }
    if extra:
        raise TypeError(
            f"/{spec.name}: handler parameters {sorted(extra)} are not declared options"
        )
