"""Engine, sessions and the unit of work; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)


def is_sqlite(url: str) -> bool:
    """Whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL for concurrent readers, foreign keys on, and every transaction taking the write lock
    up front: a deferred transaction that later writes can lose its update or fail 'locked'."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows (a submitted draft, an earlier version of a round's counts) are zeroed
        # in the file instead of lingering in free space where a file reader could find them.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for url, with the SQLite settings applied where it is SQLite."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


async def forget_history(engine: AsyncEngine) -> None:
    """Leave no earlier versions of changed rows in SQLite's write-ahead log: fold it into the
    database file and empty it. Called after a submit and after a round publishes, so that the
    log does not keep the counts from before and after one person's answers side by side, nor
    what a round deleted. (PostgreSQL keeps old row versions until autovacuum; the README's
    threat model says what that means.)"""
    if engine.dialect.name != "sqlite":
        return
    try:
        async with engine.connect() as connection:
            raw = (await connection.get_raw_connection()).driver_connection
            assert raw is not None
            await raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # a busy reader: the next submit or SQLite's own checkpoint folds it
        log.warning("Could not empty the write-ahead log this time", exc_info=True)


class Database:
    """The bot's database: one engine, and a unit of work per update or job."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """One transaction: committed once when the block ends, rolled back if it raises."""
        async with self.sessions() as session, session.begin():
            yield session

    async def forget_history(self) -> None:
        """See forget_history()."""
        await forget_history(self.engine)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
