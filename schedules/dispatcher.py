"""The dispatcher: claims due rows atomically, sends them, and records what happened.

Claiming is one short transaction (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's
BEGIN IMMEDIATE serialises writers) that moves rows to 'sending' with a lease. Sending happens
outside any transaction. A process that dies after claiming leaves rows whose lease expires, and
the next run takes them again. Two processes never hold the same row at once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ExtBot

from domain.clock import Clock
from i18n import set_today
from schedules.kinds import IN_OFFICE_HOURS, RECHECK_AFTER_SEND
from schedules.outbox import RenderContext, Rendered, Renderer, State
from schedules.pacing import retry_after_seconds
from storage import queries
from storage.db import Database
from storage.models import Network, Outgoing, Person

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
MAX_BACKOFF = dt.timedelta(hours=1)
PARALLEL_CHATS = 32


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait before retry number attempts+1: 10 s doubling, capped at an hour."""
    return min(dt.timedelta(seconds=10 * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass
class DispatchReport:
    """What one run did, by outcome."""

    claimed: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def count(self, outcome: str) -> None:
        """Record one row's outcome."""
        self.outcomes[outcome] += 1


class Dispatcher:
    """Sends due rows of the outgoing queue through a bot."""

    def __init__(
        self,
        database: Database,
        bot: Bot,
        clock: Clock,
        renderers: Mapping[str, Renderer],
        *,
        batch_size: int = 100,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        name: str | None = None,
    ) -> None:
        self.database = database
        self.bot = bot
        self.clock = clock
        self.renderers = renderers
        self.batch_size = batch_size
        self.lease = lease
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._lock = asyncio.Lock()
        # Unexpected errors (bugs, not Telegram's refusals), newest last: tests fail on them.
        self.errors: list[Exception] = []

    async def run_once(self) -> DispatchReport:
        """Claim one batch of due rows and deliver them; per chat in order, chats in parallel."""
        async with self._lock:
            set_today(self.clock.now().date())  # 'this year' in dates, by the bot's clock
            report = DispatchReport()
            items = await self._claim()
            report.claimed = len(items)
            by_chat: dict[int, list[Outgoing]] = defaultdict(list)
            for item in items:
                by_chat[item.chat_id].append(item)
            limit = asyncio.Semaphore(PARALLEL_CHATS)
            opening = await self._office_hours_openings(items)

            async def deliver_chat(chat_items: list[Outgoing]) -> None:
                async with limit:
                    for item in chat_items:
                        report.count(await self._deliver_or_defer(item, opening))

            await asyncio.gather(*(deliver_chat(chat_items) for chat_items in by_chat.values()))
            return report

    async def run_until_idle(self, max_rounds: int = 50) -> DispatchReport:
        """Run batches until nothing is due (after downtime, or when a row queued more)."""
        total = DispatchReport()
        for _ in range(max_rounds):
            report = await self.run_once()
            total.claimed += report.claimed
            for outcome, n in report.outcomes.items():
                total.outcomes[outcome] += n
            if report.claimed == 0:
                break
        return total

    async def next_due(self) -> dt.datetime | None:
        """When the earliest waiting row falls due (None when nothing waits): the sandbox walks
        its clock through these moments, so what falls due is sent, and dated, when due."""
        async with self.database.unit_of_work() as session:
            return await session.scalar(
                select(func.min(Outgoing.due_at)).where(Outgoing.state == State.PENDING)
            )

    async def _claim(self) -> list[Outgoing]:
        now = self.clock.now()
        due = or_(
            and_(Outgoing.state == State.PENDING, Outgoing.due_at <= now),
            and_(Outgoing.state == State.SENDING, Outgoing.lease_until < now),
        )
        # A chat another process is sending to stays with it: two processes never pace the
        # same chat each on its own (one message a second, 20 a minute in a group).
        busy_elsewhere = select(Outgoing.chat_id).where(
            Outgoing.state == State.SENDING,
            Outgoing.lease_until >= now,
            Outgoing.claimed_by != self.name,
        )
        async with self.database.unit_of_work() as session:
            ids = list(
                await session.scalars(
                    select(Outgoing.id)
                    .where(due, Outgoing.chat_id.not_in(busy_elsewhere))
                    .order_by(Outgoing.due_at, Outgoing.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            await session.execute(
                update(Outgoing)
                .where(Outgoing.id.in_(ids))
                .values(
                    state=State.SENDING,
                    lease_until=now + self.lease,
                    claimed_by=self.name,
                    attempts=Outgoing.attempts + 1,
                )
            )
            rows = await session.scalars(
                select(Outgoing).where(Outgoing.id.in_(ids)).order_by(Outgoing.due_at, Outgoing.id)
            )
            return list(rows)

    async def _office_hours_openings(self, items: list[Outgoing]) -> dict[int | None, dt.datetime]:
        """For each network of the batch's office-hours kinds: now, or when its office hours
        next open."""
        ids = {item.network_id for item in items if item.kind in IN_OFFICE_HOURS}
        ids.discard(None)
        if not ids:
            return {}
        now = self.clock.now()
        async with self.database.unit_of_work() as session:
            networks = await session.scalars(select(Network).where(Network.id.in_(ids)))
            return {network.id: network.in_office_hours(now) for network in networks}

    async def _deliver_or_defer(
        self, item: Outgoing, opening: Mapping[int | None, dt.datetime]
    ) -> str:
        opens = opening.get(item.network_id) if item.kind in IN_OFFICE_HOURS else None
        if opens is not None and opens > self.clock.now():
            return await self._defer(item, opens)
        return await self._deliver(item)

    async def _defer(self, item: Outgoing, until: dt.datetime) -> str:
        """Outside office hours: back to waiting, not counted as an attempt, rendered when it
        is sent (so it says what is true then)."""
        values = {"state": State.PENDING, "due_at": until, "lease_until": None, "claimed_by": None}
        async with self.database.unit_of_work() as session:
            await session.execute(
                update(Outgoing)
                .where(self._mine(item))
                .values(attempts=Outgoing.attempts - 1, **values)
            )
        return "deferred"

    async def _deliver(self, item: Outgoing) -> str:
        renderer = self.renderers.get(item.kind)
        if renderer is None:
            log.error("No renderer for outgoing kind %r (row %s)", item.kind, item.id)
            return await self._finish(item, State.FAILED, f"no renderer for {item.kind}")
        try:
            async with self.database.unit_of_work() as session:
                rendered = await renderer(
                    session, item, RenderContext(self.bot.username, self.clock.now())
                )
            if rendered is None:
                return await self._finish(item, State.SKIPPED)
            try:
                sent = await self._send(item.chat_id, rendered)
            except ChatMigrated as error:
                # The group became a supergroup while we were not looking: follow it, resend.
                await self._follow_migration(item, error.new_chat_id)
                sent = await self._send(error.new_chat_id, rendered)
        except RetryAfter as error:
            # Telegram closed the chat for a while: the row waits in the queue, not in memory
            # (the pacer holds every other message to that chat until then, too).
            wait = dt.timedelta(seconds=retry_after_seconds(error))
            return await self._retry_at(item, self.clock.now() + wait, repr(error), count=False)
        except Forbidden as error:
            await self._mark_unreachable(item)
            return await self._finish(item, State.UNDELIVERABLE, str(error))
        except BadRequest as error:
            log.error("Telegram rejected outgoing row %s (%s): %s", item.id, item.kind, error)
            return await self._finish(item, State.FAILED, str(error))
        except NetworkError as error:
            log.warning("Network trouble sending row %s, will retry: %s", item.id, error)
            return await self._retry_later(item, repr(error))
        except Exception as error:
            log.exception("Unexpected error delivering row %s (%s)", item.id, item.kind)
            self.errors.append(error)
            del self.errors[:-100]
            return await self._retry_later(item, repr(error))
        if item.kind in RECHECK_AFTER_SEND:
            return await self._finish_rechecked(item, renderer, rendered, sent)
        return await self._finish(item, State.SENT)

    async def _send(self, chat_id: int, rendered: Rendered) -> Message:
        # After a 429 the row goes back to the queue for its retry_after: no retry in memory.
        no_retry: dict[str, Any] = {}
        if isinstance(self.bot, ExtBot) and self.bot.rate_limiter is not None:
            no_retry["rate_limit_args"] = {"max_retries": 0}
        if rendered.photo is not None:
            return await self.bot.send_photo(
                chat_id,
                rendered.photo,
                caption=rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.reply_markup,
                **no_retry,
            )
        return await self.bot.send_message(
            chat_id,
            rendered.text,
            parse_mode=ParseMode.HTML,
            reply_markup=rendered.reply_markup,
            **no_retry,
        )

    async def _finish_rechecked(
        self, item: Outgoing, renderer: Renderer, rendered: Rendered, sent: Message
    ) -> str:
        """Sent; but a person may have acted while it was on its way (Week later on the action,
        an answer to the round or the review): look again as it is marked sent, and take the
        message back or correct it once that has committed."""
        async with self.database.unit_of_work() as session:
            now_true = await renderer(
                session, item, RenderContext(self.bot.username, self.clock.now())
            )
            await session.execute(
                update(Outgoing)
                .where(self._mine(item))
                .values(state=State.SENT, sent_at=self.clock.now(), lease_until=None)
            )
        if now_true == rendered:
            return State.SENT.value
        try:
            if now_true is None:
                await self.bot.delete_message(sent.chat_id, sent.message_id)
            else:
                await self.bot.edit_message_text(
                    now_true.text,
                    chat_id=sent.chat_id,
                    message_id=sent.message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=now_true.reply_markup,
                )
        except TelegramError as error:
            log.warning("Could not correct sent row %s (%s): %s", item.id, item.kind, error)
        return State.SENT.value

    def _mine(self, item: Outgoing) -> ColumnElement[bool]:
        return and_(
            Outgoing.id == item.id,
            Outgoing.state == State.SENDING,
            Outgoing.claimed_by == self.name,
        )

    async def _finish(self, item: Outgoing, state: State, error: str | None = None) -> str:
        values: dict[str, object] = {"state": state, "lease_until": None, "last_error": error}
        if state is State.SENT:
            values["sent_at"] = self.clock.now()
        async with self.database.unit_of_work() as session:
            await session.execute(update(Outgoing).where(self._mine(item)).values(**values))
        return state.value

    async def _retry_later(self, item: Outgoing, error: str) -> str:
        if item.attempts >= MAX_ATTEMPTS:
            log.error("Giving up on outgoing row %s after %s attempts", item.id, item.attempts)
            return await self._finish(item, State.FAILED, error)
        return await self._retry_at(item, self.clock.now() + backoff(item.attempts), error)

    async def _retry_at(
        self, item: Outgoing, due_at: dt.datetime, error: str, *, count: bool = True
    ) -> str:
        values: dict[str, object] = {
            "state": State.PENDING,
            "due_at": due_at,
            "lease_until": None,
            "claimed_by": None,
            "last_error": error[:500],
        }
        if not count:
            values["attempts"] = Outgoing.attempts - 1
        async with self.database.unit_of_work() as session:
            await session.execute(update(Outgoing).where(self._mine(item)).values(**values))
        return "retry"

    async def _mark_unreachable(self, item: Outgoing) -> None:
        async with self.database.unit_of_work() as session:
            if item.person_id is not None and item.chat_id == item.person_id:
                await session.execute(
                    update(Person).where(Person.id == item.person_id).values(reachable=False)
                )
            elif item.network_id is not None:
                await session.execute(
                    update(Network)
                    .where(Network.id == item.network_id, Network.chat_id == item.chat_id)
                    .values(active=False)
                )

    async def _follow_migration(self, item: Outgoing, new_chat_id: int) -> None:
        async with self.database.unit_of_work() as session:
            await session.execute(
                update(Network).where(Network.chat_id == item.chat_id).values(chat_id=new_chat_id)
            )
            await queries.move_pending_outgoing(session, item.chat_id, new_chat_id)
