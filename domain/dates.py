"""Dates typed in plain Dutch or English, read in the network's time zone.

"vrijdag 17:00", "15 december", "15 dec", "2026-12-15", "15-12", "morgen", "over twee weken",
"in 10 days", "friday". A date without a time means the end of the working day (17:00).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

DEFAULT_TIME = dt.time(17, 0)

WEEKDAYS = {
    **dict.fromkeys(("maandag", "ma", "monday", "mon"), 0),
    **dict.fromkeys(("dinsdag", "di", "tuesday", "tue"), 1),
    **dict.fromkeys(("woensdag", "wo", "wednesday", "wed"), 2),
    **dict.fromkeys(("donderdag", "do", "thursday", "thu"), 3),
    **dict.fromkeys(("vrijdag", "vr", "friday", "fri"), 4),
    **dict.fromkeys(("zaterdag", "za", "saturday", "sat"), 5),
    **dict.fromkeys(("zondag", "zo", "sunday", "sun"), 6),
}
MONTHS = {
    **dict.fromkeys(("januari", "jan", "january"), 1),
    **dict.fromkeys(("februari", "feb", "february"), 2),
    **dict.fromkeys(("maart", "mrt", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "jun", "june"), 6),
    **dict.fromkeys(("juli", "jul", "july"), 7),
    **dict.fromkeys(("augustus", "aug", "august"), 8),
    **dict.fromkeys(("september", "sep", "sept"), 9),
    **dict.fromkeys(("oktober", "okt", "october", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("december", "dec"), 12),
}
NUMBERS = {
    "een": 1, "één": 1, "one": 1, "a": 1, "twee": 2, "two": 2, "drie": 3, "three": 3,
    "vier": 4, "four": 4, "vijf": 5, "five": 5, "zes": 6, "six": 6, "zeven": 7, "seven": 7,
    "acht": 8, "eight": 8, "negen": 9, "nine": 9, "tien": 10, "ten": 10,
}  # fmt: skip
UNITS = {
    **dict.fromkeys(("dag", "dagen", "day", "days"), 1),
    **dict.fromkeys(("week", "weken", "weeks"), 7),
}
_TIME = re.compile(r"(?:om\s+|at\s+)?(\d{1,2})(?:[:.](\d{2})|\s*(?:u|uur|h))\b")


# Nothing the bot plans (a deadline, a due date, an agreement's start) is further away than
# this; a date beyond it is a typo, and far enough out it would overflow date arithmetic.
MAX_AHEAD = dt.timedelta(days=3653)
MAX_BACK = dt.timedelta(days=50 * 365)


class DateProblem(ValueError):
    """Why a typed date cannot be used: 'unknown', 'impossible', 'past' or 'far'."""


@dataclass(frozen=True)
class ParsedDate:
    """A moment in the network's time zone, and whether the person gave a time."""

    moment: dt.datetime
    has_time: bool


def parse_when(text: str, now: dt.datetime) -> ParsedDate:
    """The moment text means, relative to now (aware, in the network's time zone)."""
    raw = " ".join(text.lower().replace(",", " ").split())
    if not raw or len(raw) > 60:
        raise DateProblem("unknown")
    clock: dt.time | None = None
    match = _TIME.search(raw)
    if match:
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if hour > 23 or minute > 59:
            raise DateProblem("impossible")
        clock = dt.time(hour, minute)
        raw = (raw[: match.start()] + raw[match.end() :]).strip()
    day = _parse_day(raw, now.date())
    moment = dt.datetime.combine(day, clock or DEFAULT_TIME, tzinfo=now.tzinfo)
    if moment <= now:
        raise DateProblem("past")
    if moment > now + MAX_AHEAD:
        raise DateProblem("far")
    return ParsedDate(moment, clock is not None)


def in_range(day: dt.date, today: dt.date) -> dt.date:
    """day, if it lies within the bot's horizon around today; else DateProblem('far')."""
    if not today - MAX_BACK <= day <= today + MAX_AHEAD:
        raise DateProblem("far")
    return day


def _parse_day(raw: str, today: dt.date) -> dt.date:
    if raw in ("", "vandaag", "today"):
        return today
    if raw in ("morgen", "tomorrow"):
        return today + dt.timedelta(days=1)
    if raw in ("overmorgen",):
        return today + dt.timedelta(days=2)
    words = raw.split()
    if words[0] in ("over", "in") and len(words) == 3:
        count = NUMBERS.get(words[1]) or (int(words[1]) if words[1].isdigit() else None)
        unit = UNITS.get(words[2])
        if count is not None and unit is not None and count <= 400:
            return today + dt.timedelta(days=count * unit)
        raise DateProblem("unknown")
    if raw in WEEKDAYS or (words[0] in ("volgende", "next") and " ".join(words[1:]) in WEEKDAYS):
        weekday = WEEKDAYS[words[-1]]
        ahead = (weekday - today.weekday()) % 7 or 7
        if words[0] in ("volgende", "next") and ahead < 7:
            ahead += 7 if (weekday - today.weekday()) % 7 == 0 else 0
        return today + dt.timedelta(days=ahead)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if iso:
        return _date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    numeric = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?", raw)
    if numeric:
        return _with_year(int(numeric.group(1)), int(numeric.group(2)), numeric.group(3), today)
    named = re.fullmatch(r"(?:[a-z]+\s+)?(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?", raw)
    if named and named.group(2) in MONTHS:
        return _with_year(int(named.group(1)), MONTHS[named.group(2)], named.group(3), today)
    raise DateProblem("unknown")


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateProblem("impossible") from None


def _with_year(day: int, month: int, year: str | None, today: dt.date) -> dt.date:
    if year is not None:
        full = int(year) + (2000 if len(year) == 2 else 0)
        return _date(full, month, day)
    candidate = _date(today.year, month, day) if _valid(today.year, month, day) else None
    if candidate is None and not _valid(today.year + 1, month, day):
        raise DateProblem("impossible")  # 31 februari, whichever year
    if candidate is None or candidate < today:
        return _date(today.year + 1, month, day)
    return candidate


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
