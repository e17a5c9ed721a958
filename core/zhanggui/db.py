"""One peewee database for the core and every plugin.

Models subclass :class:`zhanggui.Model`, whose ``Meta.database`` is the proxy
:data:`database`; ``create_app`` points the proxy at the configured database.  The database is a
pooled one (playhouse's ``Pooled*Database``): a request or a job takes a connection
from the process's pool and ``close()`` gives it back, so no connection is opened
per request.  ``DATABASE_POOL_SIZE`` is how many idle connections a process keeps
(size it to the threads of a worker; behind pgbouncer, see docs/performance.md).  One process
serves one database at a time.
"""
from __future__ import annotations

import datetime as dt
import decimal
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlparse

import peewee
from playhouse.db_url import connect
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

database = peewee.DatabaseProxy()


class Model(peewee.Model):
    """Base class of every Zhanggui model (core and plugins)."""

    class Meta:
        database = database
        legacy_table_names = False


class UTCDateTimeField(peewee.DateTimeField):
    """A timezone-aware UTC datetime, stored as naive UTC on every backend.

    Values given with an offset are converted to UTC; naive values are refused, so
    local time never reaches the database by accident.
    """

    def db_value(self, value):
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"{self.name}: a naive datetime cannot be stored; give it a time zone")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=dt.timezone.utc)
        return value


class FixedDecimalField(peewee.DecimalField):
    """``Decimal`` with a fixed number of places on every backend.

    PostgreSQL keeps ``NUMERIC(p,s)`` exactly.  SQLite gives the column numeric
    affinity and stores it as a binary float, so values are quantized again when read
    (values of up to 15 significant digits round-trip exactly).  Sums computed in SQL
    on SQLite are float sums: quantize them, or sum in Python.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_round", True)
        super().__init__(*args, **kwargs)

    def python_value(self, value):
        if value is None:
            return None
        if not isinstance(value, decimal.Decimal):
            value = decimal.Decimal(str(value))
        return value.quantize(self._exp)


class MoneyField(FixedDecimalField):
    """An amount of money: ``Decimal`` with two places, up to 9,999,999,999.99."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
    # erased personal data must not linger in free pages (PIPL art. 47)
    "secure_delete": 1,
}


#: a pooled connection older than this is closed on check-in and replaced (seconds):
#: a server or pgbouncer restart, or a firewall dropping idle connections, costs at
#: most one failed request per connection instead of a pool of dead ones
POOL_STALE_SECONDS = 300


class _KeepSome:
    """A peewee pool that keeps at most ``keep`` idle connections: a burst of more
    threads than that opens more (never waits, so threads that meet at a barrier
    while holding connections cannot deadlock) and the extra ones are closed when
    they come back, as SQLAlchemy's overflow does."""

    keep = 8

    def _close(self, conn, close_conn=False):
        if not close_conn and len(self._connections) >= self.keep:
            close_conn = True
        return super()._close(conn, close_conn)


class PooledPostgres(_KeepSome, PooledPostgresqlDatabase):
    """Without a ``SELECT 1`` round trip at every checkout: a connection is reused
    when the driver does not know it closed and no transaction is left open (those
    are rolled back and dropped on check-in); one the server dropped fails one
    request and is discarded, and none lives past ``POOL_STALE_SECONDS``."""

    def _is_closed(self, conn):
        return bool(conn.closed) or \
            self._adapter.txn_status(conn) != self._adapter.txn_idle


class PooledSqlite(_KeepSome, PooledSqliteDatabase):
    pass


def open_database(url: str, pool_size: int = 0) -> peewee.Database:
    """Build (not connect) the peewee database for ``url``.

    ``pool_size`` > 0 gives a pooled database keeping up to that many idle
    connections (``connect()`` takes one from the pool or opens one, ``close()``
    returns it); 0 an unpooled one.  SQLite gets WAL, a busy timeout and foreign
    keys, set once per connection; ``autoconnect`` stays on for the CLI.
    """
    scheme = urlparse(url).scheme.split("+")[0]
    if scheme.startswith("sqlite"):
        path = parse_url(url.replace(urlparse(url).scheme + ":", "sqlite:", 1))["database"]
        if pool_size > 0:
            db = PooledSqlite(path, max_connections=0, stale_timeout=POOL_STALE_SECONDS,
                              pragmas=SQLITE_PRAGMAS, check_same_thread=False)
            db.keep = pool_size
            return db
        return connect(url, pragmas=SQLITE_PRAGMAS, timeout=10, check_same_thread=False)
    if pool_size > 0 and scheme in {"postgres", "postgresql"}:
        params = parse_url(url.replace(urlparse(url).scheme + ":", "postgresql:", 1))
        db = PooledPostgres(**params, max_connections=0, stale_timeout=POOL_STALE_SECONDS)
        db.keep = pool_size
        return db
    return connect(url)


def close_database(db: peewee.Database) -> None:
    """Close every connection of ``db``, pooled or not (tests, shutdown)."""
    if isinstance(db, PooledDatabase):
        db.close_all()
    elif not db.is_closed():
        db.close()


def backend(db: peewee.Database) -> str:
    """``sqlite``, ``postgresql`` or ``mysql``."""
    if isinstance(db, peewee.DatabaseProxy):
        db = db.obj
    if isinstance(db, peewee.SqliteDatabase):
        return "sqlite"
    if isinstance(db, peewee.PostgresqlDatabase):
        return "postgresql"
    return "mysql"


def sqlalchemy_url(url: str) -> str:
    """The same database for Flask-AppBuilder's SQLAlchemy session."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    rest = url.split(":", 1)[1]
    if scheme == "sqlite":
        return "sqlite:" + rest
    if scheme in {"postgres", "postgresql", "postgresext"}:
        return "postgresql+psycopg2:" + rest
    if scheme == "mysql":
        return "mysql+pymysql:" + rest
    raise ValueError(f"unsupported database URL {url}")


@contextmanager
def write_transaction() -> Iterator[None]:
    """A write transaction that takes the write lock up front on SQLite.

    ``BEGIN IMMEDIATE`` avoids the read-then-write upgrade that a busy timeout
    cannot save; other backends use an ordinary transaction.
    """
    if backend(database) == "sqlite" and not database.in_transaction():
        with database.atomic("IMMEDIATE"):
            yield
    else:
        with database.atomic():
            yield
