"""The names of the invitations cog's outbox rows, one function per kind."""

from __future__ import annotations

from datetime import datetime

from bot.outbox_keys import KeyScope, OutboxKey

INVITATIONS = KeyScope.of("invite")
DIGESTS = KeyScope.of("invite-digest")
ROLE_POSTS = KeyScope.of("invite-role")
NOTICES = KeyScope.of("invite-notice")


def invitation(invitation_id: int) -> OutboxKey:
    """The direct message of one invitation."""
    return INVITATIONS.key(invitation_id)


def invitation_id(key: str) -> int | None:
    """The invitation a direct invitation's outbox row name (`invitation`) stands for, or
    None for any other name (a digest's, say)."""
    prefix = INVITATIONS.prefix
    rest = key[len(prefix) :] if key.startswith(prefix) else ""
    return int(rest) if rest.isdigit() else None


def digest(person_id: int, due_at: datetime) -> OutboxKey:
    """One person's digest due at `due_at`: later invitations rewrite it while it waits."""
    return DIGESTS.key(person_id, due_at)


def role_post(post_id: int) -> OutboxKey:
    return ROLE_POSTS.key(post_id)


def inviter_paused(person_id: int, until: datetime) -> OutboxKey:
    """The one message telling an inviter that complaints paused their invitations."""
    return NOTICES.key("paused", person_id, until)
