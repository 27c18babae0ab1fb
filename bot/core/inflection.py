"""The English inflection engine every cog shares: `inflect`, a maintained English inflection
library, imported without typeguard's run-time argument checks.

inflect wraps its public methods in typeguard's `@typechecked`, which re-reads and recompiles
the whole of inflect's 4,000-line module once for each of the 23 methods it wraps, while the
module is imported: about 2 s of CPU on this project's machine, most of the bot's start-up
(`python -X importtime`). typeguard documents those checks as a development aid, off in
Python's optimised mode; the engine here is built as it would be there, so its methods are
inflect's own and take our arguments (always `str`) unchecked. inflect is imported by the
first word inflected, in under a tenth of a second.
"""

from __future__ import annotations

import importlib
import sys
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import inflect


def _unchecked(target: Any = None, **_options: Any) -> Any:
    """typeguard's `typechecked` as it is in optimised mode: the target itself, bare or
    with options."""
    return target if target is not None else _unchecked


_IMPORTING = threading.Lock()  # cogs may ask from worker threads; typeguard is patched once


def _import_inflect() -> ModuleType:
    with _IMPORTING:
        if "inflect" in sys.modules:  # imported before (checked, if it was not through here)
            return sys.modules["inflect"]
        import typeguard

        checked = typeguard.typechecked
        typeguard.typechecked = _unchecked  # inflect's `from typeguard import typechecked`
        try:
            return importlib.import_module("inflect")
        finally:
            typeguard.typechecked = checked


@cache
def engine() -> inflect.engine:
    """The one inflect engine: `engine().plural_noun("party") == "parties"`."""
    return _import_inflect().engine()  # type: ignore[no-any-return]


@lru_cache(maxsize=256)
def _plural(word: str) -> str:
    """Replies spell the same few nouns: ask inflect once per word."""
    return str(engine().plural_noun(word))


def noun(word: str, n: int) -> str:
    """`word` agreeing with `n`: noun("spot", 1) -> "spot", noun("match", 2) -> "matches",
    noun("person", 0) -> "people" (English takes the plural for 0)."""
    return word if n == 1 else _plural(word)


def count(n: int, word: str) -> str:
    """A number with its noun: count(1, "match") -> "1 match", count(0, "party") -> "0 parties"."""
    return f"{n} {noun(word, n)}"


def number_word(n: int) -> str:
    """A small count spelled out, as in "why you three": number_word(2) -> "two" (inflect's
    `number_to_words`)."""
    return str(engine().number_to_words(str(n)))


def joined(items: Sequence[str]) -> str:
    """Items as a sentence lists them, without a comma before "and" (inflect's `join`):
    ["sam"] -> "sam", ["sam", "cat"] -> "sam and cat", ["a", "b", "c"] -> "a, b and c"."""
    return str(engine().join(list(items), final_sep="")) if items else ""
