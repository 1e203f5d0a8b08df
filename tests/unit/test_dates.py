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
        # Office phrases gone wrong, and what is not a deadline.
        ("volgende week blub", "unknown"),
        ("week 54", "impossible"),
        ("week 0", "impossible"),
        ("eind blub", "unknown"),
        ("in a million weeks", "unknown"),
        ("13 pm", "impossible"),
        ("gisteren", "unknown"),
        ("yesterday", "unknown"),
        ("last friday", "unknown"),
        ("vorige week", "unknown"),
        ("eind januari 9999", "far"),
        ("week 3 2020", "past"),
        ("maand", "unknown"),
        ("weekend", "unknown"),
        ("end of", "unknown"),
        ("volgende", "unknown"),
        ("15.13.2026", "impossible"),
        ("0/0", "impossible"),
        ("32 december", "impossible"),
    ],
)
def test_dates_that_cannot_be_used(text: str, problem: str) -> None:
    with pytest.raises(DateProblem, match=problem):
        parse_when(text, NOW)


# What people type as a deadline, on Tuesday 24 November 2026 at 10:00, and what they mean: a
# week without a day is its Friday, a month's end or start its last or first weekday, 'half'
# the fifteenth, 'week 3' the Friday of ISO week 3 (the coming one), and no time 17:00.
NL_PHRASES = [
    ("vandaag 16:00", (2026, 11, 24, 16, 0)),  # Tue
    ("morgen", (2026, 11, 25, 17, 0)),  # Wed
    ("morgen 9:30", (2026, 11, 25, 9, 30)),  # Wed
    ("overmorgen", (2026, 11, 26, 17, 0)),  # Thu
    ("vrijdag", (2026, 11, 27, 17, 0)),  # Fri
    ("vrijdag 17:00", (2026, 11, 27, 17, 0)),  # Fri
    ("Vrijdag", (2026, 11, 27, 17, 0)),  # Fri
    ("vr", (2026, 11, 27, 17, 0)),  # Fri
    ("dinsdag", (2026, 12, 1, 17, 0)),  # Tue
    ("volgende vrijdag", (2026, 11, 27, 17, 0)),  # Fri
    ("volgende dinsdag", (2026, 12, 1, 17, 0)),  # Tue
    ("komende maandag", (2026, 11, 30, 17, 0)),  # Mon
    ("uiterlijk vrijdag", (2026, 11, 27, 17, 0)),  # Fri
    ("vóór donderdag", (2026, 11, 26, 17, 0)),  # Thu
    ("op woensdag", (2026, 11, 25, 17, 0)),  # Wed
    ("donderdag om 14:00", (2026, 11, 26, 14, 0)),  # Thu
    ("vrijdag 9u", (2026, 11, 27, 9, 0)),  # Fri
    ("vrijdag 13 uur", (2026, 11, 27, 13, 0)),  # Fri
    ("15 december", (2026, 12, 15, 17, 0)),  # Tue
    ("15 dec", (2026, 12, 15, 17, 0)),  # Tue
    ("15 dec.", (2026, 12, 15, 17, 0)),  # Tue
    ("15 december 2027", (2027, 12, 15, 17, 0)),  # Wed
    ("15e december", (2026, 12, 15, 17, 0)),  # Tue
    ("1 januari", (2027, 1, 1, 17, 0)),  # Fri
    ("3/1", (2027, 1, 3, 17, 0)),  # Sun
    ("15-12", (2026, 12, 15, 17, 0)),  # Tue
    ("15-12-2026", (2026, 12, 15, 17, 0)),  # Tue
    ("15.12.2026", (2026, 12, 15, 17, 0)),  # Tue
    ("2026-12-15", (2026, 12, 15, 17, 0)),  # Tue
    ("over twee weken", (2026, 12, 8, 17, 0)),  # Tue
    ("over 3 dagen", (2026, 11, 27, 17, 0)),  # Fri
    ("over een week", (2026, 12, 1, 17, 0)),  # Tue
    ("over tien dagen", (2026, 12, 4, 17, 0)),  # Fri
    ("over 1 week", (2026, 12, 1, 17, 0)),  # Tue
    ("over een maand", (2026, 12, 24, 17, 0)),  # Thu
    ("over 2 maanden", (2027, 1, 24, 17, 0)),  # Sun
    ("over drie maanden", (2027, 2, 24, 17, 0)),  # Wed
    ("over een jaar", (2027, 11, 24, 17, 0)),  # Wed
    ("volgende week", (2026, 12, 4, 17, 0)),  # Fri
    ("volgende week woensdag", (2026, 12, 2, 17, 0)),  # Wed
    ("woensdag volgende week", (2026, 12, 2, 17, 0)),  # Wed
    ("volgende week maandag 10:00", (2026, 11, 30, 10, 0)),  # Mon
    ("komende week", (2026, 12, 4, 17, 0)),  # Fri
    ("deze week", (2026, 11, 27, 17, 0)),  # Fri
    ("deze week donderdag", (2026, 11, 26, 17, 0)),  # Thu
    ("eind van de week", (2026, 11, 27, 17, 0)),  # Fri
    ("einde deze week", (2026, 11, 27, 17, 0)),  # Fri
    ("volgend weekend", (2026, 12, 5, 17, 0)),  # Sat
    ("eind januari", (2027, 1, 29, 17, 0)),  # Fri
    ("einde januari", (2027, 1, 29, 17, 0)),  # Fri
    ("eind januari 2027", (2027, 1, 29, 17, 0)),  # Fri
    ("begin februari", (2027, 2, 1, 17, 0)),  # Mon
    ("half maart", (2027, 3, 15, 17, 0)),  # Mon
    ("medio maart", (2027, 3, 15, 17, 0)),  # Mon
    ("eind deze maand", (2026, 11, 30, 17, 0)),  # Mon
    ("eind van de maand", (2026, 11, 30, 17, 0)),  # Mon
    ("volgende maand", (2026, 12, 31, 17, 0)),  # Thu
    ("eind volgende maand", (2026, 12, 31, 17, 0)),  # Thu
    ("begin volgende maand", (2026, 12, 1, 17, 0)),  # Tue
    ("week 3", (2027, 1, 22, 17, 0)),  # Fri
    ("week 50", (2026, 12, 11, 17, 0)),  # Fri
    ("wk 2", (2027, 1, 15, 17, 0)),  # Fri
    ("week 3 2027", (2027, 1, 22, 17, 0)),  # Fri
    ("week 49", (2026, 12, 4, 17, 0)),  # Fri
    ("maandag 30 november", (2026, 11, 30, 17, 0)),  # Mon
    ("zondag", (2026, 11, 29, 17, 0)),  # Sun
    ("za 12:00", (2026, 11, 28, 12, 0)),  # Sat
    ("31 december 23:59", (2026, 12, 31, 23, 59)),  # Thu
    ("1 maart", (2027, 3, 1, 17, 0)),  # Mon
    ("eind december", (2026, 12, 31, 17, 0)),  # Thu
    ("half december", (2026, 12, 15, 17, 0)),  # Tue
]
EN_PHRASES = [
    ("today 16:00", (2026, 11, 24, 16, 0)),  # Tue
    ("tomorrow", (2026, 11, 25, 17, 0)),  # Wed
    ("tomorrow at 10:30", (2026, 11, 25, 10, 30)),  # Wed
    ("day after tomorrow", (2026, 11, 26, 17, 0)),  # Thu
    ("friday", (2026, 11, 27, 17, 0)),  # Fri
    ("Friday 5pm", (2026, 11, 27, 17, 0)),  # Fri
    ("friday 9h", (2026, 11, 27, 9, 0)),  # Fri
    ("fri", (2026, 11, 27, 17, 0)),  # Fri
    ("tuesday", (2026, 12, 1, 17, 0)),  # Tue
    ("next friday", (2026, 11, 27, 17, 0)),  # Fri
    ("next tuesday", (2026, 12, 1, 17, 0)),  # Tue
    ("coming monday", (2026, 11, 30, 17, 0)),  # Mon
    ("by friday", (2026, 11, 27, 17, 0)),  # Fri
    ("before thursday", (2026, 11, 26, 17, 0)),  # Thu
    ("on wednesday", (2026, 11, 25, 17, 0)),  # Wed
    ("thursday at 14:00", (2026, 11, 26, 14, 0)),  # Thu
    ("15 december", (2026, 12, 15, 17, 0)),  # Tue
    ("15 dec", (2026, 12, 15, 17, 0)),  # Tue
    ("dec 15", (2026, 12, 15, 17, 0)),  # Tue
    ("december 15", (2026, 12, 15, 17, 0)),  # Tue
    ("december 15 2027", (2027, 12, 15, 17, 0)),  # Wed
    ("15th december", (2026, 12, 15, 17, 0)),  # Tue
    ("15th of december", (2026, 12, 15, 17, 0)),  # Tue
    ("the 15th of december", (2026, 12, 15, 17, 0)),  # Tue
    ("1 january", (2027, 1, 1, 17, 0)),  # Fri
    ("january 1", (2027, 1, 1, 17, 0)),  # Fri
    ("3/1", (2027, 1, 3, 17, 0)),  # Sun
    ("2026-12-15", (2026, 12, 15, 17, 0)),  # Tue
    ("in two weeks", (2026, 12, 8, 17, 0)),  # Tue
    ("in 3 days", (2026, 11, 27, 17, 0)),  # Fri
    ("in a week", (2026, 12, 1, 17, 0)),  # Tue
    ("in ten days", (2026, 12, 4, 17, 0)),  # Fri
    ("in 1 week", (2026, 12, 1, 17, 0)),  # Tue
    ("in a month", (2026, 12, 24, 17, 0)),  # Thu
    ("in 2 months", (2027, 1, 24, 17, 0)),  # Sun
    ("in three months", (2027, 2, 24, 17, 0)),  # Wed
    ("in a year", (2027, 11, 24, 17, 0)),  # Wed
    ("next week", (2026, 12, 4, 17, 0)),  # Fri
    ("next week wednesday", (2026, 12, 2, 17, 0)),  # Wed
    ("wednesday next week", (2026, 12, 2, 17, 0)),  # Wed
    ("next week monday 10:00", (2026, 11, 30, 10, 0)),  # Mon
    ("coming week", (2026, 12, 4, 17, 0)),  # Fri
    ("this week", (2026, 11, 27, 17, 0)),  # Fri
    ("this week thursday", (2026, 11, 26, 17, 0)),  # Thu
    ("end of the week", (2026, 11, 27, 17, 0)),  # Fri
    ("end of this week", (2026, 11, 27, 17, 0)),  # Fri
    ("next weekend", (2026, 12, 5, 17, 0)),  # Sat
    ("end of january", (2027, 1, 29, 17, 0)),  # Fri
    ("end january", (2027, 1, 29, 17, 0)),  # Fri
    ("end of january 2027", (2027, 1, 29, 17, 0)),  # Fri
    ("early february", (2027, 2, 1, 17, 0)),  # Mon
    ("beginning of february", (2027, 2, 1, 17, 0)),  # Mon
    ("mid march", (2027, 3, 15, 17, 0)),  # Mon
    ("middle of march", (2027, 3, 15, 17, 0)),  # Mon
    ("end of this month", (2026, 11, 30, 17, 0)),  # Mon
    ("end of the month", (2026, 11, 30, 17, 0)),  # Mon
    ("next month", (2026, 12, 31, 17, 0)),  # Thu
    ("end of next month", (2026, 12, 31, 17, 0)),  # Thu
    ("start of next month", (2026, 12, 1, 17, 0)),  # Tue
    ("week 3", (2027, 1, 22, 17, 0)),  # Fri
    ("week 50", (2026, 12, 11, 17, 0)),  # Fri
    ("wk 2", (2027, 1, 15, 17, 0)),  # Fri
    ("week 3 2027", (2027, 1, 22, 17, 0)),  # Fri
    ("week 49", (2026, 12, 4, 17, 0)),  # Fri
    ("monday 30 november", (2026, 11, 30, 17, 0)),  # Mon
    ("sunday", (2026, 11, 29, 17, 0)),  # Sun
    ("sat 12:00", (2026, 11, 28, 12, 0)),  # Sat
    ("31 december 23:59", (2026, 12, 31, 23, 59)),  # Thu
    ("march 1", (2027, 3, 1, 17, 0)),  # Mon
    ("late december", (2026, 12, 31, 17, 0)),  # Thu
    ("mid december", (2026, 12, 15, 17, 0)),  # Tue
]


@pytest.mark.parametrize(("text", "expected"), NL_PHRASES + EN_PHRASES)
def test_the_phrase_table(text: str, expected: tuple[int, int, int, int, int]) -> None:
    assert parse_when(text, NOW).moment == dt.datetime(*expected, tzinfo=AMS)


def test_the_phrase_table_has_sixty_phrases_per_language() -> None:
    assert len(set(NL_PHRASES)) >= 60 and len(set(EN_PHRASES)) >= 60


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
