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


class ShiftedClock(Clock):
    """Real time plus an offset that only grows: the sandbox's clock, which a visitor can move
    ahead to see reminders and reviews fall due. Only the sandbox builds one; the real bot runs
    on Clock, which cannot be moved."""

    def __init__(self) -> None:
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return super().now() + self.offset

    def jump(self, delta: dt.timedelta) -> None:
        """Move ahead by delta (never back: what was sent stays sent)."""
        if delta <= dt.timedelta(0):
            raise ValueError("the sandbox clock only moves forward")
        self.offset += delta
