"""SQLite statements in one call to aiosqlite's thread each.

aiosqlite runs every sqlite3 call in a thread of its own; SQLAlchemy's adapter makes four such
calls for one SELECT (open a cursor, execute, fetch, close) and three for a write. Each call is
a trip to that thread and back (about 90 µs of CPU, and a wake-up of the event loop), and a
button press makes five statements: most of its database time was those trips. Here a
statement is one trip: the cursor is opened, executed, read and closed in the thread at once,
and its description, row count and rows come back together.

The adapter classes are SQLAlchemy's (sqlalchemy.dialects.sqlite.aiosqlite), narrowed here for
our engines only (`one_trip_per_statement`, from the engine's connect event); the versions are
pinned in requirements/main.lock, and every test runs through this path.

A transaction's BEGIN goes with its first statement, in the same trip (`begin_with_next`), and
a COMMIT or ROLLBACK with no transaction open makes none (the pool rolls back every connection
it gets back, after the commit as well): a unit of work with one statement costs two trips
instead of four.
"""

from __future__ import annotations

import collections
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor whose every statement is one call to the connection's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        """Nothing stays open in the thread: the rows are here already."""

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._run(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            return await_(self._run(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _run(self, operation: str, parameters: Any, *, many: bool) -> None:
        """One statement (with many: once per parameter set) in one call to the thread."""
        connection = self._connection  # aiosqlite's Connection; ._conn is sqlite3's
        begin = _take_begin(connection)

        def in_thread() -> tuple[Any, int, int | None, list[Any], bool]:
            if begin is not None:
                connection._conn.execute(begin)
            cursor = connection._conn.cursor()
            try:
                if many:
                    cursor.executemany(operation, parameters)
                elif parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                rows = cursor.fetchall() if cursor.description else []
                return (
                    cursor.description,
                    cursor.rowcount,
                    cursor.lastrowid,
                    rows,
                    connection._conn.in_transaction,
                )
            finally:
                cursor.close()

        # Until the thread tells (a statement that fails tells nothing), a transaction may be
        # open, and a rollback must go to the thread.
        connection.netwerkpols_open = True
        async with self._adapt_connection._execute_mutex:
            found = await connection._execute(in_thread)
        self._description, self._rowcount, self._lastrowid, rows, open_ = found
        connection.netwerkpols_open = open_
        self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, with OneTripCursor for its (non-streaming) cursors,
    a BEGIN that waits for the first statement, and no trip for a COMMIT or ROLLBACK that has
    nothing to end. What it remembers lives on aiosqlite's Connection (this class has no room
    of its own: it is put on SQLAlchemy's object after the fact)."""

    __slots__ = ()
    _cursor_cls = OneTripCursor

    def begin_with_next(self, statement: str) -> None:
        """Start a transaction with statement (BEGIN, BEGIN IMMEDIATE) in the trip of the next
        statement; if none comes before the commit or rollback, it never starts."""
        self._connection.netwerkpols_begin = statement

    def commit(self) -> None:
        if self._nothing_to_end():
            return
        super().commit()
        self._connection.netwerkpols_open = False

    def rollback(self) -> None:
        if self._nothing_to_end():
            return
        super().rollback()
        self._connection.netwerkpols_open = False

    def _nothing_to_end(self) -> bool:
        """Whether no transaction is open: its BEGIN still waits (it is dropped), or the last
        statement left none (sqlite3 told, in the thread)."""
        waiting = _take_begin(self._connection) is not None
        return waiting or not getattr(self._connection, "netwerkpols_open", True)


def _take_begin(connection: Any) -> str | None:
    """The BEGIN waiting for the next statement on aiosqlite's connection, taken off it."""
    begin: str | None = getattr(connection, "netwerkpols_begin", None)
    if begin is not None:
        connection.netwerkpols_begin = None
    return begin


def begin(dbapi_connection: Any, statement: str) -> bool:
    """Start a transaction on a connection of ours with its next statement; False for any
    other connection (the caller then begins it itself)."""
    if not isinstance(dbapi_connection, OneTripConnection):
        return False
    dbapi_connection.begin_with_next(statement)
    return True


def one_trip_per_statement(dbapi_connection: Any) -> None:
    """Make a freshly connected aiosqlite connection (SQLAlchemy's adapter) use OneTripCursor."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection
