"""RFM recomputation: ``zhanggui_members.segments.recompute.recompute_segments`` over the whole
chain against the plainest SQL that computes the same aggregates and quintiles.

Ours does everything the daily job does: per-member aggregates of purchases in
chunks (recency, frequency and monetary net of refunds recorded by the as-of day),
``NTILE(5)`` quintiles, CLV and value groups, the score rows rewritten chunk by chunk
in their own transactions, stage changes compared, recorded and announced.  The
baseline is one ``CREATE TABLE ... AS`` statement through the driver: the same
aggregates (refunds from ``refunded_amount``) and the same three ``NTILE``\\ s, no
chunks, no writes to the real tables, no stages.  Both run as of the day after the
data set's last (:data:`bench.datasets.AS_OF`), like the nightly job the morning
after; afterwards the benchmark checks that both gave every member the same R, F
and M.

``BENCH_RFM_DATASET=/path/large-2026.db`` (SQLite only) uses a copy of that file
instead of the harness's cached set, e.g. a set built by another branch whose
fingerprint differs; the segmentation tables are added by ``zhanggui migrate``.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import time

from bench import datasets
from bench.harness import Benchmark, Figure


def _as_of() -> dt.datetime:
    """The day after the data set's last: the nightly job's usual work (every
    member's recency moves on, some change stage), not a no-op rerun."""
    day = dt.date.fromisoformat(datasets.AS_OF) + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.timezone.utc)


class Rfm(Benchmark):
    title = "RFM recomputation: recompute_segments vs one plain SQL statement with NTILE"

    def setup(self, size, db):
        super().setup(size, db)
        from zhanggui.app import create_app

        given = os.environ.get("BENCH_RFM_DATASET")
        if given and db.kind == "sqlite":
            self.url = db.scratch()
            shutil.copyfile(given, self.url[len("sqlite:///"):])
        else:
            self.url = db.dataset(size)
        datasets.zhanggui(["migrate"], self.url, db.instance)
        self.app = create_app(datasets.app_config(self.url, db.instance))
        self.context = self.app.app_context()
        self.context.push()
        from zhanggui import database

        self.members = database.execute_sql("SELECT COUNT(*) FROM members_member").fetchone()[0]

    def run(self):
        from zhanggui_members.segments.recompute import recompute_segments

        started = time.perf_counter()
        result = recompute_segments(as_of=_as_of(), reason="command")
        seconds = time.perf_counter() - started
        self.scored = result.scored
        return _figures("recompute_segments", seconds, self.members, result.stage_changes)

    def baseline(self):
        conn, mark = self._connect()
        cur = conn.cursor()
        as_of = _as_of().replace(tzinfo=None)
        start = as_of - dt.timedelta(days=365)
        if self.db.kind == "sqlite":
            as_of, start = as_of.isoformat(sep=" "), start.isoformat(sep=" ")
        cur.execute("DROP TABLE IF EXISTS bench_rfm")
        started = time.perf_counter()
        cur.execute(f"""
            CREATE TABLE bench_rfm AS
            WITH agg AS (
                SELECT p.member_id, MAX(p.occurred_at) AS last_at,
                       SUM(CASE WHEN p.occurred_at > {mark} THEN 1 ELSE 0 END) AS frequency,
                       ROUND(SUM(CASE WHEN p.occurred_at > {mark}
                                      THEN p.total - p.refunded_amount ELSE 0 END), 2)
                           AS monetary
                FROM members_purchase p JOIN members_member m ON m.id = p.member_id
                WHERE p.occurred_at <= {mark} AND m.erased_at IS NULL
                GROUP BY p.member_id)
            SELECT member_id,
                   NTILE(5) OVER (ORDER BY last_at, member_id) AS r,
                   NTILE(5) OVER (ORDER BY frequency, member_id) AS f,
                   NTILE(5) OVER (ORDER BY monetary, member_id) AS m
            FROM agg WHERE frequency > 0""", (start, start, as_of))
        conn.commit()
        seconds = time.perf_counter() - started
        try:
            cur.execute("SELECT COUNT(*) FROM bench_rfm b LEFT JOIN members_member_score s "
                        "ON s.member_id = b.member_id AND s.r = b.r AND s.f = b.f AND s.m = b.m "
                        "WHERE s.member_id IS NULL")
            differ = cur.fetchone()[0]
            cur.execute("SELECT COUNT(*) FROM bench_rfm")
            rows = cur.fetchone()[0]
        finally:
            cur.execute("DROP TABLE bench_rfm")
            conn.commit()
            conn.close()
        if differ or rows != self.scored:
            raise RuntimeError(f"the baseline disagrees: {differ} of {rows} members have other "
                               f"R/F/M scores ({self.scored} scored by ours)")
        return _figures("plain SQL", seconds, self.members, None)

    def _connect(self):
        if self.db.kind == "sqlite":
            import sqlite3

            return sqlite3.connect(self.url[len("sqlite:///"):]), "?"
        import psycopg2

        return psycopg2.connect(self.url), "%s"

    def teardown(self):
        context = getattr(self, "context", None)
        if context is not None:
            from zhanggui.testing import _close

            _close(self.app)
            context.pop()


def _figures(label, seconds, members, changes):
    what = f"{label}: {members:,} members"
    if changes is not None:
        what += f" ({changes:,} stage changes)"
    return [Figure("seconds", f"{what}, wall time", seconds, "s"),
            Figure("members_per_s", f"{label}: members per second", members / seconds,
                   "/s", better="higher")]
