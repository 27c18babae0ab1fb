"""How long two people's working hours overlap on the day of a round, across time zones.

Each person's working day is the same local wall-clock window (09:00-17:00 by default) in their
own IANA zone, placed on real instants with `zoneinfo`, so daylight-saving time is handled on the
date in question: New York and London overlap 3 h in January, but 4 h in the March weeks when
the United States has moved its clocks and the United Kingdom has not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class WorkingDay:
    """The local window each person is assumed to be free for a chat (start < end, same day)."""

    starts: time = time(9, 0)
    ends: time = time(17, 0)

    def __post_init__(self) -> None:
        if not self.starts < self.ends:
            raise ValueError(
                f"a working day must start before it ends, got {self.starts}-{self.ends}"
            )


def _window(zone: str, on: date, day: WorkingDay) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    start = datetime.combine(on, day.starts, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(on, day.ends, tzinfo=tz).astimezone(UTC)
    return start, end


def _overlap_one_way(zone_a: str, zone_b: str, on: date, day: WorkingDay) -> int:
    a_start, a_end = _window(zone_a, on, day)
    total = timedelta()
    for shift in (-1, 0, 1):  # b's neighbouring local days can meet a's day across the date line
        b_start, b_end = _window(zone_b, on + timedelta(days=shift), day)
        total += max(timedelta(), min(a_end, b_end) - max(a_start, b_start))
    return int(total.total_seconds()) // 60


@lru_cache(maxsize=65536)
def overlap_minutes(zone_a: str, zone_b: str, on: date, day: WorkingDay = WorkingDay()) -> int:
    """Minutes both people are inside their working day, on the local date ``on``.

    ``zone_a`` and ``zone_b`` are IANA names (ZoneInfoNotFoundError for an unknown one). A's day
    on ``on`` is compared with B's days around it (the day before, of, and after), and the same
    the other way round; the smaller of the two totals is returned, so the answer does not depend
    on the order of the people. 0..(window length) minutes.
    """
    return min(_overlap_one_way(zone_a, zone_b, on, day), _overlap_one_way(zone_b, zone_a, on, day))
