"""The long-running front doors move start-up objects out of the collector's way."""

from __future__ import annotations

import gc

from bot.app import freeze_startup_objects


def test_objects_alive_at_start_up_are_no_longer_scanned_by_full_collections() -> None:
    gc.unfreeze()
    start_up: list[list[int]] = [[] for _ in range(1_000)]  # stands for modules, cogs and caches
    try:
        frozen = freeze_startup_objects()
        assert frozen == gc.get_freeze_count() >= len(start_up)
        # A full collection now tracks none of them: only objects made afterwards are scanned.
        scanned = {id(o) for o in gc.get_objects()}
        assert not any(id(o) in scanned for o in start_up)
        later: list[list[int]] = [[] for _ in range(10)]
        assert any(o is later[0] for o in gc.get_objects())
    finally:
        gc.unfreeze()
