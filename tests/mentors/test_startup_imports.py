"""The mentors cog loads without its solver: NumPy, SciPy, OR-Tools and rustworkx (about half
a second of CPU) are imported by the first round matched, not by every bot's start-up."""

from __future__ import annotations

import subprocess
import sys

SOLVER_LIBRARIES = ("numpy", "scipy", "ortools", "rustworkx")

PROBE = """
import asyncio, sys
from bot.app import Potluck
from bot.config import Settings
bot = Potluck(Settings.model_validate({"database": {"url": "sqlite+aiosqlite:///:memory:"}}))
asyncio.run(bot.load_cogs(["mentors"]))
assert "mentors" in bot.registry.cogs
print(" ".join(sorted(m for m in %r if m in sys.modules)))
"""


def test_loading_the_cog_imports_none_of_the_solver_s_libraries() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (SOLVER_LIBRARIES,)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == ""
