"""The shared English inflection engine: inflect's plurals and singulars, built without the
run-time argument checks that make importing inflect cost about 2 s of CPU at start-up."""

from __future__ import annotations

import subprocess
import sys

from bot.core.inflection import engine

CHECKED = "check_argument_types_internal"  # what typeguard's instrumented code calls


def test_the_engine_is_inflect_s_own_methods_unchecked() -> None:
    """In a fresh interpreter, as at start-up: the methods are not typeguard-instrumented
    (each instrumented method recompiled inflect's whole module while it was imported)."""
    probe = (
        "from bot.core.inflection import engine; "
        f"print({CHECKED!r} in engine().plural_noun.__code__.co_names)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_the_engine_inflects_as_inflect_does() -> None:
    words = engine()
    assert [words.plural_noun(w) for w in ("spot", "person", "party", "upcoming event")] == [
        "spots",
        "people",
        "parties",
        "upcoming events",
    ]
    assert [words.singular_noun(w) for w in ("libraries", "archives", "grant")] == [
        "library",
        "archive",
        False,
    ]
