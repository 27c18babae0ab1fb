"""Finding a person someone named in a command (a platform id, or a console name)."""

from __future__ import annotations

from bot.core.errors import BadOption
from bot.core.types import Person
from storage.db import Database
from storage.repositories import invitations as repo
from storage.repositories.identity import IdentityStore


async def known_person(
    db: Database, identity: IdentityStore, community_id: int, who: str, *, to: str
) -> Person:
    """The member `who` names (their platform id or, in the console, their name). Raises
    BadOption for someone Potluck has never seen in this community, in one line that says
    so with what the command would have done (`to`, a verb like "block" or "pause"):
    "ben has not used Potluck here yet, so there is nobody to block." Repeating the mention
    back as advice would not help: it is exactly what was typed."""
    found = await identity.person_by_external_id(community_id, who)
    if found is None:
        async with db.sessions() as session:
            named = (await repo.people_named(session, community_id, [who])).get(who.lower())
        if named is not None:
            found = await identity.person_by_external_id(community_id, named.external_id)
    if found is None:
        raise BadOption(f"{who} has not used Potluck here yet, so there is nobody to {to}.")
    return found
