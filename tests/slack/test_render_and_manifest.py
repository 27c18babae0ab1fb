"""What Slack receives for a message, and the app manifest people paste into Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.adapters.slack.cli import build_manifest, registry_commands, registry_features
from bot.adapters.slack.render import (
    blocks,
    command_text,
    custom_id_of,
    fallback_text,
    mrkdwn,
)
from bot.app import Potluck
from bot.config import Settings
from bot.core.messages import Bold, Button, Code, Field, Link, Message, Time, rich


def test_times_show_in_each_readers_local_time() -> None:
    at = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    text = mrkdwn(rich("Starts ", Time(at=at), ", ", Time(at=at, style="relative")))
    stamp = int(at.timestamp())
    assert f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|Fri 04 Dec 2026, 18:00 UTC>" in text
    assert f"<!date^{stamp}^{{ago}}|" in text


def test_markup_segments_escape_their_text_too() -> None:
    text = mrkdwn(
        rich(
            Bold(text="<!here> & co"),
            " ",
            Code(text="<@U1>"),
            " ",
            Link(url="https://example.org/a?b=1&c=2", label="<!channel>"),
            " ",
            Link(url="javascript:alert(1)", label="click"),
        )
    )
    assert "*&lt;!here&gt; &amp; co*" in text
    assert "`&lt;@U1&gt;`" in text
    assert "<https://example.org/a?b=1&amp;c=2|&lt;!channel&gt;>" in text
    assert "javascript" not in text and "click" in text


def test_a_card_becomes_header_fields_and_unique_buttons() -> None:
    message = Message(
        title="Winter party",
        text=["At the library"],
        fields=[Field(name="Going", value=["3"]), Field(name="Waitlist", value=["1"])],
        buttons=[
            Button(label="Going", action="rsvp", value="7:yes", style="success"),
            Button(label="Going", action="rsvp", value="7:yes"),
            Button(label="Not going", action="rsvp", value="7:no", disabled=True),
        ],
        footer=["Organized by Ana"],
    )
    out = blocks(message)
    assert [b["type"] for b in out] == ["header", "section", "section", "actions", "context"]
    assert out[2]["fields"][0]["text"] == "*Going*\n3"
    elements = out[3]["elements"]
    assert [e["action_id"] for e in elements] == ["rsvp:7:yes#0", "rsvp:7:yes#1"]
    assert [custom_id_of(e["action_id"]) for e in elements] == ["rsvp:7:yes", "rsvp:7:yes"]
    assert elements[0]["style"] == "primary" and "style" not in elements[1]
    assert fallback_text(message).startswith("Winter party\nAt the library")


def test_long_text_is_split_into_sections_slack_accepts() -> None:
    message = Message(text=["line of text\n" * 600])
    out = blocks(message)
    assert len(out) >= 3
    assert all(len(b["text"]["text"]) <= 3000 for b in out)


def test_command_text_keeps_people_and_channels_and_drops_broadcasts() -> None:
    assert command_text("who:<@U123|ana> in:<#C1|general>") == "who:<@U123|ana> in:<#C1|general>"
    assert (
        command_text("title:&quot;x&quot; <!channel> &lt;b&gt; &amp;")
        == "title:&quot;x&quot; @channel <b> &"
    )
    assert command_text("where:<https://example.org|example.org>") == "where:example.org"


async def test_manifest_lists_every_command_with_the_prefix(bot: Potluck) -> None:
    settings = Settings.model_validate(
        {
            "slack": {"command_prefix": "pl-", "organizer_usergroup": "S1"},
            "web": {"public_url": "https://potluck.example.org/"},
        }
    )
    manifest = build_manifest(
        settings, registry_commands(bot.registry), registry_features(bot.registry)
    )
    json.dumps(manifest)  # serialisable as is
    about = manifest["display_information"]
    # It describes what the loaded cogs do, and nothing that is not built.
    assert "events" in about["description"] and len(about["description"]) <= 140
    assert "RSVPs" in about["long_description"]
    assert 174 <= len(about["long_description"]) <= 4000
    assert "invitations" in about["description"]
    assert "Mentor matching" in about["long_description"]  # the loaded mentors cog

    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    expected = {f"/pl-{n}" for n in bot.registry.top_level_names()} | {"/pl-potluck"}
    assert set(commands) == expected
    assert commands["/pl-timezone"]["usage_hint"] == "community | set | show"
    assert all(c["should_escape"] is True for c in commands.values())
    url = "https://potluck.example.org/slack/events"
    assert all(c["url"] == url for c in commands.values())
    assert manifest["settings"]["interactivity"] == {"is_enabled": True, "request_url": url}
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "chat:write.public",
        "im:write",
        "users:read",
        "files:write",
        "usergroups:read",
    }


async def test_socket_mode_manifest_has_no_request_urls(bot: Potluck) -> None:
    settings = Settings.model_validate({"slack": {"app_token": "xapp-1"}})
    manifest = build_manifest(settings, registry_commands(bot.registry))
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in manifest["settings"]["interactivity"]
    assert all("url" not in c for c in manifest["features"]["slash_commands"])
    assert "usergroups:read" not in manifest["oauth_config"]["scopes"]["bot"]
