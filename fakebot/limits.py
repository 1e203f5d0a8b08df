"""Telegram's sending limits, as the fake enforces them when asked to.

Telegram documents them loosely: about 30 messages a second in all, no more than 20 a minute
in one group, and about one a second in one chat. The fake models each as a leaky bucket (the
shape python-telegram-bot's AIORateLimiter paces with): a bucket holds at most `capacity`
messages and drains at capacity/period. A message that does not fit is refused with 429 and a
whole-seconds retry_after, as Telegram answers. `tolerance` forgives a message that arrives a
few milliseconds early, which loopback jitter alone can cause.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fakebot.spec import ApiError

SENDING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})


@dataclass
class Bucket:
    """One leaky bucket: capacity messages, draining over period seconds."""

    capacity: float
    period: float
    level: float = 0.0
    updated: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until one more message fits (0 when it fits now); drains first."""
        rate = self.capacity / self.period
        self.level = max(0.0, self.level - (now - self.updated) * rate)
        self.updated = now
        return max(0.0, (self.level + 1 - self.capacity) / rate)

    def take(self) -> None:
        """Count one message in."""
        self.level += 1


@dataclass
class TelegramLimits:
    """The limits of one bot, and how often they were hit."""

    overall: tuple[float, float] = (30, 1.0)
    per_group: tuple[float, float] = (20, 60.0)
    per_chat: tuple[float, float] = (1, 1.0)
    tolerance: float = 0.05
    clock: Callable[[], float] = time.monotonic
    refused: int = 0
    accepted: int = 0
    _overall: Bucket = field(init=False)
    _groups: dict[int, Bucket] = field(init=False, default_factory=dict)
    _chats: dict[int, Bucket] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._overall = Bucket(*self.overall)

    def admit(self, chat_id: int, is_group: bool) -> None:
        """Count a message to chat_id in, or refuse it with 429 if a limit would be passed."""
        now = self.clock()
        buckets = [self._overall, self._bucket(self._chats, chat_id, self.per_chat)]
        if is_group:
            buckets.append(self._bucket(self._groups, chat_id, self.per_group))
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > self.tolerance:
            self.refused += 1
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        for bucket in buckets:
            bucket.take()
        self.accepted += 1

    @staticmethod
    def _bucket(table: dict[int, Bucket], chat_id: int, shape: tuple[float, float]) -> Bucket:
        bucket = table.get(chat_id)
        if bucket is None:
            bucket = table[chat_id] = Bucket(*shape)
        return bucket


def minimum_seconds(
    per_chat_counts: dict[int, int], groups: set[int], limits: TelegramLimits
) -> float:
    """The least time in which these messages can be sent within the limits, all due at once:
    the slowest of the overall bucket, each group's and each chat's."""

    def drain_time(count: int, shape: tuple[float, float]) -> float:
        capacity, period = shape
        return max(0.0, (count - capacity) * period / capacity)

    total = sum(per_chat_counts.values())
    slowest_chat = max(
        (
            max(
                drain_time(count, limits.per_chat),
                drain_time(count, limits.per_group) if chat in groups else 0.0,
            )
            for chat, count in per_chat_counts.items()
        ),
        default=0.0,
    )
    return max(drain_time(total, limits.overall), slowest_chat)


@dataclass
class StrictLimits:
    """Telegram's limits as a strict Telegram enforces them, modelled independently of the
    bot's own limiter (which spaces messages out evenly): sliding windows, counted by arrival.
    No more than 30 messages in any one second in all, 20 in any minute in one group and one
    in any second in one chat. A message that does not fit is refused with 429, and its chat is
    then blocked until the retry_after has passed: a message to it before that is refused
    again and counted as an early retry (what gets a bot's limits tightened)."""

    overall: tuple[int, float] = (30, 1.0)
    per_group: tuple[int, float] = (20, 60.0)
    per_chat: tuple[int, float] = (1, 1.0)
    methods: frozenset[str] = SENDING_METHODS
    clock: Callable[[], float] = time.monotonic
    refused: int = 0
    accepted: int = 0
    early_retries: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    _overall: deque[float] = field(init=False, default_factory=deque)
    _groups: dict[int, deque[float]] = field(init=False, default_factory=dict)
    _chats: dict[int, deque[float]] = field(init=False, default_factory=dict)
    _blocked: dict[int, float] = field(init=False, default_factory=dict)

    def admit(self, chat_id: int, is_group: bool) -> None:
        """Count a message to chat_id in, or refuse it with 429 (and block the chat)."""
        now = self.clock()
        blocked_until = self._blocked.get(chat_id, 0.0)
        if now < blocked_until:
            self.early_retries += 1
            self._refuse(chat_id, blocked_until - now, now, "early retry")
        windows = [
            ("overall", self._overall, self.overall),
            ("chat", self._chats.setdefault(chat_id, deque()), self.per_chat),
        ]
        if is_group:
            windows.append(("group", self._groups.setdefault(chat_id, deque()), self.per_group))
        for reason, log, shape in windows:
            wait = self._wait(log, shape, now)
            if wait > 0:
                self._refuse(chat_id, wait, now, reason)
        for _reason, log, _shape in windows:
            log.append(now)
        self.accepted += 1

    def _refuse(self, chat_id: int, wait: float, now: float, reason: str) -> None:
        self.refused += 1
        self.reasons[reason] += 1
        seconds = max(1, math.ceil(wait))
        if reason != "early retry":  # an early retry is told what is left, not punished more
            self._blocked[chat_id] = now + seconds
        raise ApiError(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)

    @staticmethod
    def _wait(log: deque[float], shape: tuple[int, float], now: float) -> float:
        """Seconds until the window has room for one more (0 when it has room now)."""
        capacity, period = shape
        while log and log[0] <= now - period:
            log.popleft()
        return 0.0 if len(log) < capacity else log[0] + period - now

    def least_seconds(self, per_chat_counts: dict[int, int], groups: set[int]) -> float:
        """The least time in which these messages, all due at once, fit these windows: the
        last of the overall window's, each group's and each chat's."""

        def span(count: int, shape: tuple[int, float]) -> float:
            capacity, period = shape
            return max(0, math.ceil(count / capacity) - 1) * period

        total = sum(per_chat_counts.values())
        slowest = max(
            (
                max(span(n, self.per_chat), span(n, self.per_group) if c in groups else 0.0)
                for c, n in per_chat_counts.items()
            ),
            default=0.0,
        )
        return max(span(total, self.overall), slowest)
