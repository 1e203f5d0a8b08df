"""Bring a database to the newest schema with Alembic, from inside the running bot or a test.

Alembic (with Mako, and every migration module it loads) is about 11 MB of a bot process that
would carry it for nothing once the schema is up to date, as it is on every start but the
first after an upgrade. So the newest revision is read from the migration files themselves,
and Alembic is imported only when the database's revision differs.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from settings import ROOT
from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

VERSIONS = ROOT / "storage" / "migrations" / "versions"

# Any fixed number: it names the lock two bot processes take while one of them migrates.
_MIGRATION_LOCK_ID = 7_245_118


def alembic_config(url: str | None = None) -> Config:
    """The Alembic configuration of this project, optionally pointed at url."""
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _downgrade(connection: Connection, revision: str) -> None:
    from alembic import command

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


def newest_revision(versions: Path = VERSIONS) -> str | None:
    """The head of the migration files' chain, read from their `revision` and
    `down_revision` without importing them; None when there is not exactly one head (Alembic
    then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
                targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
                names = {target.id for target in targets if isinstance(target, ast.Name)}
                if not names & {"revision", "down_revision"}:
                    continue
                value = ast.literal_eval(node.value)
                if "revision" in names and isinstance(value, str):
                    revisions.add(value)
                elif "down_revision" in names and value is not None:
                    parents.update([value] if isinstance(value, str) else value)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


async def current_revision(database: Database) -> str | None:
    """The database's schema revision; None when it has none (a new database)."""
    async with database.engine.connect() as connection:
        try:
            result = await connection.execute(text("SELECT version_num FROM alembic_version"))
        except DBAPIError:  # no such table yet
            return None
        versions = result.scalars().all()
    return versions[0] if len(versions) == 1 else None


async def upgrade(database: Database, revision: str = "head") -> None:
    """Upgrade the schema to revision (default: the newest) in one transaction. Nothing of
    Alembic is loaded when the database is at the newest revision already."""
    newest = newest_revision() if revision == "head" else None
    if newest is not None and await current_revision(database) == newest:
        return
    await _migrate(database, _upgrade, revision)


async def downgrade(database: Database, revision: str) -> None:
    """Downgrade the schema to revision, for migration tests."""
    await _migrate(database, _downgrade, revision)
