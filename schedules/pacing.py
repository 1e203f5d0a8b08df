"""Pacing what the bot sends so that Telegram never has to refuse it, and waiting as long as it
says when it does.

Telegram asks a bot for about 30 messages a second in all, 20 a minute in one group and about
one a second in one chat, and answers a message over a limit with 429 and a retry_after, until
which that chat is closed to the bot. TelegramPacer keeps to all three:

- **In all**: messages go out evenly spaced, 28 a second (a strict Telegram counts any one
  second, so a burst that a leaky bucket would allow is already too much). The turns come from
  a SendBudget: one of this process (LocalBudget), or one row in PostgreSQL that every bot
  process on that database draws from (storage.budget.SharedBudget), so two processes together
  stay under the ceiling. Evenly spaced when sent is not evenly spaced when they arrive: a
  busy moment on either side of the network can bring a few together. So the process also
  keeps RecentSends: no message goes out until the 30th before it has been answered a whole
  second ago, which holds however the network delays them.
- **In one group**: no more than 20 in any minute (a sliding window).
- **In one chat**: the next message goes out no sooner than chat_interval after Telegram
  answered the previous one (ChatPacer), so no jitter can bring two closer.
- **After a 429**: nothing more goes to that chat until its retry_after has passed; a reply then
  tries again (a few times, when the wait is short), and the dispatcher, which asks for no
  retries here, puts its row back in the queue for then.

Edits of messages in private chats (a partner pressing through a round) are not messages to
Telegram's limits; they skip the overall turns, so a crowd answering at once is not held to 30
presses a second. Should Telegram ever refuse an edit with 429, edits take turns from then on.
Questions to Telegram (who is a member?) and answers to button presses go straight through; an
answer Telegram refuses as too late (the press waited too long) is logged, not raised, so what
the press did is still shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any, Protocol

from telegram.error import BadRequest, RetryAfter
from telegram.ext import BaseRateLimiter

from storage.db import SendInsideTransaction, in_transaction

log = logging.getLogger(__name__)

SENDING_ENDPOINTS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
EDITING_ENDPOINTS = frozenset(
    {"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "editMessageMedia"}
)
# Questions, not messages: Telegram's message limits do not apply. Holding a getChatMember to
# a group's 20 a minute would keep the 60th partner opening a round link waiting minutes.
UNPACED_ENDPOINTS = frozenset({"getChatMember", "getChat", "getMe", "answerCallbackQuery"})

OVERALL_PER_SECOND = 28.0
# Telegram's ceiling, as a strict Telegram counts it: messages arriving in any one second.
OVERALL_WINDOW = (30, 1.0)
# Spare time for the window of RecentSends: Telegram's clock and ours tick a little apart.
RECENT_MARGIN = 0.02
GROUP_WINDOW = (20, 60.0)
# Spare time added to a sliding window, for a request the network delays on its way.
WINDOW_MARGIN = 0.25
# A reply waits out a retry_after up to this long, then gives up (the person can try again).
REPLY_MAX_WAIT = 60.0


class SendBudget(Protocol):
    """Turns for sending, evenly spaced: take() returns when it is this sender's turn."""

    async def take(self) -> None:
        """Wait for the next turn."""


# A sender that wakes this much after its turn (a busy moment) takes a new one instead of
# going late: going late would bring it closer to the turns after it than their spacing.
LATE = 0.04
LATE_TRIES = 3


async def take_turn(reserve: Callable[[], Coroutine[Any, Any, float]]) -> None:
    """Wait for the turn reserve() claims (a moment on the event loop's clock); when woken too
    late, claim another, a few times at most."""
    loop = asyncio.get_running_loop()
    for _ in range(LATE_TRIES):
        at = await reserve()
        delay = at - loop.time()
        if delay <= 0:
            return  # the budget had room now: no one is close behind
        await asyncio.sleep(delay)
        if loop.time() - at <= LATE:
            return


class LocalBudget:
    """Evenly spaced turns within this process."""

    def __init__(self, per_second: float = OVERALL_PER_SECOND) -> None:
        self.spacing = 1.0 / per_second
        self._next = 0.0

    async def reserve(self) -> float:
        """Claim the next turn; returns when it comes, on the event loop's clock."""
        now = asyncio.get_running_loop().time()
        at = max(self._next, now)
        self._next = at + self.spacing
        return at

    async def take(self) -> None:
        """Wait for the next turn."""
        await take_turn(self.reserve)


def retry_after_seconds(error: RetryAfter) -> float:
    """A 429's retry_after in seconds (PTB gives a timedelta or a number)."""
    value = error.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


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


class RecentSends:
    """No more than count messages that can arrive at Telegram within any period seconds.

    A message arrives between the moment it was sent and the moment Telegram answered it, so
    a message may go once fewer than count were sent before it and answered less than period
    (and a margin) ago, the ones still waiting for their answer included. Unlike spacing when
    sent, this holds whatever the delays on the way: when a busy moment brings answers
    together, the next messages wait for them to be a period old."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period
        self._answered: deque[float] = deque()  # when each recent one was answered
        self._in_flight = 0
        self._waiting: deque[asyncio.Future[None]] = deque()

    def _recent(self, now: float) -> int:
        while self._answered and self._answered[0] <= now - self.period:
            self._answered.popleft()
        return len(self._answered)

    @contextlib.asynccontextmanager
    async def sending(self) -> AsyncIterator[None]:
        """Wait until one more message fits, send inside the block."""
        while True:
            now = time.monotonic()
            if self._recent(now) + self._in_flight < self.count:
                break
            if self._answered:
                await asyncio.sleep(self._answered[0] + self.period - now)
            else:  # all of them still on their way: wait for the first answer
                waiter = asyncio.get_running_loop().create_future()
                self._waiting.append(waiter)
                try:
                    await waiter
                finally:
                    if waiter in self._waiting:
                        self._waiting.remove(waiter)
        self._in_flight += 1
        try:
            yield
        finally:
            self._in_flight -= 1
            self._answered.append(time.monotonic())
            while self._waiting:  # all of them look again: one may sleep on this answer now
                waiter = self._waiting.popleft()
                if not waiter.done():
                    waiter.set_result(None)


class GroupWindows:
    """No more than count messages to one group in any period seconds: each message's moment
    is reserved as it waits, so the next count-th comes a whole period (and a margin) later."""

    def __init__(self, count: int, period: float) -> None:
        self.count, self.period = count, period
        self._sent: dict[int | str, deque[float]] = {}

    def reserve(self, chat_id: int | str) -> float:
        """Claim the group's next moment; returns how many seconds until it comes."""
        now = time.monotonic()
        sent = self._sent.setdefault(chat_id, deque(maxlen=self.count))
        at = now
        if len(sent) == self.count:
            at = max(now, sent[0] + self.period + WINDOW_MARGIN)
        sent.append(at)
        if len(self._sent) > 10_000:
            for old in [c for c, d in self._sent.items() if d[-1] < now - self.period]:
                del self._sent[old]
        return at - now


class TelegramPacer(BaseRateLimiter[dict[str, Any]]):
    """The bot's rate limiter (see the module's text). rate_limit_args={"max_retries": 0} on a
    call asks for no retry after a 429: the caller has a better place to wait (the queue)."""

    def __init__(
        self,
        *,
        chat_interval: float,
        budget: SendBudget | None = None,
        max_retries: int = 3,
    ) -> None:
        self.pacer = ChatPacer(chat_interval)
        self.groups = GroupWindows(*GROUP_WINDOW)
        count, period = OVERALL_WINDOW
        self.recent = RecentSends(count, period + RECENT_MARGIN)
        self.budget: SendBudget = budget or LocalBudget()
        self.max_retries = max_retries
        self.edits_take_turns = False
        self._blocked: dict[int | str, float] = {}
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def answered(self, callback_query_id: str) -> bool:
        """Whether this button press has been answered already (a second answer is refused
        by Telegram, so the error handler says it another way)."""
        return callback_query_id in self._answered

    def blocked_for(self, chat_id: int | str) -> float:
        """Seconds until Telegram takes messages to this chat again after a 429 (0: now)."""
        return max(0.0, self._blocked.get(chat_id, 0.0) - time.monotonic())

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: dict[str, Any] | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if in_transaction():
            raise SendInsideTransaction(f"{endpoint} called inside an open database transaction")
        if endpoint == "answerCallbackQuery" and data.get("callback_query_id"):
            self._answered[str(data["callback_query_id"])] = None
            while len(self._answered) > 10_000:
                self._answered.popitem(last=False)
        if endpoint == "answerCallbackQuery":
            return await _answer_in_time(callback(*args, **kwargs))
        chat_id = data.get("chat_id")
        if endpoint in UNPACED_ENDPOINTS or chat_id is None:
            return await callback(*args, **kwargs)
        retries = (rate_limit_args or {}).get("max_retries", self.max_retries)
        attempt = 0
        while True:
            try:
                result: bool | dict[str, Any] | list[dict[str, Any]] = await self._paced(
                    callback(*args, **kwargs), endpoint, chat_id
                )
                return result
            except RetryAfter as error:
                seconds = retry_after_seconds(error)
                self._blocked[chat_id] = time.monotonic() + seconds
                if endpoint in EDITING_ENDPOINTS and not self.edits_take_turns:
                    log.warning("Telegram limits edits too: from now on they take turns")
                    self.edits_take_turns = True
                if attempt >= retries or seconds > REPLY_MAX_WAIT:
                    raise
                attempt += 1
                log.info("%s to a chat waits %.0f s (Telegram's retry_after)", endpoint, seconds)

    async def _paced(
        self, request: Coroutine[Any, Any, Any], endpoint: str, chat_id: int | str
    ) -> Any:
        """Send request when every limit that applies allows it."""
        try:
            if endpoint in SENDING_ENDPOINTS:
                async with self.pacer.turn(chat_id):
                    await self._wait_unblocked(chat_id)
                    if _is_group(chat_id):
                        await _sleep(self.groups.reserve(chat_id))
                    return await self._counted(request)
            await self._wait_unblocked(chat_id)
            if endpoint in EDITING_ENDPOINTS and (self.edits_take_turns or _is_group(chat_id)):
                return await self._counted(request)
            return await request
        finally:
            request.close()  # never awaited when waiting was cancelled: no warning for that

    async def _counted(self, request: Coroutine[Any, Any, Any]) -> Any:
        """Send request as one of the messages of Telegram's overall ceiling: on its turn of
        the budget, and within the window of recent sends."""
        await self.budget.take()
        async with self.recent.sending():
            return await request

    async def _wait_unblocked(self, chat_id: int | str) -> None:
        # A 429 that arrives while this waits moves the moment on: look again after waking.
        while (delay := self.blocked_for(chat_id)) > 0:  # noqa: ASYNC110
            await asyncio.sleep(delay)


async def _answer_in_time(
    request: Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]],
) -> bool | dict[str, Any] | list[dict[str, Any]]:
    """Answer a button press. Telegram takes an answer only within a few seconds of the press;
    a later one is refused, but by then the person's spinner has stopped by itself, and what
    the press did (the next question, the card) must still be shown: the refusal is logged,
    not raised."""
    try:
        return await request
    except BadRequest as error:
        if "query is too old" not in error.message.lower():
            raise
        log.warning("A button press was answered after Telegram's window for it had closed")
        return True


def _is_group(chat_id: int | str) -> bool:
    """Groups have negative ids (and public ones an @name)."""
    return isinstance(chat_id, str) or chat_id < 0


async def _sleep(delay: float) -> None:
    if delay > 0:
        await asyncio.sleep(delay)
