"""Addresses are text from outside too: a calendar feed address with a NUL or a broken
character is "not found", never a server error (PostgreSQL refuses NUL in text). HEAD works
wherever GET does (`curl -I`, link checkers)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import Potluck
from bot.core.messages import Link
from bot.core.types import Level
from bot.testing import Conversation


@pytest.mark.parametrize(
    "path",
    ["calendar/%00.ics", "calendar/a%00b.ics", "calendar/%1B%5B2J.ics", "calendar/%ED%A0%80.ics"],
)
async def test_a_feed_address_with_control_characters_is_not_found(bot: Potluck, path: str) -> None:
    (port,) = await bot.web.start([("127.0.0.1", 0)])
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/{path}") as response,
    ):
        assert response.status == 404


async def test_head_answers_wherever_get_does(bot: Potluck, chat: Conversation) -> None:
    chat.levels["mod"] = Level.MODERATOR
    reply = await chat.say("/event feed", as_="mod")
    feed = next(s.url for s in reply.text if isinstance(s, Link)).split("://", 1)[1]
    feed = feed.split("/", 1)[1]
    (port,) = await bot.web.start([("127.0.0.1", 0)])
    async with aiohttp.ClientSession() as http:
        for path in (feed, "healthz", "metrics", "calendar/not-a-secret.ics"):
            url = f"http://127.0.0.1:{port}/{path}"
            async with http.get(url) as got:
                await got.read()
            async with http.head(url) as head:
                assert head.status == got.status, (path, head.status, got.status)
                assert head.headers["Content-Type"] == got.headers["Content-Type"], path
                assert await head.read() == b"", path
        assert got.status == 404  # the made-up feed address is not found either way
        async with http.get(f"http://127.0.0.1:{port}/{feed}") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/calendar")
