"""Calendar arithmetic for review intervals."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day months later, or the month's last day when it has no such day
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review(start: dt.date, months: int, after: dt.date) -> dt.date:
    """The first review date start + k*months (k >= 1) that falls after the given date,
    counted from the start so that end-of-month dates do not drift (31 Aug, 28 Feb, 31 Aug)."""
    k = 1
    while (candidate := add_months(start, k * months)) <= after:
        k += 1
    return candidate
