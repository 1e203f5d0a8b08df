"""Updates of different people at the same time, each chat's in order.

python-telegram-bot handles one update after another unless told otherwise; then one person's
slow command (a /samenvatting over years of rounds) holds every partner's button press behind
it. ChatOrderedProcessor lets updates of different chats run side by side, up to a limit, while
the updates of one chat still run one at a time in the order they came: a person's second press
is never handled before their first, nor a group's commands out of order."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_CONCURRENT_UPDATES = 32  # handled at once
MAX_WAITING_UPDATES = 4096  # in line for their chat's turn (PTB's own bound, barely a cost)


def order_key(update: object) -> int | None:
    """What must stay in order: the chat of the update, or its person when it has no chat (an
    inline query); None for what has neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most `handled` updates at once; one at a time per chat, first come first served.
    An update waits for its chat's turn before it takes one of the `handled` places, so a busy
    chat never crowds the others out (PTB's own bound, taken before, is only a backstop)."""

    def __init__(self, handled: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(MAX_WAITING_UPDATES)
        self._places = asyncio.Semaphore(handled)
        self._turns: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            async with self._places:
                await coroutine
            return
        turn = self._turns.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with turn, self._places:  # a Lock wakes its waiters in the order they came
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else of this chat in line: forget it
                del self._waiting[key]
                del self._turns[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""
