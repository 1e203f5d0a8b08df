"""Working hours: messages that may wait are sent in daytime, on working days, local time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    """When reminders may go out: from start to end on the given weekdays (0 = Monday)."""

    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)
    weekdays: frozenset[int] = frozenset(range(5))


OFFICE_HOURS = Window()


def next_in_window(
    moment: dt.datetime, timezone: str, window: Window = OFFICE_HOURS
) -> dt.datetime:
    """The first moment at or after moment (any zone) that lies inside the window in timezone,
    returned in UTC. Wall-clock times are used, so a DST change does not shift 09:00."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        if day.weekday() not in window.weekdays:
            continue
        opens = dt.datetime.combine(day, window.start, tzinfo=zone)
        closes = dt.datetime.combine(day, window.end, tzinfo=zone)
        if offset == 0 and local >= closes:
            continue
        return max(opens, local).astimezone(dt.UTC) if offset == 0 else opens.astimezone(dt.UTC)
    raise ValueError("a window with no weekdays")
