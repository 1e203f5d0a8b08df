"""When a trekker hears about an action: before the due date, on it, and after it.

Stages: 0 a few days before, 1 on the due day, 2 and up overdue (the day after, three days
later, then weekly). All at the start of office hours, on working days, in the network's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from domain.daytime import Window, next_in_window

DAYS_BEFORE = 3
ESCALATE_AFTER_OVERDUE = 2  # reminders after the due date before a coordinator is told


@dataclass(frozen=True)
class Reminder:
    """One reminder: its stage and when it goes out (UTC)."""

    stage: int
    at: dt.datetime

    @property
    def overdue(self) -> int:
        """How many-th overdue reminder this is (0 when not overdue)."""
        return max(self.stage - 1, 0)


def _stage_day(due: dt.date, stage: int) -> dt.date:
    if stage == 0:
        return due - dt.timedelta(days=DAYS_BEFORE)
    if stage == 1:
        return due
    overdue = stage - 1
    offset = 1 if overdue == 1 else 4 + 7 * (overdue - 2)
    return due + dt.timedelta(days=offset)


def reminder_at(due: dt.date, stage: int, timezone: str, window: Window) -> dt.datetime:
    """When stage's reminder goes out: the start of office hours on its day, or the next
    working moment after that."""
    zone = ZoneInfo(timezone)
    moment = dt.datetime.combine(_stage_day(due, stage), window.start, tzinfo=zone)
    return next_in_window(moment, timezone, window)


def next_reminder(
    due: dt.date, timezone: str, window: Window, after: dt.datetime, from_stage: int = 0
) -> Reminder:
    """The first reminder from from_stage on that goes out later than after. A reminder that
    office hours push onto the moment of the next one (a 'before' landing on the due day, a
    due day in the weekend meeting the first overdue one) gives way to that next one."""
    stage = from_stage
    while True:
        at = reminder_at(due, stage, timezone, window)
        if at >= reminder_at(due, stage + 1, timezone, window):
            stage += 1
            continue
        if at > after:
            return Reminder(stage, at)
        stage += 1


def overdue_reached(due: dt.date, timezone: str, window: Window, now: dt.datetime) -> int:
    """How many overdue reminder moments have passed by now: where the action *is*, whether
    or not each of those reminders could be sent (downtime, a clock jump)."""
    reached = 0
    while reached < 520 and reminder_at(due, reached + 2, timezone, window) <= now:
        reached += 1
    return reached


def window_of(work_start: str, work_end: str, work_days: str) -> Window:
    """A network's office hours from its settings ('09:00', '17:00', '12345')."""
    start = dt.time.fromisoformat(work_start)
    end = dt.time.fromisoformat(work_end)
    days = frozenset(int(day) - 1 for day in work_days if day.isdigit() and 1 <= int(day) <= 7)
    return Window(start, end, days or frozenset(range(5)))
