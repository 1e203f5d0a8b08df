"""Starting bot.py as its own process: every start-up problem is one line that says what to do,
exit status 2, no traceback and never the token or a database password; --help exits 0; and
with a good token and database the bot starts and stops cleanly."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

import pytest

from fakebot.server import FakeBotApi
from tests.conftest import POSTGRES_URL

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAE-a-token-that-must-never-be-printed_x"
PG = POSTGRES_URL.rsplit("/", 1)[0]  # postgresql+asyncpg://user@host:port


async def run_bot(tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    """bot.py in tmp_path (no .env there), with env; its exit status and all its output."""
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9",
        "STARTUP_WAIT_SECONDS": "0",
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        *args,
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode()


def one_clear_line(output: str, *expected: str) -> None:
    assert "Traceback" not in output, output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output, output
    assert "secretpw" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("netwerkpols: "), output
    for part in expected:
        assert part in lines[0], output


async def test_help_exits_zero(tmp_path: Path) -> None:
    status, output = await run_bot(tmp_path, "--help")
    assert status == 0 and "usage: python bot.py" in output


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://user@127.0.0.1/db", "names no database driver"),
        ("mysql+aiomysql://user@127.0.0.1/db", "names no database driver"),
        ("not a url at all", "names no database driver"),
        (f"{PG.rsplit(':', 1)[0]}:1/test", "Cannot reach the database server at 127.0.0.1:1"),
        (f"{PG}/no_such_database_here", "'no_such_database_here' does not exist"),
        (
            f"postgresql+asyncpg://nobody_here:secretpw@{PG.split('@', 1)[1]}/test",
            "does not let user 'nobody_here' in",
        ),
    ],
)
async def test_a_wrong_database_url_is_one_line(tmp_path: Path, url: str, expected: str) -> None:
    status, output = await run_bot(tmp_path, DATABASE_URL=url)
    assert status == 2
    one_clear_line(output, expected)


async def test_a_sqlite_path_that_cannot_be_made_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    url = f"sqlite+aiosqlite:///{tmp_path / 'a-file' / 'bot.sqlite3'}"
    status, output = await run_bot(tmp_path, DATABASE_URL=url)
    assert status == 2
    one_clear_line(output, "Cannot create the SQLite database", "another path")


async def test_a_malformed_token_is_one_line(tmp_path: Path) -> None:
    status, output = await run_bot(tmp_path, TELEGRAM_BOT_TOKEN="hello-world")
    assert status == 2
    one_clear_line(output, "does not look like a bot token")


async def test_unreachable_telegram_is_retried_with_a_line_each_time(tmp_path: Path) -> None:
    status, output = await run_bot(tmp_path, STARTUP_WAIT_SECONDS="3")
    assert status == 2 and "Traceback" not in output and TOKEN not in output
    lines = output.strip().splitlines()
    assert len(lines) >= 2 and all(line.startswith("netwerkpols: ") for line in lines)
    assert "trying again" in lines[0] and "check the internet connection" in lines[-1]


async def test_a_token_telegram_refuses_is_one_line(tmp_path: Path, fake_api: FakeBotApi) -> None:
    status, output = await run_bot(tmp_path, TELEGRAM_API_BASE_URL=fake_api.base_url)
    assert status == 2
    one_clear_line(output, "Telegram does not accept the TELEGRAM_BOT_TOKEN", "@BotFather")


async def test_a_good_start_runs_until_interrupted(tmp_path: Path, fake_api: FakeBotApi) -> None:
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "TELEGRAM_BOT_TOKEN": fake_api.token,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "TELEGRAM_API_BASE_URL": fake_api.base_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    for _ in range(300):
        if any(method == "getUpdates" for _, method, _ in fake_api.world.calls):
            break
        await asyncio.sleep(0.1)
    assert any(method == "setMyCommands" for _, method, _ in fake_api.world.calls)
    process.send_signal(signal.SIGINT)
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, out.decode()
    assert fake_api.token not in out.decode()
    assert "event loop: uvloop" in out.decode()
    assert (tmp_path / "bot.sqlite3").stat().st_size > 0  # migrated


async def test_a_webhook_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status, output = await run_bot(
            tmp_path,
            WEBHOOK_URL="https://bot.example.org/hook",
            WEBHOOK_LISTEN="127.0.0.1",
            WEBHOOK_PORT=str(port),
        )
    assert status == 2
    one_clear_line(output, f"Cannot listen on 127.0.0.1:{port}", "WEBHOOK_PORT")
