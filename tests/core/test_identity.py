"""Who acted: people are created on first sight, also when many arrive at once."""

from __future__ import annotations

import asyncio

from bot.app import Potluck
from bot.testing import Conversation


async def test_a_burst_of_new_people_each_get_their_own_record(
    bot: Potluck, chat: Conversation
) -> None:
    names = [f"reader{i}" for i in range(40)]
    resolved = await asyncio.gather(*(bot.identity.resolve(chat.actor(n)) for n in names * 2))
    ids = {person.external_id: person.id for _, person in resolved}
    assert len(set(ids.values())) == 40  # one record per person, none duplicated
    for _, person in resolved:
        assert ids[person.external_id] == person.id
    again = await bot.identity.person_by_external_id(resolved[0][0].id, "reader7")
    assert again is not None and again.id == ids["reader7"] and again.display_name == "reader7"


async def test_being_mentioned_does_not_erase_a_known_name(
    bot: Potluck, chat: Conversation
) -> None:
    community, ana = await bot.identity.resolve(chat.actor("ana"))
    mentioned = await bot.identity.ensure_person(community.id, "ana", "")
    assert mentioned.id == ana.id and mentioned.display_name == "ana"
    stranger = await bot.identity.ensure_person(community.id, "zoe", "")
    assert stranger.display_name == "zoe"  # shown by id until they speak
