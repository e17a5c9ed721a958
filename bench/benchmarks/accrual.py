"""POS accruals end to end: sales that earn points, through the HTTP API under a real
gunicorn, against ``pgbench -N`` on the same server in the same run.

Ours: ``gunicorn "zhanggui.app:create_app()"`` with every installed plugin (4 gthread
workers x 2 threads, keep-alive) on a private copy of the cached chain, with one base
earning rule (1 point per 1.00 spent, gift cards and coupons excluded) and no return
window, so every sale's points count at once.  Clients post sales by member phone
with a till's API key (role "POS terminal", every store); each answer must be 201 and
carry the points earned and the new balance (``loyalty`` in the POS answer), awarded
in the sale's own transaction through the loyalty plugin.  The same again with a JWT
for the same till, to show what the API key's check costs.

Checked afterwards with raw SQL: every sale exists exactly once, it has exactly one
earn entry, the entries add up to the points the answers announced, and every
member's balance equals the sum of their ledger.

Baseline: ``pgbench -N`` (the built-in simple-update script: an account update, a
select and a history insert per transaction) with the same number of clients on a
scratch database initialised at scale 1 on the same server (dropped afterwards).
The ratio says how many plain OLTP transactions the server runs in the time one
accrual takes end to end.  PostgreSQL only.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from bench.baselines import pgbench_scratch
from bench.harness import Benchmark, Figure

from . import _pos

SINGLE = "/api/v1/pos/transactions"
WORKERS, THREADS = 4, 2   # 8 request slots for the 8 clients of small and large


@dataclass(frozen=True)
class Plan:
    clients: int
    sales: int            # accruals per run (API key, then as many with a JWT)
    members: int
    pgbench_seconds: int


PLANS = {
    "tiny": Plan(clients=4, sales=30, members=100, pgbench_seconds=3),
    "small": Plan(clients=8, sales=1600, members=2000, pgbench_seconds=10),
    "large": Plan(clients=8, sales=4000, members=10000, pgbench_seconds=20),
}


class Accrual(Benchmark):
    title = "POS accruals through the API under gunicorn vs pgbench -N"
    databases = ("postgresql",)

    def setup(self, size, db):
        super().setup(size, db)
        self.plan = plan = PLANS[size.name]
        self.url = db.dataset(size)
        rng = random.Random(db.seed)
        with _pos.app_on(self.url, db.instance):
            base_earning_rule()
            stores = _pos.store_codes()
            self.key, self.jwt = _pos.create_till("bench-accrual-till", "POS terminal", stores)
            members = _pos.members_with_phones(rng, plan.members)
            self.by_key = _pos.make_sales(rng, "BENCH-A", plan.sales, stores, members)
            self.by_jwt = _pos.make_sales(rng, "BENCH-J", plan.sales, stores, members)
        self.warm = [("GET", f"/api/v1/members/lookup?phone={members[0][1]}")] * 2
        self.server = _pos.Gunicorn(self.url, db.instance, WORKERS, THREADS)
        self.server.start()

    def _accrue(self, token: str, sales) -> _pos.Drive:
        done = _pos.drive(self.server.port, token, _pos.split(
            [(SINGLE, _pos.encode(s.body)) for s in sales], self.plan.clients), self.warm)
        statuses = done.statuses()
        if statuses != {201: len(sales)}:
            raise AssertionError(f"accruals answered {statuses}, expected all 201")
        earned = [body.get("loyalty", {}).get("earned", 0) for _, body in done.answers]
        if min(earned) <= 0:
            raise AssertionError("a sale by a member answered without points earned")
        check_accrued(self.url, [s.pos_id for s in sales], sum(earned),
                      sorted({s.member_id for s in sales}))
        return done

    def run(self):
        by_key = self._accrue(self.key, self.by_key)
        by_jwt = self._accrue(self.jwt, self.by_jwt)
        clients = self.plan.clients
        return [
            Figure("per_s", f"accruals/s (sale + points), {clients} clients, API key, "
                   f"{WORKERS}x{THREADS} gunicorn", len(self.by_key) / by_key.seconds,
                   "tx/s", better="higher"),
            Figure("mean_ms", "accrual: mean answer time",
                   sum(by_key.latencies) / len(by_key.latencies) * 1000, "ms"),
            Figure("p99_ms", "accrual: 99th percentile answer time",
                   _percentile(by_key.latencies, 0.99) * 1000, "ms"),
            Figure("jwt_per_s", f"accruals/s, {clients} clients, a JWT instead",
                   len(self.by_jwt) / by_jwt.seconds, "tx/s", better="higher"),
        ]

    def baseline(self):
        clients = self.plan.clients
        measured = pgbench_scratch(self.db.scratch(), clients, self.plan.pgbench_seconds)
        return [
            Figure("per_s", f"pgbench -N, {clients} clients", measured["tps"], "tx/s",
                   better="higher"),
            Figure("mean_ms", "pgbench -N: latency average", measured["latency_ms"], "ms"),
            Figure("p99_ms", "pgbench -N: latency average (as above)", measured["latency_ms"],
                   "ms"),
            Figure("jwt_per_s", f"pgbench -N, {clients} clients (as above)", measured["tps"],
                   "tx/s", better="higher"),
        ]

    def teardown(self):
        server = getattr(self, "server", None)
        if server is not None:
            server.stop()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def base_earning_rule() -> None:
    """One base rule, 1 point per 1.00, points count at once (needs the app)."""
    from zhanggui_loyalty.models import EarningRule, LoyaltySettings

    if not EarningRule.select().where(EarningRule.kind == "base").exists():
        EarningRule.create(code="BENCH-BASE", name="基础积分", kind="base", sequence=10)
    if not LoyaltySettings.select().where(LoyaltySettings.id == 1).exists():
        LoyaltySettings.create(id=1)
    LoyaltySettings.update(pending_days=0).where(LoyaltySettings.id == 1).execute()


def check_accrued(url: str, pos_ids: list[str], announced: int, member_ids: list[int]) -> None:
    """Each sale once, one earn entry each, adding up to what the answers said, and
    every member's balance the sum of their ledger."""
    conn, mark = _pos.driver_connect(url)
    try:
        cur = conn.cursor()
        marks = ", ".join([mark] * len(pos_ids))
        cur.execute(f"SELECT count(*), count(DISTINCT pos_id) FROM members_purchase "
                    f"WHERE pos_id IN ({marks})", pos_ids)
        purchases, distinct = cur.fetchone()
        cur.execute("SELECT count(*), COALESCE(SUM(e.points), 0) FROM loyalty_ledger_entry e "
                    "JOIN members_purchase p ON e.source_type = 'purchase' "
                    "AND e.source_id = CAST(p.id AS VARCHAR(64)) "
                    f"WHERE e.kind = 'earn' AND p.pos_id IN ({marks})", pos_ids)
        entries, points = cur.fetchone()
    finally:
        conn.close()
    if (purchases, distinct, entries) != (len(pos_ids),) * 3:
        raise AssertionError(f"{len(pos_ids)} sales: {purchases} purchases ({distinct} "
                             f"distinct ids), {entries} earn entries")
    if int(points) != announced:
        raise AssertionError(f"the ledger holds {points} points for these sales, the "
                             f"answers announced {announced}")
    problems = _pos.ledger_problems(url, member_ids)
    if problems:
        raise AssertionError("balance is not the ledger sum: " + "; ".join(problems[:5]))
