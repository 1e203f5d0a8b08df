"""A running sandbox (bot, fake Telegram, chat page) on free ports of 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sandbox.app import Sandbox
from sandbox.web import bound_port, serve
from settings import Settings


class Page:
    """The sandbox's HTTP API, as the page's script uses it."""

    def __init__(self, base: str, session: aiohttp.ClientSession, sandbox: Sandbox) -> None:
        self.base = base
        self.session = session
        self.sandbox = sandbox

    async def get(self, path: str, **params: str) -> tuple[int, Any]:
        async with self.session.get(self.base + path, params=params) as response:
            return response.status, await response.json()

    async def post(self, path: str, body: Any, **headers: str) -> tuple[int, Any]:
        async with self.session.post(self.base + path, json=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)

    async def state(self) -> dict[str, Any]:
        status, found = await self.get("/api/state")
        assert status == 200
        return found

    def person(self, name: str) -> int:
        return next(u.id for u in self.sandbox.users.values() if u.first_name == name)


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        sandbox_database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.sqlite3'}",
    )
    running = Sandbox(settings)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def page(sandbox: Sandbox) -> AsyncIterator[Page]:
    runner = await serve(sandbox, 0)
    async with aiohttp.ClientSession() as session:
        yield Page(f"http://127.0.0.1:{bound_port(runner)}", session, sandbox)
    await runner.cleanup()
