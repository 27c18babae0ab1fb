"""Reading the people and roles an /invite names, on every platform.

Discord sends `<@123>` (or `<@!123>`) for a person and `<@&456>` for a role; Slack sends
`<@U123|ann>` and `<!subteam^S123|@team>`; the console takes `@ann` words and `@&name` (or a
bare name) for a role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.errors import BadOption

_TOKEN = re.compile(
    r"<@!?(?P<platform>[A-Za-z0-9]+)(?:\|[^>]*)?>"
    r"|<@&[0-9]+>|<!subteam\^[A-Za-z0-9]+(?:\|[^>]*)?>"
    r"|@(?P<word>[^\s,;<>@]+)"
    r"|(?P<other>[^\s,;]+)"
)
# Mentions of everyone at once (Discord's @everyone and @here, Slack's <!everyone>, <!here>
# and <!channel>): never a person, and an /invite never pings a whole server.
_EVERYONE = re.compile(r"^(?:@(?:everyone|here|channel)|<!(?:everyone|here|channel)(?:\|[^>]*)?>)$")
_DISCORD_ROLE = re.compile(r"^<@&([0-9]+)>$")
_SLACK_GROUP = re.compile(r"^<!subteam\^([A-Za-z0-9]+)(?:\|@?([^>]*))?>$")
_CONSOLE_ROLE = re.compile(r"^@?&?([A-Za-z0-9][\w.-]{0,63})$")


@dataclass(frozen=True, slots=True)
class Role:
    """A role (Discord) or user group (Slack) to mention; `name` is for people to read."""

    id: str
    name: str


def event_word(ref: str) -> str:
    """The event as typed, as it can be pasted back after `event:`: "Door" stays Door, a
    title with spaces is quoted ("Two words"); empty gives the example id k3f9."""
    ref = " ".join(ref.replace('"', "'").split())
    if not ref:
        return "k3f9"
    return ref if re.fullmatch(r"[^\s:]+", ref) else f'"{ref}"'


def person_word(name: str) -> str:
    """A person as typed after `person:` in a suggested command: "@ann", or quoted when the
    name has spaces ("@Ann Lee" in quotes), so the suggestion works as written."""
    return f"@{name}" if re.fullmatch(r"[^\s\"]+", name) else f'"@{name.replace(chr(34), "")}"'


def parse_people(text: str, *, most: int, event: str = "", roles: bool = False) -> list[str]:
    """The people named in `text`, as platform ids or console names, in order, each once;
    `event` is the event as typed (or its code), for the examples in errors; `roles` says
    whether the inviter may invite a role (organizers), so only they are told to. Raises
    BadOption for nothing named, a role among them, a word that is not a mention, or more
    than `most` people."""
    like = f"/invite event:{event_word(event)}"
    found: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if _EVERYONE.match(token.rstrip(".!?").casefold()):
            raise BadOption(
                f"`people:` names people, not `{token}`: an /invite never pings everyone.",
                hint=f"Invite a role instead, like {like} role:@volunteers"
                if roles
                else f'Name the people, like {like} people:"@ann @ben"',
            )
        if token.startswith(("<@&", "<!subteam")):
            raise BadOption(
                "`people:` names people; a role goes in `role:`.",
                hint=f"Like {like} role:@volunteers"
                if roles
                else f'Only organizers invite a role; name the people, like {like} people:"@ann"',
            )
        who = match.group("platform") or match.group("word")
        if who is None:
            raise BadOption(
                f"`people:` must be mentions like @ann @ben, not `{match.group('other')}`.",
                hint=f'Like {like} people:"@ann @ben"',
            )
        if who not in found:
            found.append(who)
    if not found:
        raise BadOption("Name at least one person in `people:`.", hint=f'Like {like} people:"@ann"')
    if len(found) > most:
        raise BadOption(
            f"One /invite can name at most {most} people; you named {len(found)}.",
            hint="Invite the rest in another /invite"
            + (f", or a whole role, like {like} role:@volunteers." if roles else "."),
        )
    return found


def parse_role(text: str, *, event: str = "") -> Role:
    """A role from `<@&id>`, `<!subteam^ID|@name>` or a console role name; `event` is the
    event as typed, for the example in the error. BadOption else."""
    text = text.strip()
    if m := _DISCORD_ROLE.match(text):
        return Role(m.group(1), m.group(1))
    if m := _SLACK_GROUP.match(text):
        return Role(m.group(1), m.group(2) or m.group(1))
    if text.lower() in ("@everyone", "@here", "everyone", "here", "@channel", "channel"):
        raise BadOption("Potluck never pings everyone; name a role.", hint="Like role:@volunteers")
    if m := _CONSOLE_ROLE.match(text):
        return Role(m.group(1), m.group(1))
    raise BadOption(
        f"`role:` must name one role, not {text!r}.",
        hint=f"Like /invite event:{event_word(event)} role:@volunteers",
    )
