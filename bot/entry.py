"""The `potluck` command's entry point, kept light on purpose.

Loading the bot's modules takes a second or more. A stop signal that arrives meanwhile (Ctrl-C,
or SIGTERM from systemd or `docker stop`) must end the command the way one arriving later in
start-up does: the one line "potluck: stopped while starting (Ctrl-C or a stop signal)" on
stderr and exit status 2, never a traceback and never a silent exit 143. So SIGTERM is turned
into KeyboardInterrupt before anything heavy is imported; once the bot runs, `bot.cli` installs
its own handlers.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

EXIT_STOPPED = 2
STOPPED_LINE = "potluck: stopped while starting (Ctrl-C or a stop signal)"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Run `bot.cli.main` with the command line; returns its exit status, or 2 when a stop
    signal came before it could handle one."""
    signal.signal(signal.SIGTERM, _stop)
    try:
        from bot.cli import main as cli_main

        return cli_main()
    except KeyboardInterrupt:
        print(STOPPED_LINE, file=sys.stderr)
        return EXIT_STOPPED


if __name__ == "__main__":
    sys.exit(main())
