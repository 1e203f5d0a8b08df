"""Calendar-correct review intervals."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.calendar import add_months, next_review


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),  # leap year
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 31), 3, dt.date(2026, 6, 30)),
        (dt.date(2026, 11, 15), 6, dt.date(2027, 5, 15)),
        (dt.date(2026, 12, 31), 12, dt.date(2027, 12, 31)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
    ],
)
def test_add_months(start: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(start, months) == expected


def test_reviews_do_not_drift_from_the_end_of_the_month() -> None:
    start = dt.date(2026, 8, 31)
    assert next_review(start, 6, start) == dt.date(2027, 2, 28)
    assert next_review(start, 6, dt.date(2027, 2, 28)) == dt.date(2027, 8, 31)
    assert next_review(start, 6, dt.date(2027, 8, 31)) == dt.date(2028, 2, 29)
