"""Fast bulk loading of generated rows, for the demo chain and imports.

Rows are tuples of ``int``, ``str`` (money already formatted as ``"123.40"``, times
as ``"YYYY-MM-DD HH:MM:SS"`` UTC) or ``None``, in the order of ``columns``.  Peewee's
``insert_many`` spends more time building SQL than SQLite spends storing rows, so
this goes to the driver: ``executemany`` on SQLite (and MySQL), ``COPY`` on
PostgreSQL.  Ids are assigned by the caller; on PostgreSQL :meth:`BulkWriter.finish`
moves the id sequences past them.

Loading into *empty* tables (:meth:`BulkWriter.begin_load`) goes further, the way
``pg_dump`` restores: secondary indexes (and on PostgreSQL the foreign keys, the
tables' own and those of other tables pointing at them) are dropped first and built
again by :meth:`BulkWriter.finish`, which sorts once instead of inserting ten million
keys one by one.  On PostgreSQL the tables are truncated in the transaction so
``COPY ... FREEZE`` can write frozen, all-visible rows (no hint-bit rewrite on the
first read, index-only scans at once).  Everything happens inside the caller's
transaction: a failure rolls the schema back with the rows.

:func:`ordered_map` runs a generator function over blocks in worker processes and
hands the results back in order, so rows are generated on one core while the
database stores them on another.
"""
from __future__ import annotations

import io
import multiprocessing
import os
from collections import deque
from typing import Any, Callable, Iterable, Iterator, Sequence

import peewee

from zhanggui import database


def encode_copy(rows: Iterable[Sequence]) -> bytes:
    """Rows as PostgreSQL ``COPY`` text (values must not hold tabs, newlines or
    backslashes; the demo catalog is checked for that)."""
    out = "\n".join("\t".join(["\\N" if v is None else str(v) for v in row]) for row in rows)
    return (out + "\n").encode("utf-8") if out else b""


class BulkWriter:
    def __init__(self, db: peewee.Database | None = None):
        self.db = db or database.obj
        if isinstance(self.db, peewee.SqliteDatabase):
            self.kind = "sqlite"
        elif isinstance(self.db, peewee.PostgresqlDatabase):
            self.kind = "postgresql"
        else:
            self.kind = "other"
        self._touched: set[str] = set()
        self._cache_size = None
        self._rebuild: list[str] = []      # SQL that puts dropped indexes/keys back
        self._analyze: list[str] = []
        self._freeze = False
        if self.kind == "sqlite":
            # the default 2 MB page cache thrashes on index inserts into big tables
            self._cache_size = self.db.execute_sql("PRAGMA cache_size").fetchone()[0]
            self.db.execute_sql(f"PRAGMA cache_size = {-256 * 1024}")

    def next_id(self, model: type[peewee.Model]) -> int:
        """The first free id of ``model``'s table."""
        return (model.select(peewee.fn.MAX(model._meta.primary_key)).scalar() or 0) + 1

    # -- loading into empty tables ------------------------------------------------

    def begin_load(self, models: Sequence[type[peewee.Model]]) -> bool:
        """Drop secondary indexes (PostgreSQL: and foreign keys) of ``models`` if all
        their tables are empty; :meth:`finish` builds them again.  Returns whether
        it did (tables that already hold rows are loaded with their indexes on)."""
        if self.kind not in ("sqlite", "postgresql"):
            return False
        if any(m.select().exists() for m in models):
            return False
        tables = [m._meta.table_name for m in models]
        self._analyze = tables
        if self.kind == "sqlite":
            self._begin_sqlite(tables)
        else:
            self._begin_postgresql(tables)
        return True

    def _begin_sqlite(self, tables: list[str]) -> None:
        marks = ", ".join("?" * len(tables))
        rows = self.db.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name", tables).fetchall()
        for name, sql in rows:
            self.db.execute_sql(f'DROP INDEX "{name}"')
            self._rebuild.append(sql)

    def _begin_postgresql(self, tables: list[str]) -> None:
        execute = self.db.execute_sql
        foreign = execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) "
            "OR confrelid = ANY(%s::regclass[])) ORDER BY 1, 2", (tables, tables)).fetchall()
        unique = execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype IN ('u', 'x') "
            "AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2", (tables,)).fetchall()
        indexes = execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1", (tables,)).fetchall()
        for table, name, _definition in foreign + unique:
            execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            execute(f"DROP INDEX {name}")
        # indexes first (unique ones back the keys), then the keys that need them
        self._rebuild = ([definition for _name, definition in indexes]
                         + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in unique]
                         + [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d in foreign])
        # truncated in this transaction, the tables accept COPY FREEZE
        execute("TRUNCATE " + ", ".join(tables))
        execute("SET LOCAL maintenance_work_mem = '256MB'")
        self._freeze = True

    # -- writing ------------------------------------------------------------------

    def write(self, model: type[peewee.Model], columns: Sequence[str], rows: list) -> None:
        if not rows:
            return
        if self.kind == "postgresql":
            self.write_copy(model, columns, encode_copy(rows))
            return
        table = model._meta.table_name
        self._touched.add(table)
        mark = "?" if self.kind == "sqlite" else "%s"
        self.db.cursor().executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
            f"({', '.join([mark] * len(columns))})", rows)

    def write_copy(self, model: type[peewee.Model], columns: Sequence[str],
                   payload: bytes) -> None:
        """PostgreSQL: store rows already encoded by :func:`encode_copy`."""
        if not payload:
            return
        table = model._meta.table_name
        self._touched.add(table)
        freeze = " WITH (FREEZE)" if self._freeze else ""
        self.db.cursor().copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN{freeze}",
                                     io.BytesIO(payload), size=1 << 20)

    # -- the end --------------------------------------------------------------------

    def _restore(self) -> None:
        if self._cache_size is not None:
            self.db.execute_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None

    def abort(self) -> None:
        """Undo connection settings after a failure (the caller rolls back)."""
        self._restore()

    def finish(self) -> None:
        """Build dropped indexes and keys again, move PostgreSQL id sequences past the
        rows, refresh planner statistics, undo connection settings."""
        if self._rebuild and self.kind == "sqlite":
            self.db.execute_sql("PRAGMA threads = 2")     # multi-threaded index sorts
        for sql in self._rebuild:
            self.db.execute_sql(sql)
        self._rebuild = []
        self._restore()
        if self.kind == "postgresql":
            for table in sorted(self._touched):
                self.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
            for table in self._analyze:
                self.db.execute_sql(f"ANALYZE {table}")


# --- generating in worker processes -----------------------------------------------

def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def ordered_map(func: Callable[[Any], Any], tasks: Sequence[Any], workers: int,
                ahead: int | None = None) -> Iterator[Any]:
    """``map(func, tasks)`` computed by ``workers`` forked processes, results in task
    order, at most ``ahead`` results waiting (the consumer may be the slower side).

    ``func`` must be a module-level function; it sees the parent's state as it was
    at the fork.  With ``workers < 1`` or without ``fork`` (Windows, macOS spawn
    defaults aside) it runs here, in order: the results are the same either way.
    """
    if workers < 1 or "fork" not in multiprocessing.get_all_start_methods():
        for task in tasks:
            yield func(task)
        return
    ahead = ahead or 2 * workers
    pool = multiprocessing.get_context("fork").Pool(workers)
    try:
        pending: deque = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(pool.apply_async(func, (task,)))
            if len(pending) >= ahead:
                break
        while pending:
            result = pending.popleft().get()
            for task in queue:
                pending.append(pool.apply_async(func, (task,)))
                break
            yield result
        pool.close()
    finally:
        pool.terminate()
        pool.join()
