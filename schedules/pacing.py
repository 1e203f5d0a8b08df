"""Pacing what the bot sends so Telegram never has to refuse it.

python-telegram-bot's AIORateLimiter keeps the overall rate (about 30 messages a second) and
each group's (20 a minute). Telegram also asks for no more than about one message a second in
one chat; PacedRateLimiter adds that, for replies and scheduled messages alike, so a reminder
that follows a reply in the same chat waits its turn instead of earning a 429; and it lets
questions to Telegram (who is a member?) through without queueing behind messages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

SENDING_ENDPOINTS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
# Questions, not messages: Telegram's message limits do not apply. AIORateLimiter would hold a
# getChatMember on a group to the group's 20 a minute, so the 60th partner opening a round link
# at once would wait three minutes (and, updates being handled in order, everyone with them).
UNPACED_ENDPOINTS = frozenset({"getChatMember", "getChat", "getMe", "answerCallbackQuery"})


class ChatPacer:
    """At most one message per interval to any one chat."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._ready: dict[int | str, float] = {}

    async def turn(self, chat_id: int | str) -> None:
        """Wait until chat_id may receive its next message, and claim that moment."""
        now = time.monotonic()
        ready = self._ready.get(chat_id, 0.0)
        self._ready[chat_id] = max(ready, now) + self.interval  # claimed before waiting
        if ready > now:
            await asyncio.sleep(ready - now)
        if len(self._ready) > 10_000:  # forget chats whose turn has long come
            now = time.monotonic()
            self._ready = {chat: at for chat, at in self._ready.items() if at > now}


class PacedRateLimiter(AIORateLimiter):
    """AIORateLimiter plus one message per chat_interval seconds in each chat."""

    def __init__(self, *, chat_interval: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pacer = ChatPacer(chat_interval)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if endpoint in UNPACED_ENDPOINTS:
            return await callback(*args, **kwargs)
        chat_id = data.get("chat_id")
        if endpoint in SENDING_ENDPOINTS and chat_id is not None and self.pacer.interval > 0:
            # The turn is taken last, right before the request goes out (after the overall and
            # group limiters, and again for each retry), so the spacing is what Telegram sees.
            send = callback

            async def paced(*call_args: Any, **call_kwargs: Any) -> Any:
                await self.pacer.turn(chat_id)
                return await send(*call_args, **call_kwargs)

            callback = paced
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
