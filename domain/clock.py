"""The bot's sense of time: one place to ask 'now', so tests and the sandbox can move it."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Real time, in UTC."""

    def now(self) -> dt.datetime:
        """The current moment as an aware UTC datetime."""
        return dt.datetime.now(dt.UTC)


class ManualClock(Clock):
    """A clock that only moves when told to; for tests (never wired in production)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta) -> None:
        """Move time forward by delta."""
        self._now += delta

    def set(self, moment: dt.datetime) -> None:
        """Jump to moment."""
        self._now = moment
