"""The plain ways of doing what Zhanggui does, measured for the ratios.

* :func:`plain_load` – the rows of a built database loaded into a freshly migrated
  one with nothing but the driver: ``executemany`` on SQLite, ``COPY`` on
  PostgreSQL, indexes and foreign keys on, one transaction.
* :func:`pgbench_tps` – PostgreSQL's own transaction rate (``pgbench -N``, the
  built-in "simple update" script: an account update, a select and a history insert
  per transaction, without the branch and teller hot spots), the yardstick for POS
  ingestion and points accrual.
* look-ups and aggregates: raw SQL through the driver, written in each benchmark next
  to the figure it is the baseline of.
"""
from __future__ import annotations

import glob
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
from urllib.parse import urlparse, urlunparse


def sqlite_path(url: str) -> str:
    return url[len("sqlite:///"):]


def plain_load(source: str, target: str, tables: list[str]) -> tuple[float, int]:
    """Copy ``tables`` (in order, all columns) from ``source`` to the empty, migrated
    ``target``; returns (seconds spent storing, rows).  Reading the source is not
    timed."""
    if source.startswith("sqlite"):
        return _sqlite_load(sqlite_path(source), sqlite_path(target), tables)
    return _copy_load(source, target, tables)


def _sqlite_load(source: str, target: str, tables: list[str]) -> tuple[float, int]:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, isolation_level=None)
    for pragma in ("journal_mode = wal", "synchronous = normal", "foreign_keys = 1"):
        dst.execute(f"PRAGMA {pragma}")
    spent, rows = 0.0, 0
    started = time.perf_counter()
    dst.execute("BEGIN")
    spent += time.perf_counter() - started
    for table in tables:
        cursor = src.execute(f"SELECT * FROM {table} ORDER BY rowid")
        marks = ", ".join("?" * len(cursor.description))
        insert = f"INSERT INTO {table} VALUES ({marks})"
        while chunk := cursor.fetchmany(50_000):
            started = time.perf_counter()
            dst.executemany(insert, chunk)
            spent += time.perf_counter() - started
            rows += len(chunk)
    started = time.perf_counter()
    dst.execute("COMMIT")
    spent += time.perf_counter() - started
    src.close()
    dst.close()
    return spent, rows


def _copy_load(source: str, target: str, tables: list[str]) -> tuple[float, int]:
    import psycopg2

    src, dst = psycopg2.connect(source), psycopg2.connect(target)
    spent, rows = 0.0, 0
    with tempfile.TemporaryDirectory(prefix="zg-bench-copy-") as folder:
        dumps = []
        with src.cursor() as cur:
            for table in tables:
                path = f"{folder}/{table}.tsv"
                with open(path, "wb") as out:
                    cur.copy_expert(f"COPY (SELECT * FROM {table} ORDER BY id) TO STDOUT", out)
                cur.execute(f"SELECT count(*) FROM {table}")
                rows += cur.fetchone()[0]
                dumps.append((table, path))
        started = time.perf_counter()
        with dst.cursor() as cur:
            for table, path in dumps:
                with open(path, "rb") as stream:
                    cur.copy_expert(f"COPY {table} FROM STDIN", stream, size=1 << 20)
        dst.commit()
        spent = time.perf_counter() - started
    src.close()
    dst.close()
    return spent, rows


def pgbench_binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"))
    return candidates[-1] if candidates else None


def pgbench_tps(server: str, clients: int = 2, seconds: int = 10, scale: int = 10,
                prefix: str = "zg_bench") -> float:
    """Transactions per second of ``pgbench -N`` on a pgbench database of ``scale``
    (initialised once and kept as ``<prefix>_pgbench_<scale>``)."""
    import psycopg2

    binary = pgbench_binary()
    if binary is None:
        raise RuntimeError("pgbench not found: install postgresql-contrib (make bench "
                           "does)")
    name = f"{prefix}_pgbench_{scale}"
    url = urlunparse(urlparse(server)._replace(path="/" + name))
    admin = psycopg2.connect(urlunparse(urlparse(server)._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = %s", (name,))
        row = cur.fetchone()
        if not row or row[0] != "pgbench initialised":
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
            subprocess.run([binary, "-i", "-q", "-s", str(scale), url], check=True,
                           capture_output=True)
            cur.execute(f"COMMENT ON DATABASE \"{name}\" IS 'pgbench initialised'")
    admin.close()
    done = subprocess.run([binary, "-n", "-N", "-c", str(clients), "-j", str(clients),
                           "-T", str(seconds), url], check=True, capture_output=True, text=True)
    match = re.search(r"tps = ([\d.]+)", done.stdout)
    if not match:
        raise RuntimeError(f"unexpected pgbench output:\n{done.stdout}")
    return float(match.group(1))


def pgbench_scratch(url: str, clients: int, seconds: int, scale: int = 1) -> dict[str, float]:
    """``pgbench -N`` on the empty scratch database ``url`` (``Target.scratch()``,
    dropped by the harness): initialised here at ``scale``, then run with ``clients``
    clients and as many threads for ``seconds``.  Returns ``{"tps", "latency_ms"}``
    (initialisation not included)."""
    binary = pgbench_binary()
    if binary is None:
        raise RuntimeError("pgbench not found: install postgresql-contrib (make bench "
                           "does)")
    subprocess.run([binary, "-i", "-q", "-s", str(scale), url], check=True,
                   capture_output=True)
    done = subprocess.run([binary, "-n", "-N", "-c", str(clients), "-j", str(clients),
                           "-T", str(seconds), url], check=True, capture_output=True, text=True)
    tps = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if not tps or not latency:
        raise RuntimeError(f"unexpected pgbench output:\n{done.stdout}")
    return {"tps": float(tps.group(1)), "latency_ms": float(latency.group(1))}
