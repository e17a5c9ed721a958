"""Zhanggui's benchmarks: ``python -m bench`` (``make bench``).

Every figure is printed beside a baseline measured in the same run on the same data,
so a figure means something on any machine: raw SQL through the database driver for
look-ups and aggregates, ``pgbench -N`` for PostgreSQL transaction rates, plain
``executemany``/``COPY`` for bulk loads, a bare Flask + Flask-AppBuilder app for
start-up, FAB's stock SQLAlchemy ``ModelView`` for console pages.

Adding a benchmark (POS ingestion, RFM, accrual and redemption, the console list
page...) is one module in :mod:`bench.benchmarks` holding a subclass of
:class:`bench.harness.Benchmark`::

    from bench.harness import Benchmark, Figure

    class PosIngestion(Benchmark):
        title = "POS transactions ingested through POST /api/v1/pos/transactions"

        def setup(self, size, db):
            self.url = db.dataset(size)           # a private copy of the cached chain
            ...

        def run(self):                            # the figures of Zhanggui
            return [Figure("tps", "POS transactions/s, 2 clients", tps, "tx/s",
                           better="higher")]

        def baseline(self):                       # the same figures, the plain way
            return [Figure("tps", "pgbench -N, 2 clients", bench.baselines.pgbench_tps(...),
                           "tx/s", better="higher")]

Figures and baseline figures are paired by key.  The harness prints the table, with
the ratio, data size, database and machine, and appends one JSON line per figure to
``bench/results/results.jsonl``.  Never assert timings in tests:
``tests/test_bench.py`` only checks that the harness runs and reports.
"""
