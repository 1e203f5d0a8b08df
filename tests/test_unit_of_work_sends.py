"""Say after you saved: no call reaches Telegram while a transaction is open, what a handler
says inside a unit of work goes out after the commit (never after a rollback), and every kind
of queued message has exactly one renderer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from schedules.kinds import Queued
from schedules.pacing import TelegramPacer
from schedules.registry import RENDERERS, one_registry
from storage.db import Database, SendInsideTransaction, after_commit, in_transaction

ROOT = Path(__file__).resolve().parent.parent


async def test_a_telegram_call_inside_a_transaction_is_refused(database: Database) -> None:
    limiter = TelegramPacer(chat_interval=0)
    calls: list[str] = []

    async def send(**_: object) -> bool:
        calls.append("sent")
        return True

    async with database.unit_of_work():
        with pytest.raises(SendInsideTransaction):
            await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None)
        with pytest.raises(SendInsideTransaction):
            await limiter.process_request(send, (), {}, "getChatMember", {"chat_id": 1}, None)
    assert not in_transaction()
    await limiter.process_request(send, (), {}, "getChatMember", {"chat_id": 1}, None)
    assert calls == ["sent"]


async def test_what_is_said_inside_goes_out_after_the_commit_only(database: Database) -> None:
    said: list[str] = []

    async def say(text: str) -> None:
        assert not in_transaction(), "said while the transaction was still open"
        said.append(text)

    async with database.unit_of_work():
        after_commit(lambda: say("saved"))
        assert said == []
    assert said == ["saved"]
    with pytest.raises(ZeroDivisionError):
        async with database.unit_of_work():
            after_commit(lambda: say("never"))
            _ = 1 / 0
    assert said == ["saved"]
    with pytest.raises(RuntimeError):
        after_commit(lambda: say("outside"))


def _loop_values(tree: ast.AST, name: str) -> list[ast.expr]:
    """What a loop `for name, ... in ((value, ...), ...)` gives name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.target, ast.Tuple):
            names = [getattr(target, "id", None) for target in node.target.elts]
            if name in names and isinstance(node.iter, ast.Tuple | ast.List):
                index = names.index(name)
                return [row.elts[index] for row in node.iter.elts]  # type: ignore[attr-defined]
    return []


def _queued_in_code() -> set[str]:
    """The kinds the code puts in the queue, read from every enqueue call's kind= argument."""
    kinds = set()
    for path in [
        *ROOT.glob("handlers/*.py"),
        *ROOT.glob("dialogues/*.py"),
        *ROOT.glob("schedules/*.py"),
    ]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "enqueue"):
                continue
            for keyword in (k for k in node.keywords if k.arg == "kind"):
                values = [keyword.value]
                if isinstance(keyword.value, ast.Name):
                    values = _loop_values(tree, keyword.value.id)
                for value in values:
                    # A member of the enum, never a bare string: a typo would queue rows
                    # that nobody renders.
                    assert isinstance(value, ast.Attribute), (
                        f"{path.relative_to(ROOT)}:{node.lineno}: a kind that is not Queued.X"
                    )
                    assert getattr(value.value, "id", "") == "Queued"
                    kinds.add(Queued[value.attr])
    return kinds


def test_every_queued_kind_has_exactly_one_renderer_and_is_queued_somewhere() -> None:
    assert set(RENDERERS) == set(Queued), set(RENDERERS) ^ set(Queued)
    assert _queued_in_code() == set(Queued), _queued_in_code() ^ set(Queued)


def test_the_registry_refuses_a_kind_claimed_twice_or_not_at_all() -> None:
    digest = RENDERERS[Queued.DIGEST]
    with pytest.raises(ValueError, match="two renderers"):
        one_registry(RENDERERS, {Queued.DIGEST: digest})
    with pytest.raises(ValueError, match="no renderer"):
        one_registry({Queued.DIGEST: digest})


def test_a_production_start_does_not_load_the_sandbox_or_the_fake_telegram(
    tmp_path: Path,
) -> None:
    """Started as the bot (here without a token, so it stops at once, off any network)."""
    code = (
        "import sys, bot\n"
        "try:\n"
        "    bot.main(['bot'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sandbox', 'fakebot')))"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,  # no .env here: no token
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout + done.stderr
