"""Running the real `potluck` command as an operator does: in a subprocess, piped or in a
pseudo-terminal whose screen is emulated with pyte, so a test sees what a person would."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parents[1]


def operator_signals() -> None:
    """In the child before it runs: Ctrl-C and Ctrl-\\ do what they do at a terminal. A test
    run started in the background by a non-interactive shell (`pytest &`) ignores SIGINT and
    SIGQUIT, and children inherit ignored signals, so a `potluck` started from there would
    never see the Ctrl-C a test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def potluck_argv(*args: str) -> list[str]:
    """The installed `potluck` script next to this Python (what `make run` puts in .venv/bin),
    or `python -m bot.entry` where the project is not installed."""
    script = Path(sys.executable).with_name("potluck")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "bot.entry", *args]


def potluck_env(tmp_path: Path, **extra: str | None) -> dict[str, str]:
    """A clean environment: a SQLite file in tmp_path unless extra overrides it (None drops
    a variable)."""
    env: dict[str, str | None] = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path),
        "COLUMNS": "120",
        "POTLUCK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/potluck.db",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def run_potluck(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    input: str = "",
    wrap: Sequence[str] = (),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*wrap, *potluck_argv(*args)],
        capture_output=True,
        text=True,
        input=input,
        cwd=cwd or tmp_path,
        env=env or potluck_env(tmp_path),
        timeout=timeout,
    )


async def start_potluck(
    tmp_path: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: int | None = subprocess.DEVNULL,
) -> asyncio.subprocess.Process:
    """`potluck ...` without blocking the loop, for tests whose stand-in servers run in it."""
    return await asyncio.create_subprocess_exec(
        *potluck_argv(*args),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env or potluck_env(tmp_path),
        preexec_fn=operator_signals,
    )


def one_line(stderr: str) -> str:
    """The single line a bad environment gets: no traceback, nothing else."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def read_only_wrapper(folder: Path) -> list[str]:
    """A command prefix that runs the program with `folder` (created if missing) mounted as
    an empty read-only file system, in a mount namespace of its own (so nothing is left
    mounted). Uses unshare(1) from util-linux; the test machines allow user namespaces."""
    folder.mkdir(parents=True, exist_ok=True)
    unshare = shutil.which("unshare", path="/usr/bin:/bin")
    assert unshare is not None, "unshare (util-linux) is needed for read-only folder tests"
    script = 'mount -t tmpfs -o ro,size=64k potluck-ro "$0" && exec "$@"'
    return [unshare, "--map-root-user", "--mount", "sh", "-c", script, str(folder)]


class _Screen(pyte.Screen):
    """A pyte screen that answers the terminal's questions (cursor position) like a real one."""

    def __init__(self, columns: int, lines: int, answer: Callable[[str], None]) -> None:
        super().__init__(columns, lines)
        self._answer = answer

    def write_process_input(self, data: str) -> None:
        self._answer(data)


def _pty(columns: int, lines: int) -> tuple[int, int]:
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    return master, slave


class _Display:
    """What a pyte screen shows, as text."""

    screen: pyte.Screen

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def cursor_line(self) -> str:
        """The line the cursor is on: where the prompt and what was typed are."""
        return self.lines[self.screen.cursor.y]


class Terminal(_Display):
    """A program in a pseudo-terminal of `columns` x `lines`, with its screen emulated.

    `type()` sends keystrokes (Ctrl-C is "\\x03", Ctrl-D "\\x04", Enter "\\r");
    `wait_for()` reads output until the screen satisfies a condition (no sleeping)."""

    def __init__(
        self,
        argv: list[str],
        *,
        env: dict[str, str],
        cwd: Path,
        columns: int = 110,
        lines: int = 40,
    ) -> None:
        self.master, slave = _pty(columns, lines)
        self.screen = _Screen(columns, lines, self._reply)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()
        self.process = subprocess.Popen(
            argv,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd,
            env={**env, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)},
            start_new_session=True,
            # The pty becomes the controlling terminal, as a login shell's is.
            preexec_fn=self._as_login_terminal,
        )
        os.close(slave)

    @staticmethod
    def _as_login_terminal() -> None:
        operator_signals()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    def _reply(self, data: str) -> None:
        os.write(self.master, data.encode())

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def _pump(self, timeout: float) -> bool:
        """Feed whatever output arrives within `timeout`; False at the end of output."""
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the program closed the terminal
            return False
        if not data:
            return False
        self.raw += data
        self.stream.feed(data)
        return True

    def wait_for(self, condition: Callable[[Terminal], bool], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not condition(self):
            left = deadline - time.monotonic()
            if left <= 0 or not self._pump(min(left, 0.5)):
                if condition(self):
                    return
                raise AssertionError(f"the screen never showed what was expected:\n{self.text()}")

    def wait_for_text(self, needle: str, timeout: float = 60) -> None:
        self.wait_for(lambda term: needle in term.text(), timeout)

    def wait_exit(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if not self._pump(min(0.5, max(0.0, deadline - time.monotonic()))):
                break
        return self.process.wait(timeout=max(0.0, deadline - time.monotonic()) + 5)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        os.close(self.master)
