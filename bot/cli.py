"""The `potluck` command: run, console, db upgrade, and platform helpers.

A bad environment (a bad setting, a taken port, a refused token, an unusable database, Ctrl-C
before the bot is up) ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot import logs
from bot.config import Settings, StartupError, load_settings
from storage.db import DatabaseUnavailable

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
    """`--config` is accepted before or after the subcommand (`potluck -c FILE run` and
    `potluck run -c FILE`, `potluck db upgrade -c FILE`), as people type it."""
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config",
        "-c",
        # SUPPRESS: a subcommand without the option keeps the value given before it.
        default=argparse.SUPPRESS,
        help="path to config.toml (default: ./config.toml if present, or $POTLUCK_CONFIG)",
    )
    parser = argparse.ArgumentParser(
        prog="potluck", description="A community bot for library workers.", parents=[config]
    )
    sub = parser.add_subparsers(dest="command")

    def command(name: str, help: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help, parents=[config])

    command("run", "start the bot: Discord/Slack when tokens are set, else the console")
    command("console", "talk to the bot in this terminal (no account needed)")
    command("db", "database tasks").add_argument("action", choices=["upgrade"])
    command("discord", "Discord helpers").add_argument("action", choices=["sync", "invite-url"])
    command("slack", "Slack helpers").add_argument("action", choices=["manifest"])
    return parser


@dataclass
class Progress:
    """How far the process got: Ctrl-C before `ready` is a failed start, after it a stop."""

    ready: bool = False

    def mark_ready(self) -> None:
        self.ready = True


def _config_values(argv: list[str]) -> list[str]:
    """Every --config/-c value on the line, in order ("-c F", "-cF", "--config=F")."""
    values: list[str] = []
    for i, arg in enumerate(argv):
        if arg in ("-c", "--config") and i + 1 < len(argv):
            values.append(argv[i + 1])
        elif arg.startswith("--config="):
            values.append(arg.partition("=")[2])
        elif arg.startswith("-c") and len(arg) > 2 and not arg.startswith("--"):
            values.append(arg[2:])
    return values


def main(argv: list[str] | None = None) -> int:
    line = sys.argv[1:] if argv is None else argv
    configs = list(dict.fromkeys(_config_values(line)))
    if len(configs) > 1:
        # argparse would quietly keep the last one; which file was meant is a guess.
        return _refuse(
            f"--config given twice ({configs[0]} and {configs[1]}): give one config file"
        )
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings(_config_path(getattr(args, "config", None)))
    except StartupError as exc:
        return _refuse(str(exc))
    logs.configure(
        settings.bot.log_level,
        # The console owns the terminal: keep chatter out of the conversation.
        quiet=command != "run" or not (settings.discord.token or settings.slack.bot_token),
        log_format=settings.bot.log_format,
    )
    progress = Progress()
    try:
        return asyncio.run(_dispatch(command, args, settings, progress))
    except StartupError as exc:
        return _refuse(str(exc))
    except DatabaseUnavailable as exc:
        return _refuse(f"database.url: {exc}")
    except (KeyboardInterrupt, asyncio.CancelledError):
        if progress.ready:
            return 0  # a stop once the bot was up: everything was closed in order
        if command in ("run", "console"):
            return _refuse("stopped while starting (Ctrl-C or a stop signal)")
        return _refuse(f"{command}: interrupted (Ctrl-C or a stop signal)")
    except BrokenPipeError:
        # `potluck slack manifest | head`: the reader left. Point stdout at /dev/null so
        # the interpreter's final flush does not complain either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _refuse(line: str) -> int:
    """The one line a bad environment gets, and exit status 2."""
    print(f"potluck: {line}", file=sys.stderr)
    return EXIT_CONFIG


async def _dispatch(
    command: str, args: argparse.Namespace, settings: Settings, progress: Progress
) -> int:
    # A stop signal (systemd, docker stop) ends the bot the way Ctrl-C does: cleanly.
    main_task = asyncio.current_task()
    if main_task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main_task.cancel)
    if command == "db":
        from bot.config import DEFAULT_DATABASE_URL
        from storage.db import upgrade_url

        url = settings.database.url
        await upgrade_url(url, create_folder=url == DEFAULT_DATABASE_URL)
        print("database is up to date")
        return 0
    if command == "discord":
        import bot.adapters.discord.cli as discord_cli

        return await discord_cli.main(args.action, settings)
    if command == "slack":
        import bot.adapters.slack.cli as slack_cli

        return await slack_cli.main(args.action, settings)
    if command == "console" or not (settings.discord.token or settings.slack.bot_token):
        given = [
            name
            for name, value in (
                ("SLACK_SIGNING_SECRET", settings.slack.signing_secret),
                ("SLACK_APP_TOKEN", settings.slack.app_token),
            )
            if value
        ]
        if command == "run" and given and not settings.slack.bot_token:
            print(
                f"potluck: Slack is off: SLACK_BOT_TOKEN is missing ({' and '.join(given)} "
                f"{'is' if len(given) == 1 else 'are'} set); starting the console instead",
                file=sys.stderr,
            )
        return await run_console(settings, progress.mark_ready)
    from bot.runner import run_platforms

    return await run_platforms(settings, progress.mark_ready)


async def run_console(settings: Settings, on_ready: Callable[[], None] | None = None) -> int:
    """The console front door (plus the web server when it can listen) until /quit."""
    from bot.adapters.console import ConsoleAdapter
    from bot.app import Potluck, freeze_startup_objects
    from bot.runner import Address, listen

    bot = Potluck(settings)
    try:
        console = ConsoleAdapter(bot)
        await bot.load_cogs()
        await bot.start()
        if settings.web.enabled:
            # The calendar feed works in the console too; a busy port only costs the feed.
            try:
                await listen(bot, [Address("web", settings.web.host, settings.web.port)])
            except StartupError as exc:
                bot.web.off_reason = str(exc)
                print(f"potluck: the web server (calendar feed) is off: {exc}", file=sys.stderr)
        freeze_startup_objects()
        if on_ready is not None:
            on_ready()
        await console.run()
    finally:
        await bot.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
