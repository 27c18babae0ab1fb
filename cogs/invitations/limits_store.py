"""The limits in force for one inviter: the config file's, then moderators' overrides for
the whole community, for the inviter's role (member, organizer, moderator) and for the
person, each narrower one winning for the values it sets."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Person
from cogs.invitations.limits import LIMIT_NAMES, Limits
from storage.models import LimitOverrideRow
from storage.repositories import invitation_limits as limit_rows

COMMUNITY = ("community", "")


def role_scope(level_label: str) -> tuple[str, str]:
    return ("role", level_label)


def person_scope(external_id: str) -> tuple[str, str]:
    """A person's own limits, kept by their platform id so they outlive /privacy forget."""
    return ("person", external_id)


def values_of(row: LimitOverrideRow | Any | None) -> dict[str, int | None]:
    """The limit values an override row sets (an ORM row or a plain one; None: none)."""
    return {name: getattr(row, name) if row is not None else None for name in LIMIT_NAMES}


def limits_of(overrides: Iterable[Any], person: Person, base: Limits) -> Limits:
    """`base` (the config file's) with the community's, the role's and the person's
    overrides (rows with scope, subject and the limit values) laid over it, in that order."""
    rows = {(r.scope, r.subject): r for r in overrides}
    limits = base
    for scope in (COMMUNITY, role_scope(person.level.label), person_scope(person.external_id)):
        limits = limits.overlay(values_of(rows.get(scope)))
    return limits


async def limits_for(
    session: AsyncSession, community_id: int, person: Person, base: Limits
) -> Limits:
    """`limits_of` the community's overrides as stored now."""
    return limits_of(await limit_rows.overrides(session, community_id), person, base)
