"""Starting the sandbox from the command line, and the real bot's strictness beside it."""

from __future__ import annotations

import datetime as dt
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot import build_application
from domain.clock import Clock, ShiftedClock
from handlers.base import services_of
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **extra}


def test_the_run_command_without_a_token_starts_the_sandbox_and_says_where(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = environment(
        tmp_path,
        SANDBOX_PORT=str(port),
        SANDBOX_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.sqlite3'}",
    )
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bot.py"), "auto"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert "sandbox" in line and f"http://127.0.0.1:{port}" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert page.status == 200
        assert (tmp_path / "sandbox.sqlite3").exists()
    finally:
        process.send_signal(signal.SIGINT)
        _, errors = process.communicate(timeout=30)
    assert process.returncode == 0, errors
    assert "Traceback" not in errors


@pytest.mark.parametrize(
    ("args", "extra", "expected"),
    [
        (["nonsense"], {}, "usage: python bot.py"),
        (
            ["sandbox"],
            {
                "DATABASE_URL": "sqlite+aiosqlite:///same.sqlite3",
                "SANDBOX_DATABASE_URL": "sqlite+aiosqlite:///./same.sqlite3",
            },
            "SANDBOX_DATABASE_URL must differ from DATABASE_URL",
        ),
        (
            ["sandbox"],
            {"SANDBOX_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1/test"},
            "SANDBOX_DATABASE_URL must be a SQLite file",
        ),
        ([], {}, "BotFather"),
    ],
)
def test_wrong_use_is_one_clear_line_and_status_2(
    tmp_path: Path, args: list[str], extra: dict[str, str], expected: str
) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        cwd=tmp_path,
        env=environment(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_the_real_bot_runs_on_a_clock_that_cannot_be_moved() -> None:
    settings = Settings(
        telegram_bot_token="123456:" + "A" * 35,  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = services_of(build_application(settings)).clock
    assert type(clock) is Clock
    assert not hasattr(clock, "jump")


def test_the_sandbox_clock_only_moves_forward() -> None:
    clock = ShiftedClock()
    before = clock.now()
    clock.jump(dt.timedelta(days=7))
    assert (clock.now() - before).days == 7
    with pytest.raises(ValueError, match="forward"):
        clock.jump(-clock.offset)
