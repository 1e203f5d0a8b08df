"""Pacing what the bot sends so Telegram never has to refuse it.

python-telegram-bot's AIORateLimiter keeps the overall rate (about 30 messages a second) and
each group's (20 a minute). Telegram also asks for no more than about one message a second in
one chat; PacedRateLimiter adds that, for replies and scheduled messages alike, so a reminder
that follows a reply in the same chat waits its turn instead of earning a 429; and it lets
questions to Telegram (who is a member?) through without queueing behind messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

from storage.db import SendInsideTransaction, in_transaction

SENDING_ENDPOINTS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
# Questions, not messages: Telegram's message limits do not apply. AIORateLimiter would hold a
# getChatMember on a group to the group's 20 a minute, so the 60th partner opening a round link
# at once would wait three minutes (and, updates being handled in order, everyone with them).
UNPACED_ENDPOINTS = frozenset({"getChatMember", "getChat", "getMe", "answerCallbackQuery"})


class ChatPacer:
    """At most one message per interval to any one chat, counted from the moment Telegram
    answered the previous one: it had certainly arrived by then, so however the network delays
    either request, Telegram sees them at least interval apart. Sends to one chat go one at a
    time."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._ready: dict[int | str, float] = {}
        self._locks: dict[int | str, asyncio.Lock] = {}

    @contextlib.asynccontextmanager
    async def turn(self, chat_id: int | str) -> AsyncIterator[None]:
        """Wait for chat_id's turn, send inside the block; the next turn starts interval after
        the block ends."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            delay = self._ready.get(chat_id, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                yield
            finally:
                self._ready[chat_id] = time.monotonic() + self.interval
        if len(self._ready) > 10_000:
            self._forget_past()

    def _forget_past(self) -> None:
        """Drop chats whose turn has long come and that nobody is sending to."""
        now = time.monotonic()
        for chat_id in [c for c, at in self._ready.items() if at < now]:
            lock = self._locks.get(chat_id)
            if lock is None or not lock.locked():
                del self._ready[chat_id]
                self._locks.pop(chat_id, None)


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter plus one message per chat_interval seconds in each chat."""

    def __init__(self, *, chat_interval: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pacer = ChatPacer(chat_interval)
        self._answered: OrderedDict[str, None] = OrderedDict()

    def answered(self, callback_query_id: str) -> bool:
        """Whether this button press has been answered already (a second answer is refused
        by Telegram, so the error handler says it another way)."""
        return callback_query_id in self._answered

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if in_transaction():
            raise SendInsideTransaction(f"{endpoint} called inside an open database transaction")
        if endpoint == "answerCallbackQuery" and data.get("callback_query_id"):
            self._answered[str(data["callback_query_id"])] = None
            while len(self._answered) > 10_000:
                self._answered.popitem(last=False)
        if endpoint in UNPACED_ENDPOINTS:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if endpoint in SENDING_ENDPOINTS and chat_id is not None and self.pacer.interval > 0:
            # The turn is taken last, right before the request goes out (after the overall and
            # group limiters, and again for each retry), so the spacing is what Telegram sees.
            send = callback

            async def paced(*call_args: Any, **call_kwargs: Any) -> Any:
                async with self.pacer.turn(chat_id):
                    return await send(*call_args, **call_kwargs)

            callback = paced
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
