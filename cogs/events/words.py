"""Counted nouns in the events cog's words: "1 spot", "2 guests", "0 of 1 spot".

Plurals come from `inflect` (a maintained English inflection library, see
bot/core/inflection.py), so every message agrees with its number the same way instead of
each one spelling its own "s".
"""

from __future__ import annotations

from functools import lru_cache

from bot.core.inflection import engine


@lru_cache(maxsize=256)
def _plural(word: str) -> str:
    """Each card spells the same few nouns: ask `inflect` once per word."""
    return str(engine().plural_noun(word))


def noun(word: str, n: int) -> str:
    """`word` agreeing with `n`: noun("spot", 1) -> "spot", noun("person", 2) -> "people"."""
    return word if n == 1 else _plural(word)


def count(n: int, word: str) -> str:
    """A number with its noun: count(1, "guest") -> "1 guest", count(0, "party") -> "0 parties"."""
    return f"{n} {noun(word, n)}"


def of_capacity(taken: int, capacity: int) -> str:
    """Seats taken out of a capacity; the noun agrees with the capacity, the number the
    phrase is about: "0 of 1 spot", "1 of 1 spot", "2 of 3 spots"."""
    return f"{taken} of {count(capacity, 'spot')}"
