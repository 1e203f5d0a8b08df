"""One bot process's dispatcher, for the benchmark of two processes on one PostgreSQL database:
it sends what is due through the bot's own limiter (its turns drawn from the database) until
the queue is empty, then exits.

    python -m bench.dispatch_process DATABASE_URL TELEGRAM_API_BASE_URL TOKEN NAME
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from sqlalchemy import func, select
from telegram.ext import ExtBot

from bot import sending_budget
from domain.clock import Clock
from schedules.dispatcher import Dispatcher
from schedules.outbox import RenderContext, Rendered, State
from schedules.pacing import TelegramPacer
from schedules.transport import AiohttpRequest
from storage.db import Database
from storage.models import Outgoing

KIND = "bench_note"


async def render_bench_note(session: Any, item: Outgoing, render: RenderContext) -> Rendered:
    """The benchmark's messages: the payload's text."""
    return Rendered(str(item.payload["text"]))


async def _unsent(database: Database) -> int:
    async with database.unit_of_work(read_only=True) as session:
        waiting = Outgoing.state.in_([State.PENDING, State.SENDING])
        return int(await session.scalar(select(func.count()).where(waiting)) or 0)


async def main(url: str, base_url: str, token: str, name: str) -> None:
    """Send until nothing is left to send (by either process)."""
    database = Database(url)
    pacer = TelegramPacer(chat_interval=1.0, budget=sending_budget(database))
    request = AiohttpRequest()  # as bot.py makes it
    async with ExtBot(
        token, base_url=f"{base_url}/bot", rate_limiter=pacer, request=request
    ) as bot:
        dispatcher = Dispatcher(database, bot, Clock(), {KIND: render_bench_note}, name=name)
        while True:
            await dispatcher.run_until_idle(max_rounds=100_000)
            if not await _unsent(database):
                break
            await asyncio.sleep(0.1)  # the other process holds the rest, or a retry is not due
    await database.dispose()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
