"""Loopback stand-ins for Discord and Slack plus a network guard, for offline tests."""

from .discord_server import FakeDiscord, InteractionHandle, RecordedRequest, running_discord_client
from .netguard import install_loopback_guard
from .slack_server import FakeSlack, RecordedCall, SlackUser

__all__ = [
    "FakeDiscord",
    "FakeSlack",
    "InteractionHandle",
    "RecordedCall",
    "RecordedRequest",
    "SlackUser",
    "install_loopback_guard",
    "running_discord_client",
]
