"""Log output: human lines by default, JSON lines when `bot.log_format = "json"`.

Every record gets four fields, whatever wrote it (our code or a library):
`process` (the operating-system process id), `platform` and `community` (whom the current task
works for, from bot.core.telemetry's log context: a command, an outbox row) and `ref` (the
"ref ABC123" a person was shown for a failure, when there is one; None otherwise).

JSON lines come from python-json-logger's formatter on the stdlib logging tree: discord.py,
slack-bolt, APScheduler and SQLAlchemy all log through stdlib logging, so one formatter on the
root handler makes every line JSON without touching a call site (structlog would need its own
pipeline bridged to the stdlib one for those libraries, for the same output).
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

from pythonjsonlogger.json import JsonFormatter

from bot.core.telemetry import current_log_context

LogFormat = Literal["text", "json"]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The JSON keys, in this order: time, level, logger, message, then our four fields
# (exceptions add exc_info with the traceback as text).
JSON_FIELDS = ["asctime", "levelname", "name", "message", "process", "platform", "community"]


class ContextFilter(logging.Filter):
    """Adds `platform`, `community` and `ref` to every record (`process` is stdlib's own)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = current_log_context.get()
        if not hasattr(record, "platform"):
            record.platform = context.platform
        if not hasattr(record, "community"):
            record.community = context.community
        if not hasattr(record, "ref"):
            record.ref = None
        return True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        [*JSON_FIELDS, "ref"],
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        timestamp=False,
        json_ensure_ascii=False,
    )


def build_handler(log_format: LogFormat, stream: TextIO) -> logging.Handler:
    """A handler writing `log_format` lines to `stream`, with the context fields added."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(
        json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    return handler


def configure(
    level: str, *, quiet: bool, log_format: LogFormat = "text", stream: TextIO | None = None
) -> logging.Handler:
    """Potluck's own log at `level` (WARNING at least when `quiet`); libraries (alembic,
    APScheduler, discord.py, slack-bolt) only from WARNING up unless the level is DEBUG, so a
    start that fails ends on its one line instead of a page of chatter. Replaces the root
    handler; returns it."""
    handler = build_handler(log_format, stream or sys.stderr)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    own = logging.getLevelName(level)
    logging.getLogger("potluck").setLevel(max(logging.WARNING, own) if quiet else own)
    return handler
