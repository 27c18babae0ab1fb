"""The registry: which cogs are loaded and which commands, buttons and suggestions they own."""

from __future__ import annotations

import importlib
import inspect
import logging
import sys
from collections.abc import Iterable
from typing import Any

from bot.core.commands import (
    ActionSpec,
    Cog,
    CommandSpec,
    SuggestSpec,
    check_handler_signature,
)
from bot.core.errors import RegistryError

log = logging.getLogger(__name__)

BUILTIN_COGS: dict[str, str] = {
    "help": "cogs.help",
    "timezone": "cogs.timezone",
    "privacy": "cogs.privacy",
    "events": "cogs.events",
    "mentors": "cogs.mentors",
    "invitations": "cogs.invitations",
    "moderation": "cogs.moderation",
}


def cog_module_path(name: str) -> str:
    """A built-in cog's short name, or any importable dotted module path."""
    return BUILTIN_COGS.get(name, name)


class Registry:
    def __init__(self) -> None:
        self.cogs: dict[str, Cog] = {}
        self.commands: dict[tuple[str, ...], CommandSpec] = {}
        self.actions: dict[str, ActionSpec] = {}
        self.suggesters: dict[tuple[str, str], SuggestSpec] = {}
        self._loading: list[Cog] | None = None

    # -- loading ---------------------------------------------------------------------------

    async def load(self, module_path: str, bot: Any) -> None:
        """Import a cog package and run its `async setup(bot)`; roll back on any failure."""
        try:
            module = importlib.import_module(module_path)
        except ModuleNotFoundError as exc:
            if exc.name and module_path.startswith(exc.name):
                raise RegistryError(f"cog '{module_path}' was not found") from exc
            raise RegistryError(f"cog '{module_path}' failed to import: {exc}") from exc
        except Exception as exc:
            raise RegistryError(f"cog '{module_path}' failed to import: {exc}") from exc
        setup = getattr(module, "setup", None)
        if setup is None or not inspect.iscoroutinefunction(setup):
            raise RegistryError(f"cog '{module_path}' has no `async def setup(bot)`")
        self._loading = []
        try:
            await setup(bot)
        except Exception as exc:
            for cog in reversed(self._loading):
                self._remove(cog)
            sys.modules.pop(module_path, None)
            if isinstance(exc, RegistryError):
                raise
            raise RegistryError(f"cog '{module_path}' failed to load: {exc}") from exc
        finally:
            self._loading = None

    def add_cog(self, cog: Cog) -> None:
        """Register a cog's commands, actions and suggestions; refuse any name collision."""
        if not cog.name:
            raise RegistryError(f"{type(cog).__name__} has no name")
        if cog.name in self.cogs:
            raise RegistryError(f"a cog named '{cog.name}' is already loaded")
        commands = cog.commands()
        actions = cog.actions()
        suggesters = cog.suggesters()
        self._check_commands(cog, commands)
        for act in actions:
            if act.name in self.actions:
                raise RegistryError(f"duplicate button action '{act.name}' in cog '{cog.name}'")
        for sug in suggesters:
            if (cog.name, sug.name) in self.suggesters:
                raise RegistryError(f"duplicate suggestions '{sug.name}' in cog '{cog.name}'")
        self.cogs[cog.name] = cog
        for spec in commands:
            self.commands[spec.path] = spec
        for act in actions:
            self.actions[act.name] = act
        for sug in suggesters:
            self.suggesters[(cog.name, sug.name)] = sug
        if self._loading is not None:
            self._loading.append(cog)
        log.debug("loaded cog %s with %d commands", cog.name, len(commands))

    def _check_commands(self, cog: Cog, commands: list[CommandSpec]) -> None:
        """RegistryError for a handler that does not match its options, a command declared
        twice, or a command that is also a group ("/event" beside "/event create")."""
        seen: set[tuple[str, ...]] = set()
        for spec in commands:
            try:
                check_handler_signature(spec)
            except TypeError as exc:
                raise RegistryError(f"cog '{cog.name}': {exc}") from exc
            if spec.path in self.commands or spec.path in seen:
                owner = self.commands[spec.path].cog if spec.path in self.commands else cog
                raise RegistryError(
                    f"duplicate command /{spec.name}: cog '{cog.name}' declares it, "
                    f"but cog '{owner.name if owner else '?'}' already has it"
                )
            seen.add(spec.path)
        for spec in commands:
            for other in [*self.commands, *seen]:
                if other != spec.path and (
                    other[: len(spec.path)] == spec.path and len(spec.path) < len(other)
                ):
                    # "/event" and "/event create" cannot both be commands: "/event" is a group.
                    raise RegistryError(
                        f"command /{spec.name} clashes with the command group of /{' '.join(other)}"
                    )

    def _remove(self, cog: Cog) -> None:
        self.cogs.pop(cog.name, None)
        for path in [p for p, s in self.commands.items() if s.cog is cog]:
            del self.commands[path]
        for name in [n for n, a in self.actions.items() if a.cog is cog]:
            del self.actions[name]
        for key in [k for k in self.suggesters if k[0] == cog.name]:
            del self.suggesters[key]

    # -- lookups ---------------------------------------------------------------------------

    def resolve(self, words: list[str]) -> tuple[CommandSpec | None, int]:
        """The longest command path matching the leading words, and how many words it used."""
        lowered = [w.lower() for w in words]
        for n in range(min(len(lowered), 3), 0, -1):
            spec = self.commands.get(tuple(lowered[:n]))
            if spec is not None:
                return spec, n
        return None, 0

    def group(self, name: str) -> list[CommandSpec]:
        return [s for p, s in self.commands.items() if p[0] == name.lower()]

    def top_level_names(self) -> list[str]:
        return sorted({p[0] for p in self.commands})

    def by_cog(self) -> Iterable[tuple[Cog, list[CommandSpec]]]:
        for cog in self.cogs.values():
            yield cog, [s for s in self.commands.values() if s.cog is cog]

    def suggester(self, spec: CommandSpec, option: str) -> SuggestSpec | None:
        opt = spec.option(option)
        if opt is None or opt.autocomplete is None or spec.cog is None:
            return None
        return self.suggesters.get((spec.cog.name, opt.autocomplete))
