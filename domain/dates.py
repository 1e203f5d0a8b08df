"""Dates typed in plain Dutch or English, read in the network's time zone.

"vrijdag 17:00", "15 december", "15 dec", "2026-12-15", "15-12", "morgen", "over twee weken",
"in 10 days", "friday", "volgende week woensdag", "volgende week", "over een maand", "eind januari",
"week 3", "next month", "end of the month". A date without a time means the end of the working
day (17:00). A week or a month without a day means its last working day (Friday; the month's
last weekday): what an office means by 'volgende week' or 'eind januari' as a deadline.

The phrases are hand-written rather than a library's: on the phrase table of
tests/unit/test_dates.py, dateparser 1.5 (languages=[nl] or [en], future dates preferred) gave
the intended day for 28 of 71 Dutch and 38 of 71 English phrases and nothing at all for 38 and
28 of them, among which 'week 3', 'volgende week woensdag', 'eind januari' and 'over een maand';
this parser passes all of them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from domain.calendar import add_months

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
MONTH_UNITS = {
    **dict.fromkeys(("maand", "maanden", "month", "months"), 1),
    **dict.fromkeys(("jaar", "year", "years"), 12),
}
# Words around a date that change nothing: 'uiterlijk vrijdag', 'by friday', 'op 15 dec'.
FILLERS = {
    "uiterlijk", "voor", "vóór", "op", "tegen", "rond", "by", "before", "on", "the", "of", "de",
    "het", "van", "om", "at",
}  # fmt: skip
NEXT = {"volgende", "volgend", "komende", "next", "coming"}
THIS = {"deze", "dit", "this"}
END = {"eind", "einde", "eindje", "end", "late"}
START = {"begin", "start", "early", "beginning"}
MIDDLE = {"half", "medio", "mid", "midden", "middle"}
# '17:00', '9.30', '9u', '13 uur', '9h', '5pm', '10:30 am'; never the '15.12' of '15.12.2026'.
_TIME = re.compile(
    r"(?<![\w./-])(?:om\s+|at\s+)?(\d{1,2})"
    r"(?:[:.](\d{2})(?![./-]\d)\s*(am|pm)?|\s*(am|pm|u|uur|h))\b"
)


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
        half = match.group(3) or match.group(4)
        if half in ("am", "pm"):
            if not 1 <= hour <= 12:
                raise DateProblem("impossible")
            hour = hour % 12 + (12 if half == "pm" else 0)
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
    if raw in ("overmorgen", "day after tomorrow"):
        return today + dt.timedelta(days=2)
    # Ordinals and fillers: '15th of december' is '15 december', 'uiterlijk vrijdag' is 'vrijdag'.
    raw = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th|e|de|ste)\b", r"\1", raw)
    words = [w for w in raw.split() if w not in FILLERS] or raw.split()
    raw = " ".join(words)
    if words[0] in ("over", "in") and len(words) in (2, 3):
        count_word, unit_word = (words[1], words[2]) if len(words) == 3 else ("een", words[1])
        count = NUMBERS.get(count_word) or (int(count_word) if count_word.isdigit() else None)
        if count is None or count > 400:
            raise DateProblem("unknown")
        if unit_word in UNITS:
            return today + dt.timedelta(days=count * UNITS[unit_word])
        if unit_word in MONTH_UNITS:
            return add_months(today, count * MONTH_UNITS[unit_word])
        raise DateProblem("unknown")
    found = _week_or_month(words, today)
    if found is not None:
        return found
    if raw in WEEKDAYS or (words[0] in NEXT and " ".join(words[1:]) in WEEKDAYS):
        weekday = WEEKDAYS[words[-1]]
        ahead = (weekday - today.weekday()) % 7 or 7
        if words[0] in NEXT and ahead < 7:
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
    month_first = re.fullmatch(r"(?:[a-z]+\s+)?([a-z]+)\.?\s+(\d{1,2})(?:\s+(\d{4}))?", raw)
    if month_first and month_first.group(1) in MONTHS:
        month = MONTHS[month_first.group(1)]
        return _with_year(int(month_first.group(2)), month, month_first.group(3), today)
    raise DateProblem("unknown")


def _week_or_month(words: list[str], today: dt.date) -> dt.date | None:
    """'volgende week (woensdag)', 'woensdag volgende week', 'deze week', 'week 3 (2027)',
    'eind januari', 'begin februari', 'half maart', 'volgende maand', 'eind van de maand';
    None when the words are none of these."""
    monday = today - dt.timedelta(days=today.weekday())
    phrase = " ".join(words)
    # This week or next, with or without a weekday.
    for lead, offset in ((NEXT, 7), (THIS, 0)):
        for week_word in ("week", "weekend"):
            for before in (True, False):
                if len(words) not in (2, 3):
                    continue
                head = words[:2] if before else words[-2:]
                rest = words[2:] if before else words[:-2]
                if head[0] not in lead or head[1] != week_word:
                    continue
                if week_word == "weekend":
                    if rest:
                        return None
                    return monday + dt.timedelta(days=offset + 5)
                if not rest:
                    return monday + dt.timedelta(days=offset + 4)  # that week's Friday
                if rest[0] in WEEKDAYS:
                    return monday + dt.timedelta(days=offset + WEEKDAYS[rest[0]])
    if phrase in (
        "eind week",
        "einde week",
        "end week",
        "eind deze week",
        "einde deze week",
        "end this week",
    ):  # fmt: skip  (the fillers 'van de', 'of the' are gone)
        return monday + dt.timedelta(days=4)
    # A week number: the Friday of that ISO week, this year or the next when it has passed.
    week = re.fullmatch(r"(?:week|wk|w)\s*(\d{1,2})(?:\s+(\d{4}))?", phrase)
    if week:
        number, year = int(week.group(1)), week.group(2)
        years = [int(year)] if year else [today.isocalendar().year, today.isocalendar().year + 1]
        for candidate_year in years:
            try:
                friday = dt.date.fromisocalendar(candidate_year, number, 5)
            except ValueError:
                raise DateProblem("impossible") from None
            if year or friday >= today:
                return friday
        return None
    # A month: this one or the next, or by name; its start, middle or end.
    part = "end"
    if words[0] in END | START | MIDDLE:
        part = "end" if words[0] in END else "start" if words[0] in START else "middle"
        words = words[1:]
        if not words:
            return None
    if words in (["maand"], ["month"], ["deze", "maand"], ["this", "month"]):
        if part == "end" and words[0] in ("maand", "month") and phrase.split()[0] not in END:
            return None  # a bare 'maand' says nothing
        return _in_month(today.year, today.month, part, today)
    if len(words) == 2 and words[0] in NEXT and words[1] in ("maand", "month"):
        following = add_months(today.replace(day=1), 1)
        return _in_month(following.year, following.month, part, today)
    if len(words) in (1, 2) and words[0] in MONTHS and phrase.split()[0] in END | START | MIDDLE:
        month = MONTHS[words[0]]
        if len(words) == 2:
            if not words[1].isdigit() or len(words[1]) != 4:
                return None
            return _in_month(int(words[1]), month, part, today)
        year = today.year if month >= today.month else today.year + 1
        return _in_month(year, month, part, today)
    if phrase in (*(f"{n} maand" for n in NEXT), *(f"{n} month" for n in NEXT)):
        following = add_months(today.replace(day=1), 1)
        return _in_month(following.year, following.month, "end", today)
    return None


def _in_month(year: int, month: int, part: str, today: dt.date) -> dt.date:
    """The first, the fifteenth or the last weekday of a month."""
    if not 1 <= year <= 9998:
        raise DateProblem("far")
    if part == "start":
        day = dt.date(year, month, 1)
        while day.weekday() > 4:
            day += dt.timedelta(days=1)
        return day
    if part == "middle":
        return dt.date(year, month, 15)
    day = dt.date(year, month, calendar.monthrange(year, month)[1])
    while day.weekday() > 4:
        day -= dt.timedelta(days=1)
    return day


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
