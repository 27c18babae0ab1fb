"""`make run` installs only the runtime dependencies (no dev extras), so everything bot/, cogs/
and storage/ import must be among them: a cog that imports a test-only library fails to load
on a fresh machine."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = {"bot", "cogs", "storage", "tests", "alembic_env"}


def _normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, str]:
    """Top-level modules imported by the shipped code, with one file that imports each."""
    found: dict[str, str] = {}
    for folder in ("bot", "cogs", "storage"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_everything_the_bot_imports_is_a_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {
        _normalise(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0])
        for spec in project["dependencies"]
    }
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(_imported_modules().items()):
        if module in sys.stdlib_module_names or module in OURS or module == "__future__":
            continue
        dists = {_normalise(d) for d in distributions.get(module, [module])}
        if not dists & runtime:
            missing.append(f"{module} (imported in {where}; from {', '.join(sorted(dists))})")
    assert not missing, "not in [project].dependencies: " + "; ".join(missing)
