"""Building the demo chain: ``zhanggui demo-data`` against loading the same rows with
nothing but the driver.

Ours is the whole command as a user runs it (start-up, generating every member,
phone ciphertext, basket and payment, storing them, building the indexes).  The
baseline only stores rows that already exist, the plainest way: ``executemany`` on
SQLite, ``COPY`` on PostgreSQL, into the schema ``zhanggui migrate`` creates.  A ratio
under 1 means generating and storing costs less than merely storing naively.
"""
from __future__ import annotations

import time

from bench import datasets
from bench.baselines import plain_load
from bench.harness import Benchmark, Figure

TABLES = ["members_store", "members_member", "members_identity", "members_purchase",
          "members_purchase_line", "members_payment"]


class Generate(Benchmark):
    title = "demo chain generator (zhanggui demo-data) vs plain executemany / COPY"

    def setup(self, size, db):
        super().setup(size, db)
        self.built = db.scratch()
        self.adopted = False

    def run(self):
        seconds = datasets.build(self.built, self.size, self.db.seed, self.db.instance)
        cpu = datasets.last_cpu_seconds
        self.rows = _count(self.built)
        figures = [Figure("seconds", "demo-data, wall time", seconds, "s")]
        if self.db.kind == "sqlite":  # on PostgreSQL the baseline's CPU is the server's
            figures.append(Figure("cpu", "demo-data, CPU time of its processes", cpu, "s"))
        return figures + [Figure("rows_per_s", "rows stored per second", self.rows / seconds,
                                 "rows/s", better="higher")]

    def baseline(self):
        target = self.db.scratch()
        datasets.zhanggui(["migrate"], target, self.db.instance)
        cpu = time.process_time()
        seconds, rows = plain_load(self.built, target, TABLES)
        cpu = time.process_time() - cpu
        label = "plain COPY" if self.db.kind == "postgresql" else "plain executemany"
        # the generated chain becomes the cached data set if there is none yet
        self.adopted = self.db.adopt(self.size, self.built)
        figures = [Figure("seconds", f"{label} of the same {rows:,} rows", seconds, "s")]
        if self.db.kind == "sqlite":      # COPY works in the server: its CPU is not ours
            figures.append(Figure("cpu", f"{label}, CPU time (reading the rows too)", cpu,
                                  "s"))
        return figures + [Figure("rows_per_s", f"{label}, rows per second", rows / seconds,
                                 "rows/s", better="higher")]


def _count(url: str) -> int:
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url[len("sqlite:///"):])
    else:
        import psycopg2

        conn = psycopg2.connect(url)
    cur = conn.cursor()
    total = 0
    for table in TABLES:
        cur.execute(f"SELECT count(*) FROM {table}")
        total += cur.fetchone()[0]
    conn.close()
    return total
