"""Counting the statements and transactions a piece of work sends to the database.

Every statement peewee and Flask-AppBuilder's SQLAlchemy session send goes through
the driver's cursor, so the count is taken there: :func:`install` makes the
drivers' ``connect`` (psycopg2 and sqlite3) hand out connections whose cursors
report to the open :func:`count_statements` blocks.  Install it before the app
opens its first connection (a pooled connection made earlier is not counted).
Outside a block the cost is one list check per statement.

``count_statements()`` yields a :class:`StatementLog`:

* ``statements`` — the SQL sent, transaction control (``BEGIN``, ``COMMIT``,
  ``ROLLBACK``, savepoints) left out;
* ``transactions`` — transactions opened: an explicit ``BEGIN``, the one the driver
  opens by itself before a statement of a non-autocommit connection (SQLAlchemy's
  way), and a write sent outside any transaction (its own one-statement
  transaction).  Reads outside a transaction are not transactions here.

Used by the statement budget tests (``plugins/*/tests/test_statement_budget.py``).
"""
from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|END)\b", re.I)
_BEGIN = re.compile(r"^\s*BEGIN\b", re.I)
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|WITH\b.*\b(INSERT|UPDATE|DELETE)\b)", re.I | re.S)

_logs: list["StatementLog"] = []
_lock = threading.Lock()
_installed = False


@dataclass
class StatementLog:
    """What was sent while the block was open (see the module doc)."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0

    def __len__(self) -> int:
        return len(self.statements)

    def report(self) -> str:
        """The statements, one a line, for an assertion message."""
        lines = [f"{len(self.statements)} statements, {self.transactions} transactions:"]
        lines += [f"  {i + 1:>3}. {' '.join(s.split())[:160]}"
                  for i, s in enumerate(self.statements)]
        return "\n".join(lines)


def _record(sql: str, opens_transaction: bool) -> None:
    if not _logs:
        return
    begins = bool(_BEGIN.match(sql))
    control = bool(_CONTROL.match(sql))
    for log in list(_logs):
        if begins or opens_transaction:
            log.transactions += 1
        if not control:
            log.statements.append(sql)


def _text(query) -> str:
    if isinstance(query, bytes):
        return query.decode("utf-8", "replace")
    return str(query)


# ------------------------------------------------------------------ PostgreSQL
def _pg_classes():
    import psycopg2.extensions as ext

    class CountingCursor(ext.cursor):
        def _opens(self, sql: str) -> bool:
            conn = self.connection
            status = conn.get_transaction_status()
            idle = status == ext.TRANSACTION_STATUS_IDLE
            if not idle or _CONTROL.match(sql):
                return False
            if not conn.autocommit:
                return True  # the driver sends BEGIN first
            return bool(_WRITE.match(sql))

        def execute(self, query, vars=None):
            sql = _text(query)
            _record(sql, self._opens(sql))
            return super().execute(query, vars)

        def executemany(self, query, vars_list):
            sql = _text(query)
            _record(sql, self._opens(sql))
            return super().executemany(query, vars_list)

    return CountingCursor


# ------------------------------------------------------------------ SQLite
class _SqliteCursor(sqlite3.Cursor):
    def _opens(self, sql: str) -> bool:
        conn = self.connection
        if conn.in_transaction or _CONTROL.match(sql):
            return False
        return bool(_WRITE.match(sql))  # autocommit, or the driver's implicit BEGIN

    def execute(self, sql, parameters=()):
        _record(sql, self._opens(sql))
        return super().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        _record(sql, self._opens(sql))
        return super().executemany(sql, seq_of_parameters)


class _SqliteConnection(sqlite3.Connection):
    def cursor(self, factory=_SqliteCursor):
        return super().cursor(factory)

    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)


def install() -> None:
    """Make psycopg2 and sqlite3 connections made from now on countable (idempotent)."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        original_sqlite = sqlite3.connect

        def sqlite_connect(*args, **kwargs):
            kwargs.setdefault("factory", _SqliteConnection)
            return original_sqlite(*args, **kwargs)

        sqlite3.connect = sqlite3.dbapi2.connect = sqlite_connect  # peewee, SQLAlchemy
        try:
            import psycopg2
        except ImportError:  # pragma: no cover - PostgreSQL support not installed
            return
        cursor_class = _pg_classes()
        original_pg = psycopg2.connect

        def pg_connect(*args, **kwargs):
            kwargs.setdefault("cursor_factory", cursor_class)
            return original_pg(*args, **kwargs)

        psycopg2.connect = pg_connect


@contextmanager
def count_statements() -> Iterator[StatementLog]:
    """Count what every countable connection of the process sends inside the block."""
    install()
    log = StatementLog()
    _logs.append(log)
    try:
        yield log
    finally:
        _logs.remove(log)
