"""The unit of work: commits once, rolls back on error, and loses no update under concurrency."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from storage import db as db_module
from storage.db import Database
from storage.models import Outgoing

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


async def _counter(database: Database) -> int:
    async with database.unit_of_work() as session:
        row = Outgoing(kind="note", chat_id=1, due_at=NOW, payload={}, state="pending", attempts=0)
        session.add(row)
        await session.flush()
        return row.id


async def test_rollback_on_error_keeps_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as session:
            session.add(
                Outgoing(
                    kind="note", chat_id=1, due_at=NOW, payload={}, state="pending", attempts=0
                )
            )
            await session.flush()
            raise RuntimeError("handler failed halfway")
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(Outgoing))).all() == []


async def test_concurrent_read_modify_write_loses_no_update(
    database: Database, database_url: str
) -> None:
    """Two processes (engines) increment one row 40 times each, interleaved; all 80 count."""
    row_id = await _counter(database)
    other = Database(database_url)

    async def increment(db: Database) -> None:
        async with db.unit_of_work() as session:
            row = await session.scalar(
                select(Outgoing).where(Outgoing.id == row_id).with_for_update()
            )
            assert row is not None
            current = row.attempts
            await asyncio.sleep(0)  # let the other writer run in between read and write
            row.attempts = current + 1

    await asyncio.gather(*(increment(db) for _ in range(40) for db in (database, other)))
    await other.dispose()
    async with database.unit_of_work() as session:
        row = await session.get(Outgoing, row_id)
        assert row is not None and row.attempts == 80


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.sqlite3'}")
    async with database.engine.connect() as connection:
        assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
        assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    await database.dispose()


async def test_a_long_reading_unit_holds_up_no_writer_and_cannot_write(database: Database) -> None:
    """A summary reads for seconds on a big network: meanwhile a partner's press (a write)
    goes through at once, on SQLite too; the reading unit sees its own snapshot and cannot
    write (on SQLite it is refused; its rows are never flushed anyway)."""
    first = await _counter(database)
    async with database.unit_of_work(read_only=True) as session:
        seen = await session.scalar(select(func.count()).select_from(Outgoing))
        written = await asyncio.wait_for(_counter(database), timeout=5)  # not 30 s busy
        assert written == first + 1 and seen == 1
    if database.is_sqlite:
        with pytest.raises(OperationalError, match="readonly"):
            async with database.unit_of_work(read_only=True) as session:
                await session.execute(delete(Outgoing))
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Outgoing)) == 2


async def test_writers_of_one_process_take_turns_in_the_order_they_came(
    database: Database,
) -> None:
    """While one unit writes, ten more arrive one after another: each gets its turn in that
    order (on SQLite in the process, not by racing in SQLite's busy handler, where a newcomer
    can overtake one that has waited long; on PostgreSQL these units touch different rows, so
    nothing waits)."""
    entered: list[int] = []
    first_holds = asyncio.Event()

    async def write(number: int, hold: float = 0.0) -> None:
        async with database.unit_of_work() as session:
            session.add(
                Outgoing(kind="note", chat_id=number, due_at=NOW, payload={}, state="pending")
            )
            await session.flush()  # SQLite's write lock is taken here, at the first statement
            entered.append(number)
            if hold:
                first_holds.set()
                await asyncio.sleep(hold)

    first = asyncio.create_task(write(0, hold=0.3))
    await first_holds.wait()
    waiting = []
    for number in range(1, 11):
        waiting.append(asyncio.create_task(write(number)))
        await asyncio.sleep(0.02)
    await asyncio.gather(first, *waiting)
    assert entered == list(range(11))
    async with database.unit_of_work(read_only=True) as session:
        assert await session.scalar(select(func.count()).select_from(Outgoing)) == 11


async def test_a_connection_the_server_closed_while_idle_is_replaced(
    migrated: dict[str, str],
) -> None:
    """PostgreSQL restarted (here: it ends the bot's connections) while the pool was idle:
    the next unit of work gets a fresh connection instead of an error. (PostgreSQL only:
    SQLite has no server to close a connection.)"""
    database = Database(migrated["postgresql"])
    async with database.unit_of_work() as session:  # its connection goes back to the pool
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
    server = Database(database.url)
    async with server.engine.connect() as connection:
        await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    await server.dispose()
    await asyncio.sleep(0.05)
    try:
        assert await _counter(database)
    finally:
        await database.dispose()


async def test_only_a_connection_idle_for_long_is_pinged(
    migrated: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit of work right after another takes its connection from the pool without a
    ping (three round trips each); one that lay idle is pinged, and one whose ping fails (a
    firewall dropped it silently) is replaced, not an error."""
    database = Database(migrated["postgresql"])
    pings: list[bool] = []
    real_ping = database.engine.dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        pings.append(True)
        if len(pings) == 1:
            raise OSError("no answer")
        return real_ping(dbapi_connection)

    monkeypatch.setattr(database.engine.dialect, "do_ping", ping)
    try:
        for _ in range(3):
            assert await _counter(database) is not None
        assert pings == []
        monkeypatch.setattr(db_module, "IDLE_PING_SECONDS", 0.0)
        async with database.unit_of_work() as session:
            assert await session.scalar(text("SELECT 1")) == 1
        assert pings == [True]  # the one that failed; the fresh connection needs none
    finally:
        await database.dispose()


async def test_a_sqlite_statement_is_one_call_to_its_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiosqlite runs sqlite3 in a thread; a statement makes one trip there (not one each to
    open a cursor, execute, fetch and close), and what it finds, counts or refuses comes back
    as SQLAlchemy says it."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'trips.sqlite3'}")
    trips = 0
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await original(self, fn, *args, **kwargs)

    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with database.engine.begin() as connection:
        trips = 0
        inserted = await connection.execute(text("INSERT INTO t (name) VALUES ('Anna')"))
        assert (trips, inserted.rowcount, inserted.lastrowid) == (1, 1, 1)
        trips = 0
        rows = (await connection.execute(text("SELECT id, name FROM t"))).all()
        assert (trips, rows) == (1, [(1, "Anna")])
        many = await connection.execute(
            text("INSERT INTO t (name) VALUES (:name)"), [{"name": "Bram"}, {"name": "Chris"}]
        )
        assert many.rowcount == 2
        with pytest.raises(IntegrityError):
            await connection.execute(text("INSERT INTO t (id, name) VALUES (1, 'twee')"))
    async with database.engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM t")) == 3
    await database.dispose()


async def test_a_sqlite_transaction_begins_with_its_first_statement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BEGIN IMMEDIATE goes to aiosqlite's thread with the first statement, and a commit or
    rollback with nothing open makes no trip: a unit with one statement costs two trips, one
    without statements none. A transaction whose statement failed is still rolled back."""
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'begin.sqlite3'}")
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)"))
    trips: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips.append(getattr(fn, "__name__", str(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    async with database.unit_of_work() as session:
        await session.execute(text("INSERT INTO t (name) VALUES ('Anna')"))
    assert len(trips) == 2  # BEGIN IMMEDIATE with the insert, then COMMIT
    trips.clear()
    async with database.unit_of_work():
        pass
    async with database.unit_of_work(read_only=True):
        pass
    assert trips == []

    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('Bram')"))
            await session.execute(text("INSERT INTO t (id, name) VALUES (1, 'twee')"))
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as session:  # fails in its very first statement
            await session.execute(text("INSERT INTO t (id, name) VALUES (1, 'drie')"))
    async with database.unit_of_work() as session:
        await session.execute(text("INSERT INTO t (name) VALUES ('Chris')"))
    async with database.unit_of_work(read_only=True) as session:
        names = (await session.scalars(text("SELECT name FROM t ORDER BY id"))).all()
    assert names == ["Anna", "Chris"]  # Bram was rolled back with the failed statement
    # And the write lock was let go each time: another connection can write at once.
    other = sqlite3.connect(tmp_path / "begin.sqlite3", timeout=0)
    other.execute("INSERT INTO t (name) VALUES ('Dirk')")
    other.commit()
    other.close()
    await database.dispose()
