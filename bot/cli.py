"""The `potluck` command: run, console, db upgrade, and platform helpers."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

EXIT_CONFIG = 2


def _config_path(given: str | None) -> Path | None:
    if given:
        return Path(given)
    env = os.environ.get("POTLUCK_CONFIG")
    if env:
        return Path(env)
    default = Path("config.toml")
    return default if default.exists() else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="potluck", description="A community bot for library workers."
    )
    parser.add_argument(
        "--config", "-c", help="path to config.toml (default: ./config.toml if present)"
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot: Discord/Slack when tokens are set, else the console")
    sub.add_parser("console", help="talk to the bot in this terminal (no account needed)")
    db = sub.add_parser("db", help="database tasks")
    db.add_argument("action", choices=["upgrade"])
    discord = sub.add_parser("discord", help="Discord helpers")
    discord.add_argument("action", choices=["sync", "invite-url"])
    slack = sub.add_parser("slack", help="Slack helpers")
    slack.add_argument("action", choices=["manifest"])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings(_config_path(args.config))
    except ConfigError as exc:
        print(f"potluck: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    logging.basicConfig(
        level=settings.bot.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if command != "run" or not (settings.discord.token or settings.slack.bot_token):
        # The console owns the terminal: keep library chatter out of the conversation.
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    try:
        return asyncio.run(_dispatch(command, args, settings))
    except ConfigError as exc:
        print(f"potluck: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0


async def _dispatch(command: str, args: argparse.Namespace, settings: Settings) -> int:
    if command == "db":
        from storage.db import upgrade_url

        await upgrade_url(settings.database.url)
        print("database is up to date")
        return 0
    if command == "discord":
        import bot.adapters.discord.cli as discord_cli

        return await discord_cli.main(args.action, settings)
    if command == "slack":
        import bot.adapters.slack.cli as slack_cli

        return await slack_cli.main(args.action, settings)
    if command == "console" or not (settings.discord.token or settings.slack.bot_token):
        return await run_console(settings)
    from bot.runner import run_platforms

    return await run_platforms(settings)


async def run_console(settings: Settings) -> int:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import Potluck

    bot = Potluck(settings)
    console = ConsoleAdapter(bot)
    await bot.load_cogs()
    await bot.start()
    if settings.web.enabled:
        # The calendar feed works in the console too; a busy port only costs the feed.
        try:
            await bot.web.start([(settings.web.host, settings.web.port)])
        except OSError as exc:
            print(
                f"potluck: the web server (calendar feed) is off: {settings.web.host}:"
                f"{settings.web.port}: {exc.strerror or exc}",
                file=sys.stderr,
            )
    try:
        await console.run()
    finally:
        await bot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
