"""Why a direct message failed, as the inviter reads it in /invites sent."""

from __future__ import annotations

import pytest

from cogs.invitations.status import failure_words


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("cannot message 600000000000000005 (DMs closed, code 50007)", "their DMs are closed"),
        ("conversations.open: cannot_dm_bot", "their DMs are closed"),
        (None, "their DMs are closed"),
        ("chat.postMessage: user_disabled", "their account is gone"),
        ("person 123 is gone (code 10013)", "their account is gone"),
        ("chat.postMessage: restricted_action", "the platform refused the message"),
    ],
)
def test_failure_words(error: str | None, words: str) -> None:
    assert failure_words(error) == words
