"""The names of the mentors cog's outbox rows, one function per kind.

Every row of one match lives under `match_scope(pair_id)`, so answering the match withdraws
its pending check-ins by scope. The spelled-out forms (`mentor:7:intro:12`) are stored in the
outbox and must not change for rows already written.
"""

from __future__ import annotations

from datetime import datetime

from bot.outbox_keys import KeyScope, OutboxKey

MENTORS = KeyScope.of("mentor")


def match_scope(pair_id: int) -> KeyScope:
    return MENTORS.narrower(pair_id)


def check_ins(pair_id: int) -> KeyScope:
    """Every check-in of one match."""
    return match_scope(pair_id).narrower("checkin")


def intro(pair_id: int, person_id: int | str) -> OutboxKey:
    """The intro of a match to one person (their people-row id), or "group" for one group DM."""
    return match_scope(pair_id).key("intro", person_id)


def check_in(pair_id: int, due: datetime, person_id: int | str) -> OutboxKey:
    """The check-in due at `due` to one person of a match (or "group")."""
    return check_ins(pair_id).key(due, person_id)
