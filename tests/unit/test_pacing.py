"""The bot's own limiter, with Telegram simulated by a callback (no network): turns evenly
spaced, a group's minute window, a chat closed until its retry_after, replies that try again
and queue rows that do not, and edits in private chats that skip the turns until Telegram
says otherwise."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from typing import Any

import pytest
from telegram.error import RetryAfter

from schedules.pacing import GroupWindows, LocalBudget, RecentSends, TelegramPacer


class Telegram:
    """A pretend Telegram: records when each call arrived, refuses the first `refuse` calls
    with 429 and retry_after."""

    def __init__(self, refuse: int = 0, retry_after: float = 0.3) -> None:
        self.calls: list[tuple[float, str]] = []
        self.refuse = refuse
        self.retry_after = retry_after

    def endpoint(self, name: str) -> Any:
        async def call(**_: object) -> bool:
            self.calls.append((asyncio.get_running_loop().time(), name))
            if self.refuse:
                self.refuse -= 1
                raise RetryAfter(dt.timedelta(seconds=self.retry_after))  # type: ignore[arg-type]
            return True

        return call


async def send(
    pacer: TelegramPacer, telegram: Telegram, endpoint: str, chat_id: int, **limit_args: Any
) -> object:
    return await pacer.process_request(
        telegram.endpoint(endpoint), (), {}, endpoint, {"chat_id": chat_id}, limit_args or None
    )


async def test_turns_are_evenly_spaced_with_no_burst_even_when_all_are_due_at_once() -> None:
    budget = LocalBudget(per_second=50)
    pacer = TelegramPacer(chat_interval=0, budget=budget)
    telegram = Telegram()
    await asyncio.gather(*(send(pacer, telegram, "sendMessage", 1000 + n) for n in range(20)))
    times = sorted(at for at, _ in telegram.calls)
    # The n-th call never comes before its turn, n/50 s after the first (give or take the
    # event loop's resolution); on a busy machine it may come late, and the next one then
    # keeps its own turn rather than being pushed back.
    assert all(at - times[0] >= n * 0.02 - 0.005 for n, at in enumerate(times))
    assert times[-1] - times[0] >= 19 * 0.02 - 0.01


class JitteryTelegram:
    """A Telegram a busy network stands in front of: a message arrives some while after it
    was sent, and is answered some while after it arrived."""

    def __init__(self, seed: int) -> None:
        self.arrived: list[float] = []
        self.random = random.Random(seed)

    async def send(self) -> None:
        await asyncio.sleep(self.random.uniform(0, 0.06))
        self.arrived.append(time.monotonic())
        await asyncio.sleep(self.random.uniform(0, 0.06))


@pytest.mark.parametrize("seed", [1, 2])
async def test_no_more_arrive_in_any_window_than_allowed_however_the_network_delays(
    seed: int,
) -> None:
    recent = RecentSends(5, 0.3)
    telegram = JitteryTelegram(seed)

    async def one() -> None:
        async with recent.sending():
            await telegram.send()

    # Sent with no spacing at all, as fast as the window lets them.
    await asyncio.gather(*(one() for _ in range(30)))
    arrived = sorted(telegram.arrived)
    assert len(arrived) == 30
    assert all(arrived[n + 5] - arrived[n] >= 0.3 for n in range(len(arrived) - 5))
    # ... and not much slower than that: six windows' worth, give or take the delays.
    assert arrived[-1] - arrived[0] < 6 * (0.3 + 0.12) + 0.5


async def test_a_message_waits_for_an_answer_when_all_are_still_on_their_way() -> None:
    recent = RecentSends(2, 0.2)
    answered: list[float] = []
    started: list[float] = []

    async def one(delay: float) -> None:
        async with recent.sending():
            started.append(time.monotonic())
            await asyncio.sleep(delay)
        answered.append(time.monotonic())

    await asyncio.gather(one(0.1), one(0.15), one(0))
    # The third goes a whole period after the first answer, not when the first one left.
    assert started[2] >= answered[0] + 0.2 - 0.005


async def test_a_sender_that_gives_up_waiting_holds_no_place() -> None:
    recent = RecentSends(1, 0.05)
    gate = asyncio.Event()

    async def slow() -> None:
        async with recent.sending():
            await gate.wait()

    first = asyncio.create_task(slow())
    await asyncio.sleep(0)
    waiting = asyncio.create_task(slow())
    await asyncio.sleep(0.01)
    waiting.cancel()
    gate.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await waiting
    async with asyncio.timeout(1):
        async with recent.sending():
            pass


async def test_the_pacer_keeps_sent_messages_within_the_window() -> None:
    pacer = TelegramPacer(chat_interval=0, budget=LocalBudget(per_second=1000))
    pacer.recent = RecentSends(4, 0.2)
    telegram = Telegram()
    await asyncio.gather(*(send(pacer, telegram, "sendMessage", 1000 + n) for n in range(12)))
    times = sorted(at for at, _ in telegram.calls)
    assert all(times[n + 4] - times[n] >= 0.2 - 0.005 for n in range(len(times) - 4))


async def test_edits_that_count_as_messages_keep_within_the_window_too() -> None:
    # An edit in a group is one of Telegram's messages: it takes a turn, and counts in the
    # window with the messages sent beside it.
    pacer = TelegramPacer(chat_interval=0, budget=LocalBudget(per_second=1000))
    pacer.recent = RecentSends(4, 0.2)
    telegram = Telegram()
    await asyncio.gather(
        *(send(pacer, telegram, "editMessageText", -1000 - n) for n in range(6)),
        *(send(pacer, telegram, "sendMessage", 1000 + n) for n in range(6)),
    )
    times = sorted(at for at, _ in telegram.calls)
    assert len(times) == 12
    assert all(times[n + 4] - times[n] >= 0.2 - 0.005 for n in range(len(times) - 4))


def test_a_group_gets_twenty_in_a_minute_then_waits_for_the_window() -> None:
    windows = GroupWindows(20, 60.0)
    assert [windows.reserve(-1) for _ in range(20)] == [0.0] * 20
    wait = windows.reserve(-1)
    assert 60.0 <= wait <= 60.5
    assert windows.reserve(-2) == 0.0  # another group is not held up


async def test_a_reply_waits_out_a_429_and_nothing_reaches_that_chat_before_then() -> None:
    pacer = TelegramPacer(chat_interval=0)
    telegram = Telegram(refuse=1, retry_after=0.3)
    first = asyncio.create_task(send(pacer, telegram, "sendMessage", 42))
    await asyncio.sleep(0.05)
    other_chat = await send(pacer, telegram, "sendMessage", 43)  # not held up
    assert await first is True and other_chat is True
    to_42 = [at for at, _ in telegram.calls[:1]] + [at for at, _ in telegram.calls[2:]]
    assert len(to_42) == 2 and to_42[1] - to_42[0] >= 0.3
    assert pacer.blocked_for(42) == 0


async def test_a_queued_message_asks_for_no_retry_and_leaves_the_chat_closed() -> None:
    pacer = TelegramPacer(chat_interval=0)
    telegram = Telegram(refuse=1, retry_after=2)
    with pytest.raises(RetryAfter):
        await send(pacer, telegram, "sendMessage", 42, max_retries=0)
    assert len(telegram.calls) == 1
    assert 1.5 < pacer.blocked_for(42) <= 2


async def test_a_long_retry_after_is_not_waited_out_by_a_reply() -> None:
    pacer = TelegramPacer(chat_interval=0)
    telegram = Telegram(refuse=1, retry_after=3600)
    with pytest.raises(RetryAfter):
        await send(pacer, telegram, "sendMessage", 42)
    assert len(telegram.calls) == 1


async def test_private_edits_skip_the_turns_until_telegram_refuses_one() -> None:
    budget = LocalBudget(per_second=10)
    pacer = TelegramPacer(chat_interval=0, budget=budget)
    telegram = Telegram()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await asyncio.gather(*(send(pacer, telegram, "editMessageText", 1000 + n) for n in range(10)))
    assert loop.time() - started < 0.3  # ten turns would take 0.9 s
    telegram.refuse, telegram.retry_after = 1, 0.1
    await send(pacer, telegram, "editMessageText", 7)
    assert pacer.edits_take_turns
    started = loop.time()
    await asyncio.gather(*(send(pacer, telegram, "editMessageText", 2000 + n) for n in range(5)))
    assert loop.time() - started >= 0.35


async def test_questions_and_answers_to_presses_go_straight_through() -> None:
    budget = LocalBudget(per_second=1)
    pacer = TelegramPacer(chat_interval=5, budget=budget)
    telegram = Telegram()
    loop = asyncio.get_running_loop()
    started = loop.time()
    for endpoint in ("getChatMember", "answerCallbackQuery", "getChatMember"):
        await send(pacer, telegram, endpoint, 42)
    assert loop.time() - started < 0.2
