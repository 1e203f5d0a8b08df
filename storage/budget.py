"""The sending budget every bot process on one PostgreSQL database shares (see
schedules.pacing): one row holds when the next message may go out, by PostgreSQL's clock.

Taking a turn is one statement, outside any unit of work: it moves the row's moment on by one
spacing (from now when the row lies in the past) and returns how long this sender waits for
the moment it claimed. The moment is never more than a few seconds ahead of PostgreSQL's
clock, so a clock set back cannot stall sending.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from schedules.pacing import take_turn

log = logging.getLogger(__name__)

# A sender never queues further ahead than this: more senders than that are never waiting at
# once, so a moment further away can only come from a clock that was set back.
MAX_AHEAD_SECONDS = 10

_TAKE = text(
    """
    INSERT INTO send_budget (name, next_at)
    VALUES (:name, clock_timestamp() + make_interval(secs => :spacing))
    ON CONFLICT (name) DO UPDATE SET next_at = greatest(
        least(send_budget.next_at, clock_timestamp() + make_interval(secs => :ahead)),
        clock_timestamp()
    ) + make_interval(secs => :spacing)
    RETURNING extract(epoch FROM send_budget.next_at - clock_timestamp()) - :spacing
    """
)


class SharedBudget:
    """Evenly spaced turns shared by every process on this PostgreSQL database."""

    def __init__(self, engine: AsyncEngine, per_second: float, name: str = "telegram") -> None:
        self.engine = engine
        self.spacing = 1.0 / per_second
        self.name = name
        self._fallback_next = 0.0

    async def reserve(self) -> float:
        """Claim the next shared turn; returns when it comes, on the event loop's clock.

        One statement in its own transaction (autocommit): the row is locked only while it is
        moved on, and the time to wait is read the moment PostgreSQL answers."""
        async with self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            delay = await autocommit.scalar(
                _TAKE, {"name": self.name, "spacing": self.spacing, "ahead": MAX_AHEAD_SECONDS}
            )
            return asyncio.get_running_loop().time() + max(0.0, float(delay or 0.0))

    async def take(self) -> None:
        """Wait for the next shared turn."""
        await take_turn(self._reserve_or_alone)

    async def _reserve_or_alone(self) -> float:
        """The shared turn; when the database cannot be asked, one of this process alone
        (sending does not stop because the budget is unreachable)."""
        try:
            return await self.reserve()
        except Exception:
            log.warning("The shared sending budget could not be read; pacing alone", exc_info=True)
            now = asyncio.get_running_loop().time()
            at = max(self._fallback_next, now)
            self._fallback_next = at + self.spacing
            return at
