"""`potluck slack manifest`: the app manifest to paste into https://api.slack.com/apps.

Built from the loaded cogs, so the slash commands, their prefix, and the request URLs always
match what this configuration of the bot answers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.config import Settings

# Only what the adapter calls: chat.postMessage/update/postEphemeral (chat:write),
# posting in public channels without being invited (chat:write.public), conversations.open
# for DMs (im:write), users.info for time zones and admins (users:read), the file upload
# API (files:write), and slash commands (commands).
BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "files:write",
]
USERGROUP_SCOPE = "usergroups:read"  # only when a user group grants levels

# The descriptions say only what the loaded cogs do (Slack's limits: 140 characters for the
# short one, 174 to 4,000 for the long one).
DESCRIPTION_MAX = 140
LONG_DESCRIPTION_MAX = 4000
INTRO = "Potluck helps a chapter of library workers run its community. What it does here:"
CLOSING = (
    "Type /potluck help to see every command. Times are shown in your own time zone. "
    "Potluck only pings people on purpose: nothing you type can turn into @channel or @here."
)


def descriptions(features: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """(short, long) app descriptions from the loaded cogs' (name, description) pairs."""
    names = ", ".join(name for name, _ in features) or "help"
    short = f"A community bot for library workers: {names}."
    lines = [f"• {name}: {text}" for name, text in features if text]
    long = "\n".join([INTRO, *lines, CLOSING])
    return short[:DESCRIPTION_MAX], long[:LONG_DESCRIPTION_MAX]


def build_manifest(
    settings: Settings,
    commands: dict[str, tuple[str, str]],
    features: Sequence[tuple[str, str]] = (),
) -> dict[str, Any]:
    """`commands` maps each top-level name to (description, usage hint); `features` are the
    loaded cogs' (name, description), which the app's descriptions list."""
    short, long = descriptions(features)
    slack = settings.slack
    socket_mode = bool(slack.app_token)
    url = settings.web.public_url.rstrip("/") + "/slack/events"
    slash_commands = []
    for name, (description, usage) in sorted(commands.items()):
        entry: dict[str, Any] = {
            "command": f"/{slack.command_prefix}{name}"[:32],
            "description": description[:2000] or name,
            "should_escape": True,
        }
        if usage:
            entry["usage_hint"] = usage[:1000]
        if not socket_mode:
            entry["url"] = url
        slash_commands.append(entry)
    scopes = list(BOT_SCOPES)
    if slack.moderator_usergroup or slack.organizer_usergroup:
        scopes.append(USERGROUP_SCOPE)
    interactivity: dict[str, Any] = {"is_enabled": True}
    if not socket_mode:
        interactivity["request_url"] = url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": slack.app_name[:35],
            "description": short,
            "long_description": long,
            "background_color": "#7a4b2a",
        },
        "features": {
            "bot_user": {"display_name": slack.app_name[:80], "always_online": True},
            "slash_commands": slash_commands,
        },
        "oauth_config": {"scopes": {"bot": scopes}},
        "settings": {
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def registry_commands(registry: Any) -> dict[str, tuple[str, str]]:
    """Description and usage hint of every top-level command, plus the catch-all /potluck."""
    found: dict[str, tuple[str, str]] = {}
    for name in registry.top_level_names():
        specs = sorted(registry.group(name), key=lambda s: s.path)
        if len(specs) == 1 and len(specs[0].path) == 1:
            spec = specs[0]
            usage = spec.usage().removeprefix(f"/{name}").strip()
            found[name] = (spec.description, usage)
            continue
        owner = specs[0].cog
        description = owner.description if owner is not None and owner.description else name
        found[name] = (description, " | ".join(" ".join(s.path[1:]) for s in specs))
    found.setdefault(
        "potluck",
        (
            "Any Potluck command, like /potluck help or /potluck event list.",
            "help | <command> [key:value ...]",
        ),
    )
    return found


def registry_features(registry: Any) -> list[tuple[str, str]]:
    """(name, description) of every loaded cog, in load order."""
    return [(cog.name, cog.description) for cog in registry.cogs.values()]


async def main(action: str, settings: Settings) -> int:
    if action != "manifest":
        raise SystemExit(f"potluck slack: unknown action {action!r}")
    from bot.app import Potluck

    bot = Potluck(settings)
    try:
        await bot.load_cogs()
        manifest = build_manifest(
            settings, registry_commands(bot.registry), registry_features(bot.registry)
        )
    finally:
        await bot.db.dispose()
    print(json.dumps(manifest, indent=2, ensure_ascii=False))
    return 0
