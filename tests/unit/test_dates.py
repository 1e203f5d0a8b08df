"""Plain Dutch and English dates, in the network's time zone; working hours across DST."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from domain.dates import DateProblem, parse_when
from domain.daytime import Window, next_in_window

AMS = ZoneInfo("Europe/Amsterdam")
NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=AMS)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vrijdag 17:00", dt.datetime(2026, 11, 27, 17, 0)),
        ("Vrijdag", dt.datetime(2026, 11, 27, 17, 0)),
        ("friday 9u", dt.datetime(2026, 11, 27, 9, 0)),
        ("dinsdag", dt.datetime(2026, 12, 1, 17, 0)),  # today is Tuesday: next week's
        ("15 december", dt.datetime(2026, 12, 15, 17, 0)),
        ("15 dec", dt.datetime(2026, 12, 15, 17, 0)),
        ("15 Dec 2027", dt.datetime(2027, 12, 15, 17, 0)),
        ("2026-12-15", dt.datetime(2026, 12, 15, 17, 0)),
        ("15-12", dt.datetime(2026, 12, 15, 17, 0)),
        ("3/1", dt.datetime(2027, 1, 3, 17, 0)),  # January has passed this year
        ("morgen", dt.datetime(2026, 11, 25, 17, 0)),
        ("tomorrow at 10:30", dt.datetime(2026, 11, 25, 10, 30)),
        ("over twee weken", dt.datetime(2026, 12, 8, 17, 0)),
        ("in 10 days", dt.datetime(2026, 12, 4, 17, 0)),
        ("over 3 dagen", dt.datetime(2026, 11, 27, 17, 0)),
        ("vandaag 16:00", dt.datetime(2026, 11, 24, 16, 0)),
    ],
)
def test_dates_people_type(text: str, expected: dt.datetime) -> None:
    assert parse_when(text, NOW).moment == expected.replace(tzinfo=AMS)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("31 februari", "impossible"),
        ("2026-02-30", "impossible"),
        ("vandaag 25:00", "impossible"),
        ("1 januari 2020", "past"),
        ("vandaag 9:00", "past"),
        ("ergens volgend jaar", "unknown"),
        ("", "unknown"),
        ("x" * 500, "unknown"),
        ("<b>vrijdag</b>", "unknown"),
        ("over een miljoen weken", "unknown"),
    ],
)
def test_dates_that_cannot_be_used(text: str, problem: str) -> None:
    with pytest.raises(DateProblem, match=problem):
        parse_when(text, NOW)


def test_a_date_across_the_dst_change_keeps_its_wall_clock_time() -> None:
    before = dt.datetime(2026, 3, 27, 10, 0, tzinfo=AMS)
    moment = parse_when("maandag", before).moment
    assert moment.hour == 17 and moment.utcoffset() == dt.timedelta(hours=2)


@pytest.mark.parametrize(
    ("utc", "expected_utc"),
    [
        ("2026-11-24T08:30", "2026-11-24T08:30"),  # Tuesday 09:30: inside
        ("2026-11-24T06:00", "2026-11-24T08:00"),  # too early: 09:00
        ("2026-11-24T16:30", "2026-11-25T08:00"),  # after 17:00: next morning
        ("2026-11-27T17:00", "2026-11-30T08:00"),  # Friday evening: Monday
        ("2026-11-28T12:00", "2026-11-30T08:00"),  # Saturday: Monday
        ("2026-03-28T12:00", "2026-03-30T07:00"),  # DST starts on Sunday 29 March
        ("2026-10-24T12:00", "2026-10-26T08:00"),  # DST ends on Sunday 25 October
    ],
)
def test_next_moment_in_office_hours(utc: str, expected_utc: str) -> None:
    moment = dt.datetime.fromisoformat(utc).replace(tzinfo=dt.UTC)
    assert next_in_window(moment, "Europe/Amsterdam") == dt.datetime.fromisoformat(
        expected_utc
    ).replace(tzinfo=dt.UTC)


def test_a_window_without_days_is_an_error() -> None:
    with pytest.raises(ValueError):
        next_in_window(
            dt.datetime(2026, 1, 1, tzinfo=dt.UTC), "Europe/Amsterdam", Window(weekdays=frozenset())
        )
