"""The fake's model of Telegram's sending limits (leaky buckets, 429 with retry_after)."""

from __future__ import annotations

import pytest

from fakebot.limits import StrictLimits, TelegramLimits, minimum_seconds
from fakebot.spec import ApiError


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def refused(limits: TelegramLimits, chat_id: int) -> int | None:
    """The retry_after of a refusal, or None when the message was admitted."""
    try:
        limits.admit(chat_id, is_group=chat_id < 0)
    except ApiError as error:
        assert error.status == 429
        return int(error.parameters["retry_after"])
    return None


def test_thirty_at_once_then_thirty_a_second_overall() -> None:
    ticks = Ticks()
    limits = TelegramLimits(clock=ticks, tolerance=0)
    assert [refused(limits, 1000 + n) for n in range(30)] == [None] * 30
    assert refused(limits, 2000) == 1
    ticks.now += 1 / 30 + 1e-9
    assert refused(limits, 2001) is None
    assert refused(limits, 2002) == 1
    assert (limits.accepted, limits.refused) == (31, 2)


def test_one_a_second_in_one_chat_with_a_few_milliseconds_forgiven() -> None:
    ticks = Ticks()
    limits = TelegramLimits(clock=ticks)
    assert refused(limits, 42) is None
    ticks.now += 0.5
    assert refused(limits, 42) == 1
    ticks.now += 0.48  # 20 ms early: loopback jitter, forgiven
    assert refused(limits, 42) is None
    assert refused(limits, 43) is None  # another chat is not held up


def test_twenty_a_minute_in_one_group() -> None:
    ticks = Ticks()
    limits = TelegramLimits(clock=ticks, per_chat=(100, 1.0))  # only the group's limit here
    assert [refused(limits, -7) for _ in range(20)] == [None] * 20
    assert refused(limits, -7) == 3  # one drains out every three seconds
    ticks.now += 2.9
    assert refused(limits, -7) == 1
    ticks.now += 0.1
    assert refused(limits, -7) is None
    assert refused(limits, -8) is None  # another group is not held up


def test_a_failed_admission_takes_nothing_from_the_other_buckets() -> None:
    ticks = Ticks()
    limits = TelegramLimits(clock=ticks)
    assert refused(limits, 5) is None
    for _ in range(100):
        assert refused(limits, 5) == 1
    assert [refused(limits, 6000 + n) for n in range(29)] == [None] * 29


@pytest.mark.parametrize(
    ("counts", "groups", "seconds"),
    [
        ({1: 1}, set(), 0.0),
        ({n: 1 for n in range(60)}, set(), 1.0),
        ({1: 5}, set(), 4.0),
        ({-1: 25}, {-1}, 24.0),  # one a second in a chat binds first
        ({-1: 70}, {-1}, 150.0),  # then twenty a minute
        (
            {**{-n: 10 for n in range(1, 101)}, **{n: 2 for n in range(1, 501)}},
            set(range(-100, 0)),
            1970 / 30,
        ),
    ],
)
def test_minimum_time_the_limits_allow(
    counts: dict[int, int], groups: set[int], seconds: float
) -> None:
    assert minimum_seconds(counts, groups, TelegramLimits()) == pytest.approx(seconds)


def strict_refused(limits: StrictLimits, chat_id: int) -> int | None:
    """The retry_after of a refusal by the strict model, or None when admitted."""
    try:
        limits.admit(chat_id, is_group=chat_id < 0)
    except ApiError as error:
        assert error.status == 429
        return int(error.parameters["retry_after"])
    return None


def test_the_strict_model_counts_any_one_second_so_no_burst_of_a_bucket_fits() -> None:
    ticks = Ticks()
    limits = StrictLimits(clock=ticks)
    for n in range(30):
        assert strict_refused(limits, 1000 + n) is None
        ticks.now += 0.02  # 30 in 0.6 s
    assert strict_refused(limits, 2000) == 1
    ticks.now = 100.0 + 1 / 30  # a leaky bucket of 30 would take one more now
    assert strict_refused(limits, 2001) == 1
    ticks.now = 101.0 + 1e-9  # the first has left the window
    assert strict_refused(limits, 2002) is None
    assert limits.reasons == {"overall": 2}


def test_a_refused_chat_stays_closed_until_its_retry_after_and_early_tries_are_counted() -> None:
    ticks = Ticks()
    limits = StrictLimits(clock=ticks)
    assert strict_refused(limits, 42) is None
    ticks.now += 0.5
    assert strict_refused(limits, 42) == 1  # one a second in one chat
    ticks.now += 0.7  # the chat's window has room again, but retry_after has not passed
    assert strict_refused(limits, 42) == 1
    assert limits.early_retries == 1
    ticks.now += 0.31
    assert strict_refused(limits, 42) is None
    assert strict_refused(limits, 43) is None


def test_twenty_in_any_minute_in_one_group_by_the_strict_model() -> None:
    ticks = Ticks()
    limits = StrictLimits(clock=ticks)
    for _ in range(20):
        assert strict_refused(limits, -5) is None
        ticks.now += 1.01
    assert strict_refused(limits, -5) == 40
    assert limits.reasons == {"group": 1}


def test_the_least_time_of_the_strict_windows() -> None:
    limits = StrictLimits()
    assert limits.least_seconds({1: 1}, set()) == 0
    assert limits.least_seconds({n: 1 for n in range(61)}, set()) == 2.0
    assert limits.least_seconds({1: 3}, set()) == 2.0  # one a second in one chat
    assert limits.least_seconds({-1: 21}, {-1}) == 60.0
