"""Fixtures: every database test runs on SQLite and on PostgreSQL; the bot runs against the fake.

The schema is made by Alembic (upgrade head) once per backend per run; each test then starts from
empty tables: a fresh copy of the migrated SQLite file, or TRUNCATE on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from domain.clock import ManualClock
from fakebot.server import FakeBotApi
from fakebot.world import World
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Base
from tests.harness import BotHarness
from tests.seeding import ensure_postgres_database

_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# Each pytest-xdist worker (gw0, gw1, …) has a database of its own next to the configured one
# (test_gw0, …), made on first use, so workers never truncate each other's tables.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
POSTGRES_URL = (
    make_url(_POSTGRES_URL)
    .set(database=f"{make_url(_POSTGRES_URL).database}_{_WORKER}")
    .render_as_string(hide_password=False)
    if _WORKER
    else _POSTGRES_URL
)
BACKENDS = ["sqlite", "postgresql"]
# A Tuesday morning in November, Amsterdam time: working hours, no DST change nearby.
START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


async def _reset_postgres(url: str) -> None:
    await ensure_postgres_database(url)
    database = Database(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await upgrade(database)
    await database.dispose()


async def _migrate_sqlite(url: str) -> None:
    database = Database(url)
    await upgrade(database)
    await database.dispose()


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Per backend, a database migrated to head: the SQLite template file, the PostgreSQL URL."""
    template = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate_sqlite(f"sqlite+aiosqlite:///{template}"))
    asyncio.run(_reset_postgres(POSTGRES_URL))
    return {"sqlite": str(template), "postgresql": POSTGRES_URL}


async def _truncate_postgres(url: str) -> None:
    database = Database(url)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await database.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, migrated: dict[str, str], tmp_path: Path
) -> Iterator[str]:
    """An empty, migrated database of each backend."""
    if request.param == "sqlite":
        path = tmp_path / "netwerkpols.sqlite3"
        shutil.copyfile(migrated["sqlite"], path)
        yield f"sqlite+aiosqlite:///{path}"
    else:
        asyncio.run(_truncate_postgres(migrated["postgresql"]))
        yield migrated["postgresql"]


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A Database on an empty, migrated schema."""
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, standing still until a test moves it."""
    return ManualClock(START)


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    """The fake Telegram Bot API, listening on 127.0.0.1."""
    api = FakeBotApi(World())
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def bot(
    fake_api: FakeBotApi, database_url: str, clock: ManualClock
) -> AsyncIterator[BotHarness]:
    """The real bot, running against the fake on an empty database."""
    harness = BotHarness(fake_api, database_url, clock)
    await harness.start()
    yield harness
    await harness.stop()


@pytest.fixture
def world(fake_api: FakeBotApi) -> World:
    """The fake Telegram's world of users, chats and messages."""
    return fake_api.world


_CORPUS_COUNTS: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Collect what the hostile corpus counted (sent from xdist workers with the report)."""
    if report.when == "call":
        _CORPUS_COUNTS.extend(str(v) for k, v in report.user_properties if k == "corpus counts")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the hostile corpus's counts at the end of the run."""
    if _CORPUS_COUNTS:
        terminalreporter.section("hostile corpus")
        for table in _CORPUS_COUNTS:
            terminalreporter.write_line(table)
