"""The registry as Discord application commands, and interaction data back to command options.

One top-level command per group (`/event create`, `/timezone set`) and plain top-level
commands (`/help`, `/rsvp`). The JSON is built directly from the registry, so what Discord
shows is exactly what the core declares; discord.py only carries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import discord

from bot.core.commands import CommandSpec, Option, OptionKind
from bot.core.registry import Registry
from bot.core.types import Level

SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL = 3, 4, 5, 6, 7
_KINDS: dict[OptionKind, int] = {
    OptionKind.TEXT: STRING,
    OptionKind.INTEGER: INTEGER,
    OptionKind.BOOLEAN: BOOLEAN,
    OptionKind.PERSON: USER,
    OptionKind.CHANNEL: CHANNEL,
    OptionKind.DURATION: STRING,
    OptionKind.DATETIME: STRING,
    OptionKind.DATE: STRING,
}
# Text channels, announcement channels and forum-less threads: where events can be posted.
_CHANNEL_TYPES = [0, 5, 10, 11, 12]

LEVEL_PERMISSIONS: dict[Level, discord.Permissions] = {
    Level.MODERATOR: discord.Permissions(manage_guild=True),
    Level.ORGANIZER: discord.Permissions(manage_events=True),
}


def _description(text: str) -> str:
    text = " ".join(text.split()) or "No description."
    return text if len(text) <= 100 else text[:99] + "…"


def option_payload(opt: Option) -> dict[str, Any]:
    # A clearable number is typed as text on Discord, so "none" can be given.
    kind = OptionKind.TEXT if opt.clearable and opt.kind is OptionKind.INTEGER else opt.kind
    out: dict[str, Any] = {
        "type": _KINDS[kind],
        "name": opt.name.lower()[:32],
        "description": _description(opt.description),
        "required": opt.required,
    }
    if opt.kind is OptionKind.TEXT and opt.choices and not opt.autocomplete:
        out["choices"] = [{"name": c[:100], "value": c[:100]} for c in opt.choices[:25]]
    if opt.kind in (OptionKind.TEXT, OptionKind.DATETIME, OptionKind.DURATION):
        if opt.max_length is not None:
            out["max_length"] = max(1, min(opt.max_length, 6000))
        if opt.autocomplete:
            out["autocomplete"] = True
    if kind is OptionKind.INTEGER:
        if opt.min_value is not None:
            out["min_value"] = opt.min_value
        if opt.max_value is not None:
            out["max_value"] = opt.max_value
        if opt.autocomplete:
            out["autocomplete"] = True
    if opt.kind is OptionKind.CHANNEL:
        out["channel_types"] = list(_CHANNEL_TYPES)
    return out


def _options(spec: CommandSpec) -> list[dict[str, Any]]:
    # Discord requires the required options first; values are matched by name, so order is free.
    ordered = sorted(spec.options, key=lambda o: not o.required)
    return [option_payload(o) for o in ordered]


def _permissions(specs: Iterable[CommandSpec]) -> str | None:
    """Discord hides a command per top-level name only: use the most permissive level of the
    group. The dispatcher checks each subcommand's level again when it runs."""
    lowest = min((s.level for s in specs), default=Level.MEMBER)
    perms = LEVEL_PERMISSIONS.get(lowest)
    return str(perms.value) if perms is not None else None


def _group_description(registry: Registry, name: str, specs: list[CommandSpec]) -> str:
    cogs = {id(s.cog): s.cog for s in specs if s.cog is not None}
    if len(cogs) == 1:
        cog = next(iter(cogs.values()))
        if cog is not None and cog.description:
            return _description(cog.description)
    return _description(f"{name.capitalize()} commands.")


def command_payloads(registry: Registry) -> list[dict[str, Any]]:
    """The JSON for a bulk overwrite (PUT .../commands) of every registered command."""
    payloads: list[dict[str, Any]] = []
    for name in registry.top_level_names():
        specs = sorted(registry.group(name), key=lambda s: s.path)
        top: dict[str, Any] = {"type": 1, "name": name.lower()[:32]}
        single = specs[0] if len(specs) == 1 and len(specs[0].path) == 1 else None
        if single is not None:
            top["description"] = _description(single.description)
            top["options"] = _options(single)
        else:
            top["description"] = _group_description(registry, name, specs)
            options: list[dict[str, Any]] = []
            groups: dict[str, dict[str, Any]] = {}
            for spec in specs:
                leaf = {
                    "type": SUB_COMMAND,
                    "name": spec.path[-1].lower()[:32],
                    "description": _description(spec.description),
                    "options": _options(spec),
                }
                if len(spec.path) == 2:
                    options.append(leaf)
                else:
                    group = groups.get(spec.path[1])
                    if group is None:
                        group = {
                            "type": SUB_COMMAND_GROUP,
                            "name": spec.path[1].lower()[:32],
                            "description": _description(f"/{name} {spec.path[1]} commands."),
                            "options": [],
                        }
                        groups[spec.path[1]] = group
                        options.append(group)
                    group["options"].append(leaf)
            top["options"] = options[:25]
        top["default_member_permissions"] = _permissions(specs)
        payloads.append(top)
    return payloads[:100]


def invoked(data: Mapping[str, Any]) -> tuple[tuple[str, ...], dict[str, Any], str | None]:
    """(command path, option values, focused option) from an interaction's `data`.

    Users and channels arrive as id strings, which is what the core's options expect.
    """
    path = [str(data.get("name", ""))]
    options: list[Mapping[str, Any]] = list(data.get("options") or [])
    while options and options[0].get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP):
        path.append(str(options[0]["name"]))
        options = list(options[0].get("options") or [])
    values: dict[str, Any] = {}
    focused: str | None = None
    for opt in options:
        values[str(opt["name"])] = opt.get("value")
        if opt.get("focused"):
            focused = str(opt["name"])
    return tuple(p.lower() for p in path), values, focused


def form_values(components: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """Text input values of a modal submit, whatever the nesting (rows or labels)."""
    values: dict[str, str] = {}
    stack = list(components)
    while stack:
        comp = stack.pop()
        if "value" in comp and "custom_id" in comp:
            values[str(comp["custom_id"])] = str(comp["value"])
        for key in ("components",):
            stack.extend(comp.get(key) or [])
        if isinstance(comp.get("component"), Mapping):
            stack.append(comp["component"])
    return values
