"""User text inside bold, links and fields shows as typed on Discord: its markdown is escaped
(so `*`, `_`, `~`, `|` cannot restyle or hide the rest of the message) and its @everyone cannot
ping. Checked on the renderer and end to end, through an RSVP answer naming the event."""

from __future__ import annotations

from bot.adapters.discord.render import render
from bot.core.messages import Bold, Field, Link, Message
from tests.discord.conftest import (
    OLU,
    SAM,
    DiscordWorld,
    button_id,
    callback_message,
    embed_text,
    is_ephemeral,
)

TITLE = "*Stars* __and__ ~~moons~~ || @everyone"
SHOWN = r"\*Stars\* \_\_and\_\_ \~\~moons\~\~ \|\| @" + "\u200beveryone"


def test_bold_user_text_is_escaped_inside_the_bold_markers() -> None:
    message = Message(
        text=["You're going to ", Bold(text=TITLE), "."],
        fields=[Field(name="Where", value=[Bold(text="Room_2 *upstairs*")])],
    )
    embed = render(message).embeds[0]
    assert embed.description == f"You're going to **{SHOWN}**."
    assert embed.fields[0].value == r"**Room\_2 \*upstairs\***"


def test_link_labels_and_plain_text_are_escaped_too() -> None:
    message = Message(text=["_a_ ", Link(url="https://example.org/x", label="**b**")])
    assert render(message).embeds[0].description == r"\_a\_ [\*\*b\*\*](https://example.org/x)"


async def test_an_event_title_in_an_rsvp_answer_shows_as_typed(world: DiscordWorld) -> None:
    created = await world.run("/event create", {"title": TITLE, "when": "tomorrow 18:00"}, as_=OLU)
    assert "Created!" in embed_text(created.json), embed_text(created.json)
    card = callback_message(created)
    payload = world.fake.button_interaction(
        button_id(card, "Going"), user_id=SAM, message=card, channel_id=card["channel_id"]
    )
    answer = await (await world.fake.send_interaction(payload)).response()
    assert is_ephemeral(answer.json)
    assert f"You're going to **{SHOWN}**" in embed_text(answer.json)
    assert answer.json["data"]["allowed_mentions"]["parse"] == []
