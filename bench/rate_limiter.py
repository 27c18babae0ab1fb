"""Rate limiter: the CPU the flood guard takes while people keep sending commands.

Everyone in the window has used one command; then one command a millisecond arrives for
2 s, each from the next person. Prints the process's CPU time (all threads) for that, less
the same loop without the check, so a background scan of everyone's window shows up even
though it runs between the commands.

    .venv/bin/python bench/rate_limiter.py            # 1,000 and 10,000 people
    .venv/bin/python bench/rate_limiter.py 50000
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.checks import RateLimiter
from bot.core.clock import SystemClock
from bot.core.errors import RateLimited
from bot.core.types import ChannelRef, Community, Invocation, Level, Person

SECONDS = 2.0


COMMUNITY = Community(1, "discord", "bench", "Bench chapter", "UTC")


def invocation(number: int) -> Invocation:
    person = Person(number, 1, f"p{number}", f"p{number}", Level.MEMBER, None)
    channel = ChannelRef("general", "general")
    return Invocation("discord", COMMUNITY, person, channel, datetime.now(UTC))


def steady(limiter: RateLimiter, people: list[Invocation], check: bool) -> tuple[float, int]:
    """CPU seconds and commands over SECONDS of one command a millisecond."""
    cpu, started, n = time.process_time(), time.perf_counter(), 0
    while time.perf_counter() - started < SECONDS:
        inv = people[n % len(people)]
        inv.now = datetime.now(UTC)
        if check:
            try:
                limiter.check(inv)
            except RateLimited:
                pass
        n += 1
        time.sleep(0.001)
    return time.process_time() - cpu, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("people", type=int, nargs="*", default=[1000, 10_000])
    for count in parser.parse_args().people:
        limiter = RateLimiter(30, SystemClock())
        people = [invocation(k) for k in range(count)]
        for inv in people:
            limiter.check(inv)
        idle, _ = steady(limiter, people, check=False)
        busy, checked = steady(limiter, people, check=True)
        print(
            f"{count:>7,} people in the window: {1000 * (busy - idle):6.0f} ms CPU for "
            f"{checked:,} commands in {SECONDS:.0f} s "
            f"({1e6 * max(busy - idle, 0) / checked:.1f} us a command)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
