"""iCalendar output (RFC 5545): one event as an .ics file, or a community's whole feed.

Times are written in the event's own zone with a VTIMEZONE whose yearly rules have no end date
(cogs.events.vtimezone), so calendar apps expand a repeating series correctly across
daylight-saving changes, after 2037 too; cancellations stay in the feed as STATUS:CANCELLED
(without an RSVP line) so subscribed calendars remove them instead of keeping a stale copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from cogs.events.cards import EventView
from cogs.events.vtimezone import vtimezone

PRODID = "-//Potluck//Events//EN"


def event_uid(view: EventView) -> str:
    """Stable across edits, unique across communities."""
    return f"event-{view.community_id}-{view.id}-{view.code}@potluck"


def _vevent(view: EventView, now: datetime) -> Event:
    zone = ZoneInfo(view.timezone)
    start = view.starts_at.astimezone(zone)
    ev = Event()
    ev.add("uid", event_uid(view))
    ev.add("dtstamp", now)
    ev.add("created", view.created_at)
    ev.add("last-modified", view.updated_at)
    ev.add("sequence", view.sequence)
    ev.add("summary", view.title)
    ev.add("dtstart", start)
    # A duration is absolute time: a 2-hour event on the night clocks change still ends 2
    # hours later (wall-clock arithmetic on an aware datetime would make it 1 or 3).
    end = (view.starts_at.astimezone(UTC) + timedelta(minutes=view.duration_minutes)).astimezone(
        zone
    )
    if end.replace(fold=1 - end.fold).utcoffset() != end.utcoffset():
        # The second 1:30 of the night clocks go back: a local time with a TZID means the
        # first one (RFC 5545 section 3.3.5), so the end is written in UTC instead.
        end = end.astimezone(UTC)
    ev.add("dtend", end)
    if view.rrule:
        ev.add("rrule", vRecur.from_ical(view.rrule))
        if view.skipped:
            # Dates cancelled on their own: calendar apps drop them from the series.
            ev.add("exdate", [at.astimezone(zone) for at in view.skipped])
    if view.location:
        ev.add("location", view.location)
        if view.location.startswith(("http://", "https://")):
            ev.add("url", view.location)
    description = [view.description or ""]
    if view.script:
        description.append(f"Talking points:\n{view.script}")
    if view.cancelled and view.cancel_reason:
        description.append(f"Cancelled: {view.cancel_reason}")
    if not view.cancelled:  # nothing to answer any more
        description.append(f"RSVP: /rsvp event:{view.code} answer:yes")
    ev.add("description", "\n\n".join(d for d in description if d))
    ev.add("categories", [view.kind])
    ev.add("status", "CANCELLED" if view.cancelled else "CONFIRMED")
    ev.add("transp", "TRANSPARENT" if view.cancelled else "OPAQUE")
    return ev


def calendar_bytes(views: Iterable[EventView], *, name: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    first_use: dict[str, date] = {}
    for view in views:
        cal.add_component(_vevent(view, now))
        day = view.starts_at.astimezone(ZoneInfo(view.timezone)).date()
        if view.timezone != "UTC":  # UTC times are written with Z and need no VTIMEZONE
            first_use[view.timezone] = min(day, first_use.get(view.timezone, day))
    for zone, day in sorted(first_use.items()):
        cal.add_component(vtimezone(zone, day))
    # RFC 5545 lets VTIMEZONE come anywhere; some clients want it before the events.
    cal.subcomponents.sort(key=lambda c: c.name != "VTIMEZONE")
    return cal.to_ical()


def ics_filename(view: EventView) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in view.title.lower()).strip("-")
    slug = "-".join(p for p in slug.split("-") if p)[:40] or "event"
    return f"{slug}-{view.code}.ics"
