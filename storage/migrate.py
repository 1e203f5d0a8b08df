"""Bring a database to the newest schema with Alembic, from inside the running bot or a test."""

from __future__ import annotations

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


async def upgrade(database: Database, revision: str = "head") -> None:
    """Upgrade the schema to revision (default: the newest) in one transaction."""
    async with database.engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


async def downgrade(database: Database, revision: str) -> None:
    """Downgrade the schema to revision, for migration tests."""
    async with database.engine.begin() as connection:
        await connection.run_sync(_downgrade, revision)
