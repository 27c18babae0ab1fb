"""Whether an invitation may go now, later or never: pure functions over plain values.

The service gathers the facts inside the one transaction of an /invite (which holds the
community's invitation lock), asks `plan` for a decision about every person, and writes the
outcome. Nothing here reads a clock or a database.

Windows are sliding, counted from the invitations themselves (the rows exist anyway, and "the
next after 18:00" is simply the oldest invitation in the window plus its length); an hour is
the last 60 minutes, a day the last 24 hours, a week the last 7 days.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from typing import Literal

from bot.core.inflection import count

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(days=7)

LIMIT_NAMES = (
    "per_inviter_hour",
    "per_inviter_day",
    "per_recipient_week",
    "per_event",
    "role_posts_day",
)


@dataclass(frozen=True, slots=True)
class Limits:
    """How many invitations may go. Each value is a count; None means no limit.

    per_inviter_hour / per_inviter_day: people one inviter may invite in the last 60 minutes /
    24 hours. per_recipient_week: invitations one person receives from everyone together in
    the last 7 days. per_event: invitations to one event in total. role_posts_day: role posts
    per community in the last 24 hours."""

    per_inviter_hour: int | None = 10
    per_inviter_day: int | None = 30
    per_recipient_week: int | None = 5
    per_event: int | None = 200
    role_posts_day: int | None = 3

    def overlay(self, changes: dict[str, int | None]) -> Limits:
        """These limits with every non-None value of `changes` (names from LIMIT_NAMES)."""
        given = {k: v for k, v in changes.items() if v is not None and k in LIMIT_NAMES}
        return replace(self, **given)

    def as_dict(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


Outcome = Literal["sent", "queued", "not_sent"]


@dataclass(frozen=True, slots=True)
class Recipient:
    """What is known about one person named in an /invite.

    `member` False: no such person in this community. `invited_on`: when they were already
    invited to this event (UTC). `received`: when they got invitations from anyone in the
    last week (UTC). `held_until`: the invitation would wait until then (quiet hours or a
    digest, UTC), with `held_for` saying which."""

    name: str
    member: bool = True
    is_inviter: bool = False
    invited_on: datetime | None = None
    going: bool = False
    opted_out: bool = False
    blocked_inviter: bool = False
    received: Sequence[datetime] = ()
    held_until: datetime | None = None
    held_for: Literal["quiet hours", "digest"] | None = None


@dataclass(slots=True)
class Inviter:
    """The inviter's recent invitations (UTC creation times, any order, the last day is
    enough), their pause, and the event's invitation count so far."""

    sent: list[datetime] = field(default_factory=list)
    paused_until: datetime | None = None
    pause_reason: str | None = None
    event_count: int = 0


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer about one person. `reason` is plain words for the inviter; `until` is when
    a queued invitation goes (UTC); `again_at` when a refused one could be tried again."""

    name: str
    outcome: Outcome
    reason: str = ""
    until: datetime | None = None
    again_at: datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome != "not_sent"


def window_wait(
    times: Sequence[datetime], limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """None when one more fits `limit` uses in the sliding `window` ending at `now`; else the
    first moment one more fits: when the oldest use that must leave the window leaves it."""
    inside = sorted(t for t in times if t > now - window)
    if len(inside) < limit:
        return None
    if limit <= 0:
        return None if not inside else inside[-1] + window
    return inside[len(inside) - limit] + window


def remaining(
    times: Sequence[datetime], limit: int | None, window: timedelta, now: datetime
) -> int | None:
    """How many more uses fit now (None: no limit)."""
    if limit is None:
        return None
    return max(0, limit - sum(1 for t in times if t > now - window))


def plan(
    inviter: Inviter, people: Sequence[Recipient], limits: Limits, now: datetime
) -> list[Decision]:
    """A decision for every person, in order; each accepted one counts against the limits of
    the ones after it (so a list of 12 against a limit of 10 sends 10)."""
    decisions: list[Decision] = []
    sent = list(inviter.sent)
    event_count = inviter.event_count
    for person in people:
        decision = decide(person, inviter, sent, event_count, limits, now)
        if decision.accepted:
            sent.append(now)
            event_count += 1
        decisions.append(decision)
    return decisions


def decide(
    person: Recipient,
    inviter: Inviter,
    sent: Sequence[datetime],
    event_count: int,
    limits: Limits,
    now: datetime,
) -> Decision:
    """One person's decision given the inviter's invitations so far (`sent`, UTC) and the
    event's count. Checks run from the person's own situation to the limits."""
    name = person.name

    def refuse(reason: str, again: datetime | None = None) -> Decision:
        return Decision(name, "not_sent", reason, again_at=again)

    personal = _personal_refusal(person, inviter, now)
    if personal is not None:
        return refuse(*personal)
    if limits.per_event is not None and event_count >= limits.per_event:
        if limits.per_event == 0:
            return refuse("invitations to this event are off (its limit is 0)")
        had = count(limits.per_event, "invitation")
        return refuse(f"this event has had its {had} (the limit)")
    if limits.per_recipient_week is not None:
        wait = window_wait(person.received, limits.per_recipient_week, WEEK, now)
        if wait is not None:
            most = count(limits.per_recipient_week, "invitation")
            return refuse(f"has had {most} this week, the most anyone gets", wait)
    for limit, window, words in (
        (limits.per_inviter_hour, HOUR, "an hour"),
        (limits.per_inviter_day, DAY, "a day"),
    ):
        if limit is None:
            continue
        wait = window_wait(sent, limit, window, now)
        if wait is not None:
            invited = count(limit, "person")
            return refuse(f"you have invited {invited} in {words}, the limit", wait)
    if person.held_until is not None and person.held_until > now:
        return Decision(name, "queued", person.held_for or "later", until=person.held_until)
    return Decision(name, "sent")


def paused(inviter: Inviter, now: datetime) -> bool:
    """Whether the inviter's invitations are paused at `now` (UTC)."""
    return inviter.paused_until is not None and inviter.paused_until > now


def _personal_refusal(
    person: Recipient, inviter: Inviter, now: datetime
) -> tuple[str, datetime | None] | None:
    """Why this person can't be invited by this inviter, whatever the counts. A pause comes
    first: while paused, nobody can be invited, whoever they are."""
    if paused(inviter, now):
        why = f" ({inviter.pause_reason})" if inviter.pause_reason else ""
        return f"your invitations are paused{why}", inviter.paused_until
    if not person.member:
        return "isn't a member of this community, so Potluck can't invite them", None
    if person.is_inviter:
        return "that's you", None
    if person.invited_on is not None:
        return f"already invited on {person.invited_on:%Y-%m-%d}", None
    if person.going:
        return "is already going", None
    if person.opted_out:
        return "has turned invitations off", None
    if person.blocked_inviter:
        return "doesn't take invitations from you", None
    return None


def budget_line(inviter_sent: Sequence[datetime], limits: Limits, now: datetime) -> str | None:
    """ "You can invite 4 more people today; the next after 18:00 UTC"-style summary: the
    tighter of the hourly and daily budgets, or None without limits. Times are UTC; the
    caller shows them in the reader's zone."""
    best: tuple[int, str, datetime | None] | None = None
    for limit, window, words in (
        (limits.per_inviter_hour, HOUR, "this hour"),
        (limits.per_inviter_day, DAY, "today"),
    ):
        left = remaining(inviter_sent, limit, window, now)
        if left is None or limit is None:
            continue
        nxt = window_wait(inviter_sent, limit, window, now) if left == 0 else None
        if best is None or left < best[0]:
            best = (left, words, nxt)
    if best is None:
        return None
    left, words, _ = best
    return f"you can invite {left} more {'person' if left == 1 else 'people'} {words}"


def next_free(inviter_sent: Sequence[datetime], limits: Limits, now: datetime) -> datetime | None:
    """When the inviter may invite one more person if they can't now (UTC), else None."""
    waits = [
        window_wait(inviter_sent, limit, window, now)
        for limit, window in ((limits.per_inviter_hour, HOUR), (limits.per_inviter_day, DAY))
        if limit is not None
    ]
    found = [w for w in waits if w is not None]
    return max(found) if found else None


# -- reputation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reputation:
    """Complaint thresholds, like e-mail's bulk-sender rules: an inviter whose last `window`
    invitations drew at least `complaints` complaints that are also at least `rate` of them
    is paused for `pause`."""

    complaints: int = 3
    rate: float = 0.10
    window: int = 30
    pause: timedelta = DAY


# The reason of an automatic pause, as the inviter reads it (when told, and when an /invite
# is refused); `for_moderators` turns it to the third person.
AUTO_PAUSE_REASON = "{complaints} of your last {of} invitations were answered with a complaint"
_AUTO_PAUSE = re.compile(r"^(\d+) of your last (\d+) invitations")


def for_moderators(reason: str) -> str:
    """A pause reason as a moderator reads it: an automatic pause's second person
    (`AUTO_PAUSE_REASON`, "3 of your last 4 invitations ...") becomes the third ("3 of their
    last 4 invitations ..."); a moderator's own words stay as written."""
    return _AUTO_PAUSE.sub(r"\1 of their last \2 invitations", reason)


def over_threshold(complaints: int, invitations: int, rule: Reputation) -> bool:
    """True when `complaints` among the inviter's last `invitations` (at most rule.window)
    pass both thresholds."""
    if invitations <= 0:
        return False
    return complaints >= rule.complaints and complaints / invitations >= rule.rate


def paced(
    decisions: Sequence[Decision], ahead: int, per_minute: int | None, now: datetime
) -> list[Decision]:
    """Mark as queued (for pacing, with an estimate of when) the invitations that will wait
    for the community's budget of new direct messages: `ahead` are already waiting, and
    `per_minute` go out each minute (None: no budget). Only an estimate for the inviter: the
    outbox spaces the sends, and people the bot already has a DM with cost nothing."""
    if not per_minute:
        return list(decisions)
    out: list[Decision] = []
    position = ahead
    for d in decisions:
        if d.outcome == "sent":
            minutes = position // per_minute
            if minutes:
                d = Decision(d.name, "queued", "pacing", until=now + timedelta(minutes=minutes))
            position += 1
        out.append(d)
    return out
