"""Counted nouns in the events cog's words: "1 spot", "2 guests", "0 of 1 spot".

Plurals come from `inflect` (a maintained English inflection library, see
bot/core/inflection.py), so every message agrees with its number the same way instead of
each one spelling its own "s".
"""

from __future__ import annotations

from bot.core.inflection import count, noun

__all__ = ["count", "noun", "of_capacity"]


def of_capacity(taken: int, capacity: int) -> str:
    """Seats taken out of a capacity; the noun agrees with the capacity, the number the
    phrase is about: "0 of 1 spot", "1 of 1 spot", "2 of 3 spots". More taken than there are
    (walk-ins checked in, or the capacity lowered) reads "Going: 2, capacity 1"."""
    if taken > capacity:
        return f"{taken}, capacity {capacity}"
    return f"{taken} of {count(capacity, 'spot')}"
