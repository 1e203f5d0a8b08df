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

        def in_thread() -> tuple[Any, int, int | None, list[Any]]:
            cursor = connection._conn.cursor()
            try:
                if many:
                    cursor.executemany(operation, parameters)
                elif parameters is None:
                    cursor.execute(operation)
                else:
                    cursor.execute(operation, parameters)
                rows = cursor.fetchall() if cursor.description else []
                return cursor.description, cursor.rowcount, cursor.lastrowid, rows
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            found = await connection._execute(in_thread)
        self._description, self._rowcount, self._lastrowid, rows = found
        self._rows = collections.deque(rows)


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    """SQLAlchemy's aiosqlite connection, with OneTripCursor for its (non-streaming) cursors."""

    __slots__ = ()
    _cursor_cls = OneTripCursor


def one_trip_per_statement(dbapi_connection: Any) -> None:
    """Make a freshly connected aiosqlite connection (SQLAlchemy's adapter) use OneTripCursor."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection
