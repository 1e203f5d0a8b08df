"""Alembic makes the schema: it upgrades from nothing, downgrades cleanly, matches the models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import Database
from storage.migrate import downgrade, upgrade
from storage.models import Base
from tests.conftest import BACKENDS, POSTGRES_URL

SCHEMA = "migration_check"


@pytest.fixture(params=BACKENDS)
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all (PostgreSQL: a schema of its own)."""
    if request.param == "sqlite":
        database = Database(f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
    else:
        setup = Database(POSTGRES_URL)
        async with setup.engine.begin() as connection:
            await connection.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            await connection.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        await setup.dispose()
        database = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": SCHEMA}})
    yield database
    await database.dispose()


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_downgrade_upgrade(empty_database: Database) -> None:
    await upgrade(empty_database)
    assert {t.name for t in Base.metadata.sorted_tables} <= await _tables(empty_database)
    await downgrade(empty_database, "base")
    assert await _tables(empty_database) <= {"alembic_version"}
    await upgrade(empty_database)
    await upgrade(empty_database)  # a second start changes nothing
    assert {t.name for t in Base.metadata.sorted_tables} <= await _tables(empty_database)


async def test_migrations_match_the_models(empty_database: Database) -> None:
    await upgrade(empty_database)

    def differences(sync_connection):  # type: ignore[no-untyped-def]
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with empty_database.engine.connect() as connection:
        diff = await connection.run_sync(differences)
    assert diff == [], "the models changed without a migration: alembic revision --autogenerate"
