"""Engine, sessions and the unit of work; SQLite gets WAL, foreign keys and BEGIN IMMEDIATE."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session, attributes

from storage import sqlite_calls
from storage.models import Member, Person, Trekker

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000
AfterCommit = Callable[[], Awaitable[object]]


class _Unit:
    """The open unit of work of the current task: what to do once it has committed."""

    def __init__(self) -> None:
        self.open = True
        self.after_commit: list[AfterCommit] = []


_unit: ContextVar[_Unit | None] = ContextVar("netwerkpols_unit_of_work", default=None)


def in_transaction() -> bool:
    """Whether the current task is inside an open unit of work (a task started from inside one
    inherits it, but sees it closed once it committed)."""
    unit = _unit.get()
    return unit is not None and unit.open


def after_commit(action: AfterCommit) -> None:
    """Run action once the current unit of work has committed; never if it rolls back."""
    unit = _unit.get()
    if unit is None or not unit.open:
        raise RuntimeError("after_commit outside a unit of work")
    unit.after_commit.append(action)


class SendInsideTransaction(RuntimeError):
    """A call to Telegram while a database transaction is open: the reply would describe a
    state that may never be saved, and SQLite's write lock would be held across the call."""


def is_sqlite(url: str) -> bool:
    """Whether a database URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: AsyncEngine, *, read_only: bool = False) -> None:
    """WAL for concurrent readers, foreign keys on, and every transaction taking the write lock
    up front: a deferred transaction that later writes can lose its update or fail 'locked'.
    A read-only engine's transactions take no lock at all (WAL readers see the last commit)
    and its connections refuse to write."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        sqlite_calls.one_trip_per_statement(dbapi_connection)
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows (a submitted draft, an earlier version of a round's counts) are zeroed
        # in the file instead of lingering in free space where a file reader could find them.
        cursor.execute("PRAGMA secure_delete=ON")
        if read_only:
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        statement = "BEGIN" if read_only else "BEGIN IMMEDIATE"
        if not sqlite_calls.begin(connection.connection.dbapi_connection, statement):
            connection.exec_driver_sql(statement)


def without_nul(value: Any) -> Any:
    """value with every U+0000 removed from its strings (also inside tuples, lists, dicts)."""
    if isinstance(value, str):
        return value.replace("\x00", "") if "\x00" in value else value
    if isinstance(value, tuple | list):
        return type(value)(without_nul(v) for v in value)
    if isinstance(value, dict):
        return {k: without_nul(v) for k, v in value.items()}
    return value


def _strip_nul(engine: AsyncEngine) -> None:
    """PostgreSQL cannot store U+0000 in text and refuses the whole statement; SQLite stores
    it. Either way it is never meant: drop it from every parameter, on both databases alike."""

    @event.listens_for(engine.sync_engine, "before_cursor_execute", retval=True)
    def _scrub(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> tuple[str, Any]:
        return statement, without_nul(parameters)


IDLE_PING_SECONDS = 30.0


def _check_on_checkout(engine: AsyncEngine) -> None:
    """A pooled PostgreSQL connection is checked as it is taken from the pool, the cheap way
    first: one the server ended (a restart, an administrator) is closed in asyncpg already,
    because the event loop saw the socket close, and is replaced without a word. Only one
    that lay idle for IDLE_PING_SECONDS is pinged (a connection a firewall dropped silently
    looks open). SQLAlchemy's pool_pre_ping pings every time: BEGIN, a statement and ROLLBACK,
    three round trips and 0.45 ms of CPU before every unit of work, a button press included."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        driver = proxy.driver_connection
        if driver is not None and driver.is_closed():
            raise DisconnectionError("the server closed this connection")
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("this connection no longer answers") from error


def create_engine(url: str, *, read_only: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for url, with the SQLite settings applied where it is SQLite (read_only:
    for units of work that only read, see Database.unit_of_work)."""
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine, read_only=read_only)
    else:
        engine = create_async_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            _check_on_checkout(engine)
    _strip_nul(engine)
    return engine


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
            # Wait briefly for readers, not the usual 30 s: a busy moment is no reason to
            # hold anyone up, the next submit or SQLite's own checkpoint folds the log then.
            await raw.execute("PRAGMA busy_timeout=200")
            try:
                await raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                await raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except Exception:
        log.info("The write-ahead log could not be emptied this time", exc_info=True)


NO_TURN: contextlib.AbstractAsyncContextManager[None] = contextlib.nullcontext()

_ROLES_CHANGED = "netwerkpols_roles_changed"
# (person id, network id or 0 when the change is not about one network, whether it made or
# unmade a coordinator there)
RoleChange = tuple[int, int, bool]
RolesChanged = Callable[[frozenset[RoleChange]], Awaitable[None]]


@event.listens_for(Session, "after_flush")
def _note_role_changes(session: Session, _context: Any) -> None:
    """Note whose roles a flush changed (a coordinator appointed or removed, a trekker taken
    on or replaced, someone joining or leaving, a language chosen), for the Database to
    announce once the transaction has committed: the "/" menus follow the roles (and a private
    chat opened for the first time gets its own menu)."""
    changed: set[RoleChange] = session.info.setdefault(_ROLES_CHANGED, set())
    for row in (*session.new, *session.deleted):
        if isinstance(row, Member):
            changed.add((row.person_id, row.network_id, bool(row.is_coordinator)))
        elif isinstance(row, Trekker):
            changed.add((row.person_id, 0, False))
        elif isinstance(row, Person) and row in session.deleted:
            changed.add((row.id, 0, False))
    for row in session.dirty:
        if isinstance(row, Member) and _changed(row, "is_coordinator", "joined_at", "left_at"):
            changed.add((row.person_id, row.network_id, _changed(row, "is_coordinator")))
        elif isinstance(row, Person) and _changed(row, "language", "started"):
            changed.add((row.id, 0, False))


def _changed(row: Any, *names: str) -> bool:
    return any(attributes.get_history(row, name).has_changes() for name in names)


class Database:
    """The bot's database: one engine, and a unit of work per update or job. After a unit of
    work that changed people's roles has committed, on_roles_changed (when set) hears whose."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_kwargs)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.readers = self.sessions
        database = make_url(url).database
        if self.is_sqlite and database and database != ":memory:":
            # A second engine on the same file for reading: its transactions take no lock.
            self.reader_engine: AsyncEngine | None = create_engine(
                url, read_only=True, **engine_kwargs
            )
            self.readers = async_sessionmaker(self.reader_engine, expire_on_commit=False)
        else:
            self.reader_engine = None
        # SQLite has one writer at a time. Writers of this process take turns here, in the
        # order they came, instead of in SQLite's busy handler, which sleeps in growing steps
        # (up to 100 ms) and lets a newcomer overtake one that has waited long.
        self._writers = asyncio.Lock() if self.is_sqlite else None
        self._forgetting = self._forget_again = False  # forget_history running, and asked again
        self.on_roles_changed: RolesChanged | None = None

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def unit_of_work(self, *, read_only: bool = False) -> AsyncIterator[AsyncSession]:
        """One transaction: committed once when the block ends, rolled back if it raises.
        What the block registered with after_commit (the replies) runs after the commit.

        read_only: a unit that only reads (a summary, an export). On SQLite it holds no lock,
        so a long one keeps no partner's button press waiting, and it cannot write."""
        outer = _unit.get()
        unit = _Unit()
        token = _unit.set(unit)
        sessions = self.readers if read_only else self.sessions
        # A unit opened inside another (or in a task started inside one) does not queue behind
        # the turn its outer unit holds: it meets SQLite's own lock, as it always did.
        nested = outer is not None and outer.open
        turn = self._writers if self._writers is not None and not (read_only or nested) else NO_TURN
        try:
            async with turn, sessions() as session, session.begin():
                yield session
        finally:
            unit.open = False
            _unit.reset(token)
        for action in unit.after_commit:
            await action()
        changed = session.sync_session.info.pop(_ROLES_CHANGED, None)
        if changed and self.on_roles_changed is not None:
            await self.on_roles_changed(frozenset(changed))

    async def forget_history(self) -> None:
        """See forget_history(); at most one at a time. Asked while one runs (which may have
        begun before the caller's commit), it runs once more after that one: a crowd that
        submits at once gets one checkpoint after another, not one each fighting for the file's
        locks, and the log is still emptied after the last of them."""
        if self._forgetting:
            self._forget_again = True
            return
        self._forgetting = True
        try:
            while True:
                self._forget_again = False
                await forget_history(self.engine)
                if not self._forget_again:
                    return
        finally:
            self._forgetting = False

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()
        if self.reader_engine is not None:
            await self.reader_engine.dispose()
