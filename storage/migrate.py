"""Bring a database to the newest schema with Alembic, from inside the running bot or a test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from settings import ROOT
from storage.db import Database

# Any fixed number: it names the lock two bot processes take while one of them migrates.
_MIGRATION_LOCK_ID = 7_245_118


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of this project, optionally pointed at url."""
    config = Config(str(ROOT / "alembic.ini"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def _migrate(
    database: Database, step: Callable[[Connection, str], None], revision: str
) -> None:
    """Run a migration step in one transaction. On SQLite, foreign keys are off meanwhile:
    batch mode rebuilds a table by copy, drop and rename, and dropping a parent table with
    foreign keys on would first delete every child row (ON DELETE CASCADE)."""
    async with database.engine.connect() as connection:
        raw: Any = None
        if database.is_sqlite:
            raw = (await connection.get_raw_connection()).driver_connection
            await raw.execute("PRAGMA foreign_keys=OFF")  # outside a transaction, or ignored
        try:
            async with connection.begin():
                await connection.run_sync(step, revision)
                if raw is not None:
                    problems = await connection.exec_driver_sql("PRAGMA foreign_key_check")
                    if problems.first() is not None:
                        raise RuntimeError("a migration left rows pointing at nothing")
        finally:
            if raw is not None:
                await raw.execute("PRAGMA foreign_keys=ON")


async def upgrade(database: Database, revision: str = "head") -> None:
    """Upgrade the schema to revision (default: the newest) in one transaction."""
    await _migrate(database, _upgrade, revision)


async def downgrade(database: Database, revision: str) -> None:
    """Downgrade the schema to revision, for migration tests."""
    await _migrate(database, _downgrade, revision)
