"""Fast bulk loading of generated rows, for the demo chain and imports.

Rows are tuples of ``int``, ``str`` (money already formatted as ``"123.40"``, times
as ``"YYYY-MM-DD HH:MM:SS"`` UTC) or ``None``, in the order of ``columns``.  Peewee's
``insert_many`` spends more time building SQL than SQLite spends storing rows, so
this goes to the driver: ``executemany`` on SQLite (and MySQL), ``COPY`` on
PostgreSQL.  Ids are assigned by the caller (:meth:`BulkWriter.next_id`); on
PostgreSQL :meth:`BulkWriter.finish` moves the id sequences past them.
"""
from __future__ import annotations

import io
from typing import Sequence

import peewee

from zhanggui import database


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
        if self.kind == "sqlite":
            # the default 2 MB page cache thrashes on index inserts into big tables
            self._cache_size = self.db.execute_sql("PRAGMA cache_size").fetchone()[0]
            self.db.execute_sql(f"PRAGMA cache_size = {-256 * 1024}")

    def next_id(self, model: type[peewee.Model]) -> int:
        """The first free id of ``model``'s table."""
        return (model.select(peewee.fn.MAX(model._meta.primary_key)).scalar() or 0) + 1

    def write(self, model: type[peewee.Model], columns: Sequence[str], rows: list) -> None:
        if not rows:
            return
        table = model._meta.table_name
        self._touched.add(table)
        cursor = self.db.cursor()
        names = ", ".join(columns)
        if self.kind == "postgresql":
            buf = io.StringIO()
            buf.write("\n".join("\t".join(["\\N" if v is None else str(v) for v in row])
                                for row in rows))
            buf.write("\n")
            buf.seek(0)
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buf)
        else:
            mark = "?" if self.kind == "sqlite" else "%s"
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES "
                               f"({', '.join([mark] * len(columns))})", rows)

    def _restore(self) -> None:
        if self._cache_size is not None:
            self.db.execute_sql(f"PRAGMA cache_size = {int(self._cache_size)}")
            self._cache_size = None

    def abort(self) -> None:
        """Undo connection settings after a failure (the caller rolls back)."""
        self._restore()

    def finish(self) -> None:
        """Undo connection settings and move PostgreSQL id sequences past the rows."""
        self._restore()
        if self.kind == "postgresql":
            for table in sorted(self._touched):
                self.db.execute_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)")
