"""/limits and /modlog (moderators): declarations and replies; the changes live in service.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import Potluck
from bot.core.commands import Cog, Option, OptionKind, action, command
from bot.core.errors import BadOption
from bot.core.messages import Attachment, Bold, Button, Code, Field, Message, Segment, Time, rich
from bot.core.types import Invocation, Level, Person
from bot.pacing import NewDMPause
from cogs.invitations.limits import LIMIT_NAMES
from cogs.invitations.members import known_person
from cogs.invitations.settings import InvitationsSettings
from cogs.moderation.alerts import SEEN_AS_MODERATOR, ModeratorAlerts, alert_key
from cogs.moderation.service import Change, Moderation, log_csv
from cogs.moderation.settings import ModerationSettings
from storage.repositories import audit
from storage.repositories.audit import Entry

LONGEST_PAUSE = timedelta(days=365)
# Every kind of entry the audit log holds (storage/repositories/audit.py `record` callers);
# tests/invitations/test_moderation.py checks the code records no other.
AUDIT_KINDS = (
    "dm.paused",
    "invite.auto-pause",
    "invite.blocked",
    "invite.complaint",
    "invite.role",
    "limits.pause",
    "limits.reset",
    "limits.resume",
    "limits.set",
    "mentor.round",
    "mentor.schedule",
    "mentor.topics.add",
    "mentor.topics.remove",
    "rsvp.set",
)
# Kinds whose detail holds "until" (UTC, ISO), the end of a pause, shown in /modlog.
PAUSE_KINDS = ("limits.pause", "invite.auto-pause", "dm.paused")
PERSON = Option("person", "Whose limits.", kind=OptionKind.PERSON)
ROLE = Option("role", "Everyone of one role.", choices=("member", "organizer", "moderator"))
LIMIT_OPTIONS = [
    Option(name, words, kind=OptionKind.INTEGER, min_value=0, max_value=1_000_000)
    for name, words in (
        ("per_inviter_hour", "People one person may invite per hour."),
        ("per_inviter_day", "People one person may invite per day."),
        ("per_recipient_week", "Invitations one person may receive per week."),
        ("per_event", "Invitations per event in total."),
        ("role_posts_day", "Role invitations per day (community)."),
    )
]
PAGE = "modlog-page"


def _value(v: int | None) -> str:
    return "no limit" if v is None else str(v)


class ModerationCog(Cog):
    name = "moderation"
    description = "Moderators' limits on invitations, pauses, and the audit log."
    Settings = ModerationSettings

    def __init__(self, bot: Potluck, settings: ModerationSettings) -> None:
        self.bot = bot
        self.settings = settings
        limits = bot.cog_settings(InvitationsSettings, "invitations").limits()
        self.service = Moderation(bot.db, bot.clock, limits)
        self.alerts = ModeratorAlerts(bot.outbox, bot.settings, settings)
        bot.outbox.on_new_dms_paused.append(self.on_new_dms_paused)

    async def _seen(self, inv: Invocation) -> None:
        """Remember this moderator, so alerts can reach them by DM."""
        settings = await self.bot.identity.person_settings(inv.person.id)
        if not settings.get(SEEN_AS_MODERATOR):
            await self.bot.identity.update_person_settings(
                inv.person.id, **{SEEN_AS_MODERATOR: True}
            )

    async def _person(self, inv: Invocation, who: str) -> Person:
        return await known_person(self.bot.db, self.bot.identity, inv.community.id, who)

    # -- /limits ---------------------------------------------------------------------------

    @command(
        "limits show",
        "The invitation limits in force, for the community or one person.",
        options=[PERSON],
        level=Level.MODERATOR,
        examples=["/limits show", "/limits show person:@ben"],
    )
    async def show(self, inv: Invocation, person: str | None = None) -> Message:
        await self._seen(inv)
        if person is None:
            values = await self.service.community_limits(inv.community)
            fields = [Field(name=k, value=[_value(v)]) for k, v in values.items()]
            return Message(title="Invitation limits (community)", fields=fields, ephemeral=True)
        who = await self._person(inv, person)
        st = await self.service.standing(inv.community, who)
        fields = [Field(name=k, value=[_value(v)]) for k, v in st.limits.as_dict().items()]
        fields.append(Field(name="left this hour", value=[_value(st.left_hour)]))
        fields.append(Field(name="left today", value=[_value(st.left_day)]))
        text: list[Segment] = []
        if st.paused_until is not None:
            text = ["Paused until ", Time(at=st.paused_until, style="full")]
            if st.pause_reason:
                text.append(f": {st.pause_reason}")
        return Message(
            title=f"Invitation limits for {who.display_name} ({who.level.label})",
            text=text,
            fields=fields,
            ephemeral=True,
        )

    @command(
        "limits set",
        "Change invitation limits for the community, a role or a person.",
        options=[PERSON, ROLE, *LIMIT_OPTIONS],
        level=Level.MODERATOR,
        examples=["/limits set per_inviter_day:20", "/limits set person:@ben per_inviter_hour:2"],
    )
    async def set_(
        self, inv: Invocation, person: str | None = None, role: str | None = None, **values: int
    ) -> Message:
        await self._seen(inv)
        if person and role:
            raise BadOption(
                "Give `person:` or `role:`, not both.",
                hint="Like /limits set role:member per_inviter_day:5",
            )
        if not values:
            raise BadOption(
                "Say which limit to change.", hint="Like /limits set per_inviter_day:20"
            )
        who = await self._person(inv, person) if person else None
        change = await self.service.set_limits(
            inv.community, inv.person, person=who, role=role, values=values
        )
        return _change_reply("Limits changed", change)

    @command(
        "limits reset",
        "Drop the custom limits of a person or role (or the community's).",
        options=[PERSON, ROLE],
        level=Level.MODERATOR,
        examples=["/limits reset person:@ben"],
    )
    async def reset(
        self, inv: Invocation, person: str | None = None, role: str | None = None
    ) -> Message:
        await self._seen(inv)
        who = await self._person(inv, person) if person else None
        change = await self.service.reset(inv.community, inv.person, person=who, role=role)
        return _change_reply("Limits reset (the wider limits apply again)", change)

    @command(
        "limits pause",
        "Stop a person's invitations for a while.",
        options=[
            Option("person", "Whose invitations.", kind=OptionKind.PERSON, required=True),
            Option("for", 'How long, like "3 days" (default 1 day).', kind=OptionKind.DURATION),
            Option("reason", "Why, in a few words (they see it).", max_length=300),
        ],
        level=Level.MODERATOR,
        examples=['/limits pause person:@ben for:"3 days" reason:"too many invitations"'],
    )
    async def pause(
        self, inv: Invocation, person: str, reason: str | None = None, **length: timedelta
    ) -> Message:
        await self._seen(inv)
        who = await self._person(inv, person)
        span = length.get("for") or timedelta(days=1)
        if span > LONGEST_PAUSE:
            raise BadOption(
                "`for:` is too long: invitations can be paused for at most 1 year (365 days).",
                hint='Like for:"3 days" or for:"6 weeks"; /limits resume ends a pause early.',
            )
        old, new = await self.service.pause(inv.community, inv.person, who, span, reason)
        was: list[Segment] = (
            ["was paused until ", Time(at=old, style="full")] if old else ["was not paused"]
        )
        return Message(
            text=rich(
                Bold(text=who.display_name),
                " ",
                *was,
                "; now paused until ",
                Time(at=new, style="full"),
                ".",
            ),
            ephemeral=True,
            accent="success",
        )

    @command(
        "limits resume",
        "Let a paused person invite again.",
        options=[Option("person", "Whose invitations.", kind=OptionKind.PERSON, required=True)],
        level=Level.MODERATOR,
        examples=["/limits resume person:@ben"],
    )
    async def resume(self, inv: Invocation, person: str) -> Message:
        await self._seen(inv)
        who = await self._person(inv, person)
        until = await self.service.resume(inv.community, inv.person, who)
        if until is None:
            return Message(
                text=rich(Bold(text=who.display_name), " was not paused."),
                ephemeral=True,
            )
        return Message(
            text=rich(
                Bold(text=who.display_name),
                " was paused until ",
                Time(at=until, style="full"),
                "; now free to invite.",
            ),
            ephemeral=True,
            accent="success",
        )

    # -- /modlog ---------------------------------------------------------------------------

    @command(
        "modlog",
        "The audit log: limit changes, pauses, blocked invitations, complaints. Newest first.",
        options=[
            Option("person", "Only entries by or about this person.", kind=OptionKind.PERSON),
            Option(
                "kind",
                'Only this kind, like "limits.set" or "invite." for all invitations.',
                max_length=48,
            ),
            Option("since", 'Only since, like "yesterday".', kind=OptionKind.DATE),
            Option("csv", "Also as a CSV file.", kind=OptionKind.BOOLEAN),
        ],
        level=Level.MODERATOR,
        examples=["/modlog", "/modlog person:@ben kind:invite.", "/modlog since:yesterday csv:yes"],
    )
    async def modlog(
        self,
        inv: Invocation,
        person: str | None = None,
        kind: str | None = None,
        since: datetime | None = None,
        csv: bool = False,
    ) -> Message:
        if kind and not any(k.startswith(kind.strip().lower()) for k in AUDIT_KINDS):
            raise BadOption(
                f"`kind:` `{kind}` is not a kind of log entry; the kinds are "
                f"{', '.join(AUDIT_KINDS)}.",
                hint='A start picks several, like kind:"invite." for all invitation entries.',
            )
        await self._seen(inv)
        who = await self._person(inv, person) if person else None
        return await self._page(inv, who.id if who else None, kind, since, None, csv)

    @action(PAGE, level=Level.MODERATOR)
    async def older(self, inv: Invocation, value: str) -> Message:
        parts = value.split("|")
        if len(parts) != 4 or not parts[0].isdigit():
            raise BadOption("That button no longer works.", hint="Type /modlog again.")
        before, person, kind, since = parts
        when = datetime.fromtimestamp(int(since), tz=inv.now.tzinfo) if since.isdigit() else None
        return await self._page(
            inv, int(person) if person.isdigit() else None, kind or None, when, int(before), False
        )

    async def _page(
        self,
        inv: Invocation,
        person_id: int | None,
        kind: str | None,
        since: datetime | None,
        before: int | None,
        as_csv: bool,
    ) -> Message:
        size = self.settings.page_size
        entries = await self.service.log(
            inv.community,
            person_id=person_id,
            kind=kind,
            since=since,
            before_id=before,
            limit=size + 1,
        )
        more = len(entries) > size
        shown = entries[:size]
        if not shown:
            return Message(text=["Nothing in the log matches."], ephemeral=True)
        text: list[Segment] = []
        for e in shown:
            text += _entry_words(e)
        buttons = []
        if more:
            stamp = int(since.timestamp()) if since else ""
            value = f"{shown[-1].id}|{person_id or ''}|{kind or ''}|{stamp}"
            buttons.append(Button(label="Older", action=PAGE, value=value[:100]))
        files = []
        if as_csv:
            everything = await self.service.log(
                inv.community,
                person_id=person_id,
                kind=kind,
                since=since,
                before_id=None,
                limit=100_000,
            )
            files.append(
                Attachment(
                    filename="potluck-modlog.csv",
                    content=log_csv(everything),
                    content_type="text/csv",
                )
            )
        return Message(
            title="Moderation log", text=text, buttons=buttons, files=files, ephemeral=True
        )

    # -- alerts ------------------------------------------------------------------------------

    async def on_new_dms_paused(self, pause: NewDMPause) -> None:
        """Once per pause (the outbox runs this hook in the process that started it): log it
        and alert the moderators of the community that ran into it."""
        if pause.community_id is None:
            return
        async with self.bot.db.transaction() as session:
            community = await self.bot.identity.community_by_id(session, pause.community_id)
            await audit.record(
                session,
                community_id=community.id,
                at=self.bot.clock.now(),
                kind="dm.paused",
                reason=pause.reason,
                detail={"platform": pause.platform, "until": pause.until.isoformat()},
            )
            await self.alerts.send(
                session,
                community_id=community.id,
                platform=pause.platform,
                title="New direct messages paused",
                text=rich(
                    f"{pause.platform.capitalize()} said Potluck is opening direct messages too "
                    "fast, so no new conversations start until ",
                    Time(at=pause.until, style="full"),
                    ". Pending invitations stay queued and go out after that; nothing is lost. "
                    "If this happens often, lower the invitation limits with ",
                    Code(text="/limits set"),
                    ".",
                ),
                key=alert_key("dm-paused", pause.platform, pause.until),
            )
        self.bot.outbox.kick()


def _change_reply(title: str, change: Change) -> Message:
    fields = [
        Field(name=name, value=[f"{_value(change.old[name])} → {_value(change.new[name])}"])
        for name in LIMIT_NAMES
        if change.old[name] != change.new[name]
    ] or [Field(name="no change", value=["the values were already these"])]
    return Message(
        title=f"{title} {change.scope_words}", fields=fields, ephemeral=True, accent="success"
    )


def _entry_words(e: Entry) -> list[Segment]:
    by = e.actor.name if e.actor else "Potluck"
    out: list[Segment] = ["• ", Time(at=e.at, style="short"), " ", Code(text=e.kind), f" by {by}"]
    if e.subject:
        out.append(f" about {e.subject.name}")
    if e.reason:
        out.append(f": {e.reason}")
    elif e.kind == "limits.pause":
        out.append(": no reason given")
    if e.kind in PAUSE_KINDS and isinstance(e.detail.get("until"), str):
        out += [", until ", Time(at=datetime.fromisoformat(e.detail["until"]), style="short")]
    if isinstance(e.detail.get("summary"), str):
        out.append(f": {e.detail['summary']}")
    if "old" in e.detail and "new" in e.detail:
        changed = [
            f"{k} {_value(e.detail['old'].get(k))}→{_value(v)}"
            for k, v in e.detail["new"].items()
            if e.detail["old"].get(k) != v
        ]
        if changed:
            out.append(f" ({', '.join(changed)})")
    out.append("\n")
    return out
