"""Pure logic: callback data, names, message packing, backoff, settings."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.callbacks import MAX_CALLBACK_BYTES, BadCallback, Cb, int_arg, pack, pattern, unpack
from domain.clock import ManualClock
from domain.text import (
    MESSAGE_LIMIT,
    NameProblem,
    clean_name,
    esc,
    name_key,
    pack_blocks,
    shorten,
    telegram_length,
)
from schedules.dispatcher import MAX_BACKOFF, backoff
from settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


@given(
    st.sampled_from(list(Cb)),
    st.lists(st.from_regex(r"[A-Za-z0-9_-]{1,8}", fullmatch=True), max_size=4),
)
def test_callback_data_round_trips(prefix: Cb, args: list[str]) -> None:
    data = pack(prefix, *args)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    assert unpack(data) == (prefix, args)


@pytest.mark.parametrize("data", [None, "", "zz:1", "jo:1;drop", "jo:" + "1" * 70, "jo:ë", "jo::"])
def test_bad_callback_data_is_refused(data: str | None) -> None:
    with pytest.raises(BadCallback):
        unpack(data)


def test_pack_refuses_what_telegram_would_and_patterns_match_only_their_prefix() -> None:
    with pytest.raises(ValueError, match="short token"):
        pack(Cb.JOIN_ORG, "a b")
    with pytest.raises(ValueError, match="64 bytes"):
        pack(Cb.JOIN_ORG, *["x" * 20] * 4)
    with pytest.raises(BadCallback):
        int_arg(["abc"], 0)
    import re

    assert re.match(pattern(Cb.LEAVE), "lv:3") and not re.match(pattern(Cb.LEAVE), "lvx:3")
    assert re.match(pattern(Cb.JOIN_CONFIRM), "jc")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Gemeente   Amersfoort ", "Gemeente Amersfoort"),
        ("Wonen & Zorg <Oost>", "Wonen & Zorg <Oost>"),
        ("Zorg\u200bgroep\x00 Noord\n", "Zorg\u200bgroep Noord"),
        ("🏠 De Woonplaats", "🏠 De Woonplaats"),
    ],
)
def test_clean_name_normalises(raw: str, expected: str) -> None:
    assert clean_name(raw).replace("\u200b", "") == expected.replace("\u200b", "")


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "empty"),
        (None, "empty"),
        ("\n\t ", "empty"),
        ("x" * 101, "too_long"),
        ("!!! 🏠", "no_letters"),
    ],
)
def test_clean_name_refuses(raw: str | None, problem: str) -> None:
    with pytest.raises(NameProblem, match=problem):
        clean_name(raw)


def test_escaping_and_keys() -> None:
    assert esc("Wonen & Zorg <Oost>") == "Wonen &amp; Zorg &lt;Oost&gt;"
    assert name_key(" Gemeente  X ") == name_key("gemeente x")
    assert shorten("abcdef", 4) == "abc…"
    assert telegram_length("🙂a") == 3


@given(st.lists(st.text(min_size=1, max_size=500), min_size=1, max_size=40))
def test_pack_blocks_keeps_every_block_whole_and_under_the_limit(blocks: list[str]) -> None:
    messages = pack_blocks(blocks, limit=1000)
    assert all(telegram_length(m) <= 1000 for m in messages)
    assert "\n".join(messages) == "\n".join(blocks)


def test_pack_blocks_refuses_a_block_over_the_limit() -> None:
    with pytest.raises(ValueError):
        pack_blocks(["x" * (MESSAGE_LIMIT + 1)])


def test_backoff_doubles_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [10, 20, 40]
    assert backoff(30) == MAX_BACKOFF


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC))
    clock.advance(dt.timedelta(hours=2))
    assert clock.now() == dt.datetime(2026, 3, 29, 2, 30, tzinfo=dt.UTC)
    with pytest.raises(ValueError):
        ManualClock(dt.datetime(2026, 1, 1))


@pytest.mark.parametrize("token", ["", "abc", "123:short", "12:" + "x" * 40, " 123456:" + "A" * 35])
def test_missing_or_malformed_token_is_a_settings_error(token: str) -> None:
    with pytest.raises(SettingsError, match=r"BotFather|TELEGRAM_BOT_TOKEN"):
        Settings(telegram_bot_token=token, _env_file=None).require_token()  # type: ignore[arg-type,call-arg]


def test_a_good_token_and_bad_settings() -> None:
    Settings(telegram_bot_token="123456:" + "A" * 35, _env_file=None).require_token()  # type: ignore[arg-type,call-arg]
    with pytest.raises(SettingsError, match="DEFAULT_TIMEZONE"):
        load_settings(default_timezone="Mars/Olympus", _env_file=None)
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET_TOKEN"):
        load_settings(webhook_secret_token="no spaces please", _env_file=None)
    assert load_settings(_env_file=None).database_url.startswith("sqlite+aiosqlite:///")


def test_running_without_a_token_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "BotFather" in lines[0] and "Traceback" not in result.stderr
