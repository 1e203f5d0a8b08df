"""The real python-telegram-bot Application, remembering which updates (and which background
work started while handling them) it has finished.

Whoever drives a bot through the fake (tests, benchmarks, the sandbox) can then wait until the
bot has handled what a person just did, instead of sleeping and hoping.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update
from telegram.ext import Application


class RecordingApplication(Application):  # type: ignore[type-arg]
    """An Application that records finished update ids and what went wrong."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.processed: set[int] = set()
        self.failures: list[BaseException] = []
        self.progress = asyncio.Event()
        self.tasks: set[asyncio.Task[Any]] = set()

    def create_task(self, coroutine: Any, update: object | None = None, **kwargs: Any) -> Any:
        """Remember background work a handler starts (sending what it just queued), so that
        settling waits for it too."""
        task = super().create_task(coroutine, update, **kwargs)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                self.processed.add(update.update_id)
            self.progress.set()

    async def settle(self, update_ids: list[int | None], idle_limit: float = 15.0) -> None:
        """Wait until these updates are handled; TimeoutError if nothing moves for idle_limit s."""
        wanted = {uid for uid in update_ids if uid is not None}
        while not wanted <= self.processed:
            self.progress.clear()
            await asyncio.wait_for(self.progress.wait(), idle_limit)
        while self.tasks:
            _, pending = await asyncio.wait(set(self.tasks), timeout=idle_limit)
            if pending:
                raise TimeoutError("background work of the bot did not finish")
