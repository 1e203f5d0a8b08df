"""When action reminders go out: before, on and after the due date, in office hours."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.reminders import next_reminder, reminder_at, window_of

OFFICE = window_of("09:00", "17:00", "12345")


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _all(
    due: dt.date, after: dt.datetime, count: int, window=OFFICE
) -> list[tuple[int, dt.datetime]]:  # type: ignore[no-untyped-def]
    found = []
    for _ in range(count):
        reminder = next_reminder(due, "Europe/Amsterdam", window, after)
        found.append((reminder.stage, reminder.at))
        after = reminder.at
    return found


def test_before_on_and_after_a_due_date() -> None:
    due = dt.date(2026, 12, 10)  # a Thursday
    assert _all(due, _utc("2026-11-24T09:00"), 5) == [
        (0, _utc("2026-12-07T08:00")),  # Monday 09:00, three days before
        (1, _utc("2026-12-10T08:00")),  # the due day
        (2, _utc("2026-12-11T08:00")),  # the day after
        (3, _utc("2026-12-14T08:00")),  # four days after: Monday
        (4, _utc("2026-12-21T08:00")),  # then weekly
    ]


def test_a_before_reminder_that_would_land_on_the_due_day_is_skipped() -> None:
    due = dt.date(2026, 11, 30)  # a Monday; three days before is a Friday... in office hours
    stages = [stage for stage, _ in _all(due, _utc("2026-11-20T09:00"), 2)]
    assert stages == [0, 1]
    due = dt.date(2026, 12, 1)  # Tuesday: three days before is Saturday, pushed to Monday
    assert _all(due, _utc("2026-11-20T09:00"), 2)[0] == (0, _utc("2026-11-30T08:00"))


@pytest.mark.parametrize(
    ("due", "stage", "expected"),
    [
        (dt.date(2026, 3, 30), 1, "2026-03-30T07:00"),  # after DST starts: 09:00 CEST
        (dt.date(2026, 3, 27), 1, "2026-03-27T08:00"),  # before: 09:00 CET
        (dt.date(2026, 10, 26), 1, "2026-10-26T08:00"),  # after DST ends
        (dt.date(2026, 3, 28), 1, "2026-03-30T07:00"),  # due on Saturday: Monday, summer time
    ],
)
def test_local_nine_oclock_across_dst(due: dt.date, stage: int, expected: str) -> None:
    assert reminder_at(due, stage, "Europe/Amsterdam", OFFICE) == _utc(expected)


def test_a_network_with_other_office_hours() -> None:
    window = window_of("08:30", "12:00", "135")  # Monday, Wednesday, Friday mornings
    due = dt.date(2026, 12, 8)  # a Tuesday
    assert reminder_at(due, 1, "Europe/Amsterdam", window) == _utc("2026-12-09T07:30")
    assert window_of("09:00", "17:00", "").weekdays == frozenset(range(5))
