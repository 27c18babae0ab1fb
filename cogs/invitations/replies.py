"""Everything the invitations cog shows people, as neutral Messages.

An invitation is the event's card (cogs/events/cards.py, so its RSVP buttons work exactly
like the card's) with the inviter's note and three more buttons. Times are Time segments, so
each recipient reads them in their own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.core.messages import Bold, Button, Code, Message, RoleMention, Segment, Time, rich
from cogs.events.cards import event_card, rsvp_buttons
from cogs.events.views import EventView, Tally
from cogs.invitations.limits import Decision
from cogs.invitations.naming import Role

ANSWER = "invite-answer"  # the action of the three buttons; value "<invitation id>:<choice>"


def answer_buttons(invitation_id: int, inviter_name: str) -> list[Button]:
    return [
        Button(label="Not interested", action=ANSWER, value=f"{invitation_id}:decline"),
        Button(
            label=f"No more from {inviter_name}"[:80], action=ANSWER, value=f"{invitation_id}:block"
        ),
        Button(
            label="No invitations at all",
            action=ANSWER,
            value=f"{invitation_id}:off",
            style="danger",
        ),
    ]


def invitation_message(
    view: EventView,
    occurrence: datetime,
    tally: Tally,
    upcoming: list[datetime],
    inviter_name: str,
    note: str | None,
    invitation_id: int,
) -> Message:
    """The direct message one person gets."""
    header: list[Segment] = [Bold(text=inviter_name), " invites you."]
    if note:
        header += [' They wrote: "', note, '"']
    header.append("\n")
    card = event_card(view, occurrence, tally, upcoming, header=header)
    return card.model_copy(
        update={
            "title": f"You're invited: {card.title}",
            "buttons": [*card.buttons, *answer_buttons(invitation_id, inviter_name)],
            "footer": rich(
                *card.footer,
                " · answer with the buttons; ",
                Code(text="/invites off"),
                " stops all invitations.",
            ),
        }
    )


# How an answer button's value starts in a stored message (pydantic's compact JSON): the
# invitation id, then the choice.
_ANSWER_VALUE = '"value":"{}:'


def invitation_payloads(
    card: Message, inviter_name: str, invitation_ids: Sequence[int]
) -> list[str]:
    """The invitation `card` (`invitation_message` for invitation 0) as the outbox stores it
    (Message JSON), once per invitation id, in order. The card is serialised once and each
    copy gets its id in the three answer buttons' values; should anything else in the card
    read like one of those values, each copy is built and serialised on its own instead."""
    parts = card.model_dump_json().split(_ANSWER_VALUE.format(0))
    if len(parts) == 4:  # exactly the three answer buttons
        return [_ANSWER_VALUE.format(i).join(parts) for i in invitation_ids]
    return [
        card.model_copy(
            update={"buttons": [*card.buttons[:-3], *answer_buttons(i, inviter_name)]}
        ).model_dump_json()
        for i in invitation_ids
    ]


# Buttons one digest may carry: Discord allows 5 per action row and 5 rows, 25 in all
# (https://discord.com/developers/docs/components/reference#action-row); Slack 25 per
# actions block and 50 blocks per message
# (https://docs.slack.dev/reference/block-kit/blocks/actions-block), so 25 fit everywhere.
# One is "No invitations at all"; each invitation takes "Going" and "Not interested", and
# "No more from <inviter>" once per inviter: at least 8 invitations get all their choices.
DIGEST_BUTTONS = 25


def digest_message(items: Sequence[tuple[EventView, str, Any]]) -> Message:
    """One message with every invitation waiting for a person's digest (event, inviter's
    name, invitation row), oldest first. Each invitation gets the choices of a direct one:
    "Going", "Not interested" and "No more from <inviter>" (once per inviter), and the
    message one "No invitations at all"; past `DIGEST_BUTTONS`, the text says what to type
    for the invitations left without buttons."""
    text: list[Segment] = []
    buttons: list[Button] = []
    blocked: set[str] = set()
    without: list[EventView] = []
    room = DIGEST_BUTTONS - 1
    for view, inviter_name, row in items:
        text += [
            "• ",
            Bold(text=view.title),
            " (",
            Code(text=view.code),
            ") ",
            Time(at=view.starts_at, style="short"),
        ]
        text += [f", from {inviter_name}"]
        if row.note:
            text += [f': "{row.note}"']
        text.append("\n")
        block = inviter_name not in blocked
        wanted = 2 + block
        if wanted > room:
            without.append(view)
            continue
        room -= wanted
        going = rsvp_buttons(view)[0]
        buttons.append(going.model_copy(update={"label": f"Going: {view.title}"[:80]}))
        buttons.append(
            Button(
                label=f"Not interested: {view.title}"[:80],
                action=ANSWER,
                value=f"{row.id}:decline",
            )
        )
        if block:
            blocked.add(inviter_name)
            buttons.append(
                Button(
                    label=f"No more from {inviter_name}"[:80],
                    action=ANSWER,
                    value=f"{row.id}:block",
                )
            )
    if items:
        buttons.append(
            Button(
                label="No invitations at all",
                action=ANSWER,
                value=f"{items[0][2].id}:off",
                style="danger",
            )
        )
    first = (without or [items[0][0]])[0].code if items else "k3f9"
    if without:
        closing: list[Segment] = [
            f"The buttons answer the first {len(items) - len(without)}; answer the others with ",
            Code(text=f"/rsvp event:{first} answer:yes"),
            " (or answer:no), one event at a time.",
        ]
    else:
        closing = [
            "Answer with the buttons, or type ",
            Code(text=f"/rsvp event:{first} answer:yes"),
            ".",
        ]
    return Message(
        title=f"Your invitations ({len(items)})",
        text=rich(*text, *closing),
        buttons=buttons,
    )


def role_post_message(
    view: EventView,
    occurrence: datetime,
    tally: Tally,
    upcoming: list[datetime],
    inviter_name: str,
    role: Role,
) -> Message:
    """The one channel post inviting a whole role: it mentions that role and nobody else."""
    header: list[Segment] = [
        RoleMention(role_id=role.id, name=role.name),
        " you are invited by ",
        Bold(text=inviter_name),
        ".\n",
    ]
    return event_card(view, occurrence, tally, upcoming, header=header)


def decision_words(d: Decision) -> list[Segment]:
    if d.outcome == "sent":
        # Accepted and in the outbox, not yet delivered: the words /invites sent uses too.
        return [Bold(text=d.name), ": queued to send"]
    if d.outcome == "queued":
        why = {
            "quiet hours": "their quiet hours",
            "digest": "their digest",
            "pacing": "a gentle pace of new messages",
        }.get(d.reason, d.reason)
        out: list[Segment] = [Bold(text=d.name), f": queued for {why}"]
        if d.until is not None:
            out += [", until ", Time(at=d.until, style="short")]
        return out
    out = [Bold(text=d.name), f": not sent, {d.reason}"]
    if d.again_at is not None:
        out += ["; possible again ", Time(at=d.again_at, style="short")]
    return out


def invite_report(
    view: EventView, decisions: Sequence[Decision], budget: str | None, next_at: datetime | None
) -> Message:
    """The inviter's private answer: every person, then the budget left."""
    text: list[Segment] = ["Invitations to ", Bold(text=view.title), ":\n"]
    for d in decisions:
        text += ["• ", *decision_words(d), "\n"]
    if budget:
        text += [budget[0].upper(), budget[1:]]
        if next_at is not None:
            text += ["; the next after ", Time(at=next_at, style="time")]
        text.append(".")
    elif decisions:
        text.pop()  # no budget line (a pause): end with the last person
    sent = sum(d.accepted for d in decisions)
    accent = "success" if sent == len(decisions) else ("warning" if sent else "danger")
    return Message(text=text, ephemeral=True, accent=accent)  # type: ignore[arg-type]


def role_refused(refused: Any) -> Message:
    """A refused role post (`role_posts.RoleRefused`: a pause, or the day's limit), with when
    it may go in the reader's own time, like the refusals of `/invite people:`."""
    return Message(
        text=[
            refused.message,
            " ",
            refused.next_words,
            Time(at=refused.again, style="short"),
            ". ",
            refused.hint or "",
        ],
        ephemeral=True,
        accent="danger",
    )
