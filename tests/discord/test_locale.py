"""Discord sends each person's client language with every interaction; a slashed date is
read in that language's order ("4/12" is April in en-US, December in en-GB)."""

from __future__ import annotations

import pytest

from tests.discord.conftest import OLU, StartPotluck, embed_text
from tests.fakes.discord_server import FakeDiscord


@pytest.mark.parametrize(
    ("locale", "reading"),
    [
        ("en-US", "I read 4/12/2027 as 12 April 2027 (month first)"),
        ("en-GB", "I read 4/12/2027 as 4 December 2027 (day first)"),
        ("de", "I read 4/12/2027 as 4 December 2027 (day first)"),
    ],
)
async def test_a_slashed_date_follows_the_discord_locale(
    start_potluck: StartPotluck, fake_discord: FakeDiscord, locale: str, reading: str
) -> None:
    await start_potluck()
    handle = await fake_discord.send_interaction(
        fake_discord.slash_interaction(
            "event",
            {"title": "Book club", "when": "4/12/2027 18:00"},
            subcommand="create",
            user_id=OLU,
            locale=locale,
        )
    )
    answer = embed_text((await handle.response()).json)
    assert "Created!" in answer and reading in answer, answer
