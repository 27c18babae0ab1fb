"""Addresses are text from outside too: a calendar feed address with a NUL or a broken
character is "not found", never a server error (PostgreSQL refuses NUL in text)."""

from __future__ import annotations

import aiohttp
import pytest

from bot.app import Potluck


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
