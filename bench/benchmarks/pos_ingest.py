"""POS ingestion: sales recorded per second through the real POS API under gunicorn,
against the same rows inserted by the plainest SQL through the driver.

Ours: a real ``gunicorn "zhanggui.app:create_app()"`` (2 gthread workers x 2 threads,
keep-alive) with the members plugin alone — the POS path of issue 5; what loyalty adds
is measured by ``accrual`` — on a private copy of the cached chain.  Clients post as a
till does: ``Authorization: Bearer <API key>`` of a "POS terminal" user assigned to
every store, JSON bodies with 1–4 lines and 1–2 payments, nine sales in ten by a
member's phone (as typed), one anonymous.

* single: ``POST /api/v1/pos/transactions``, ``clients`` keep-alive connections;
* batch: ``POST /api/v1/pos/transactions/batch`` of ``batch`` sales per call (1,000,
  the API's limit; fewer on the tiny set so the harness test stays quick).

Afterwards every sale must exist exactly once with all its lines and payments.

Baseline: the same rows (purchase with its idempotency key, lines, payments) for the
same sales under other ids (each sale 10 times, each batch twice, so its clock runs
long enough), inserted through the driver with the member and store ids
known beforehand and nothing checked: one transaction per sale (``INSERT ...
RETURNING id`` and two ``executemany``) from the same number of client threads, and
one transaction per batch (``executemany`` of the purchases, their ids read back,
``executemany`` of lines and payments).  The ratio is what parsing, validation,
member look-up, idempotency, the response and HTTP, authentication and the app cost
in units of the database's own work.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from dataclasses import dataclass

from bench.harness import Benchmark, Figure

from . import _pos

SINGLE = "/api/v1/pos/transactions"
BATCH = "/api/v1/pos/transactions/batch"


@dataclass(frozen=True)
class Plan:
    clients: int          # concurrent single-sale clients
    single: int           # single sales in all
    batch_clients: int
    batches: int          # batch calls in all
    batch: int            # sales per batch call
    members: int          # distinct members buying


PLANS = {
    "tiny": Plan(clients=4, single=40, batch_clients=2, batches=2, batch=250, members=150),
    "small": Plan(clients=4, single=400, batch_clients=2, batches=6, batch=1000,
                  members=5000),
    "large": Plan(clients=4, single=1200, batch_clients=2, batches=12, batch=1000,
                  members=20000),
}
WORKERS, THREADS = 2, 2
# the baseline stores every sale this many times (under other ids): one pass is over
# too soon for its clock to mean much
SQL_COPIES, BATCH_COPIES = 10, 2


class PosIngest(Benchmark):
    title = "POS ingestion through the API under gunicorn (single, batch) vs raw SQL inserts"

    def setup(self, size, db):
        super().setup(size, db)
        plan = PLANS[size.name]
        if db.kind == "sqlite":  # one writer: a second batch would only wait for the lock
            plan = dataclasses.replace(plan, batch_clients=1)
        self.plan = plan
        self.url = db.dataset(size)
        rng = random.Random(db.seed)
        with _pos.app_on(self.url, db.instance):
            stores = _pos.store_codes()
            self.key, self.jwt = _pos.create_till("bench-pos-till", "POS terminal", stores)
            members = _pos.members_with_phones(rng, plan.members)
            self.single = _pos.make_sales(rng, "BENCH-S", plan.single, stores, members, 0.1)
            self.by_jwt = _pos.make_sales(rng, "BENCH-J", plan.single, stores, members, 0.1)
            self.batched = _pos.make_sales(rng, "BENCH-B", plan.batches * plan.batch, stores,
                                           members, 0.1)
            # the baseline stores the same sales under other ids
            store_ids = _store_ids()
            self.raw_single = [_rows(s, f"BENCH-RS{c}", store_ids)
                               for c in range(SQL_COPIES) for s in self.single]
            self.raw_batches = [[_rows(s, f"BENCH-RB{c}", store_ids) for s in chunk]
                                for c in range(BATCH_COPIES)
                                for chunk in _chunks(self.batched, plan.batch)]
        self.warm = [("GET", f"/api/v1/members/lookup?phone={members[0][1]}")] * 2
        self.server = _pos.Gunicorn(self.url, db.instance, WORKERS, THREADS,
                                    plugins="members")
        self.server.start()

    def run(self):
        plan = self.plan
        single = _pos.drive(self.server.port, self.key, _pos.split(
            [(SINGLE, _pos.encode(s.body)) for s in self.single], plan.clients), self.warm)
        _expect_all(single.statuses(), 201, "single sales")
        by_jwt = _pos.drive(self.server.port, self.jwt, _pos.split(
            [(SINGLE, _pos.encode(s.body)) for s in self.by_jwt], plan.clients), self.warm)
        _expect_all(by_jwt.statuses(), 201, "single sales with a JWT")
        batches = [(BATCH, _pos.encode({"transactions": [s.body for s in chunk]}))
                   for chunk in _chunks(self.batched, plan.batch)]
        batch = _pos.drive(self.server.port, self.key,
                           _pos.split(batches, plan.batch_clients), self.warm)
        _expect_all(batch.statuses(), 200, "batch calls")
        inner: dict[int, int] = {}
        for _status, body in batch.answers:
            for result in body["results"]:
                inner[result["status"]] = inner.get(result["status"], 0) + 1
        _expect_all(inner, 201, "sales in batches")
        self._check_stored("BENCH-S-", self.single)
        self._check_stored("BENCH-J-", self.by_jwt)
        self._check_stored("BENCH-B-", self.batched)
        label = f"{WORKERS}x{THREADS} gunicorn"
        return [
            Figure("single_per_s", f"single sales/s, {plan.clients} clients, {label}",
                   len(self.single) / single.seconds, "sales/s", better="higher"),
            Figure("single_ms", "single sale: median answer time",
                   _pos.median(single.latencies) * 1000, "ms"),
            Figure("jwt_per_s", "single sales/s, a JWT instead of the API key",
                   len(self.by_jwt) / by_jwt.seconds, "sales/s", better="higher"),
            Figure("batch_per_s", f"sales/s in batches of {plan.batch:,}, "
                   f"{_pos.plural(plan.batch_clients, 'client')}",
                   len(self.batched) / batch.seconds, "sales/s", better="higher"),
        ]

    def baseline(self):
        plan = self.plan
        insert = _Inserts(self.db.kind)
        seconds, latencies = _pos.run_sql_clients(
            self.url, _pos.split(self.raw_single, plan.clients), insert.one)
        batch_seconds, _ = _pos.run_sql_clients(
            self.url, _pos.split(self.raw_batches, plan.batch_clients), insert.batch)
        self._check_stored("BENCH-RS", self.single * SQL_COPIES)
        self._check_stored("BENCH-RB", self.batched * BATCH_COPIES)
        return [
            Figure("single_per_s", f"raw SQL, one transaction per sale, {plan.clients} "
                   "clients", len(self.raw_single) / seconds, "sales/s", better="higher"),
            Figure("single_ms", "raw SQL: median per sale", _pos.median(latencies) * 1000,
                   "ms"),
            Figure("jwt_per_s", "raw SQL, one transaction per sale (as above)",
                   len(self.raw_single) / seconds, "sales/s", better="higher"),
            Figure("batch_per_s", f"raw SQL, executemany per {plan.batch:,}, "
                   f"{_pos.plural(plan.batch_clients, 'client')}",
                   sum(len(b) for b in self.raw_batches) / batch_seconds, "sales/s",
                   better="higher"),
        ]

    def _check_stored(self, prefix: str, sales) -> None:
        """Every sale once, with every line and payment."""
        conn, mark = _pos.driver_connect(self.url)
        try:
            cur = conn.cursor()
            cur.execute(
                "SELECT count(*), count(DISTINCT p.pos_id), "
                "(SELECT count(*) FROM members_purchase_line l JOIN members_purchase q "
                f" ON q.id = l.purchase_id WHERE q.pos_id LIKE {mark}), "
                "(SELECT count(*) FROM members_payment y JOIN members_purchase q "
                f" ON q.id = y.purchase_id WHERE q.pos_id LIKE {mark}) "
                f"FROM members_purchase p WHERE p.pos_id LIKE {mark}",
                (prefix + "%",) * 3)
            found = tuple(cur.fetchone())
        finally:
            conn.close()
        wanted = (len(sales), len(sales), sum(len(s.body["lines"]) for s in sales),
                  sum(len(s.body["payments"]) for s in sales))
        if found != wanted:
            raise AssertionError(f"{prefix}* sales stored (purchases, distinct ids, lines, "
                                 f"payments) = {found}, expected {wanted}")

    def teardown(self):
        server = getattr(self, "server", None)
        if server is not None:
            server.stop()


def _chunks(items, size):
    return [items[i:i + size] for i in range(0, len(items), size)]


def _expect_all(statuses: dict[int, int], wanted: int, what: str) -> None:
    if set(statuses) != {wanted}:
        raise AssertionError(f"{what}: answers {statuses}, expected all {wanted}")


def _rows(sale, prefix: str, store_ids: dict[str, int]) -> tuple[tuple, list, list]:
    """The purchase, line and payment values of ``sale`` as the ORM would store them
    (``db_value`` of each field), under the id ``<prefix>-<number>``; needs the app."""
    from zhanggui_members.profile.models import Payment, Purchase, PurchaseLine

    body = sale.body
    pos_id = f"{prefix}-{body['id'].rsplit('-', 1)[1]}"
    store_id = store_ids[body["store"]]
    f = Purchase._meta.fields
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    purchase = (pos_id, store_id, sale.member_id, f["occurred_at"].db_value(body["occurred_at"]),
                "pos", f["total"].db_value(body["total"]), f["refunded_amount"].db_value("0"),
                hashlib.sha256(text.encode()).hexdigest(), text)
    lf, pf = PurchaseLine._meta.fields, Payment._meta.fields
    lines = [(ln["sku"], ln["name"], ln["category"], ln["counter"],
              lf["quantity"].db_value(ln["quantity"]), lf["amount"].db_value(ln["amount"]))
             for ln in body["lines"]]
    payments = [(p["method"], pf["amount"].db_value(p["amount"])) for p in body["payments"]]
    return purchase, lines, payments


def _store_ids() -> dict[str, int]:
    from zhanggui_members.profile.models import Store

    return {s.code: s.id for s in Store.select(Store.id, Store.code)}


class _Inserts:
    """The plainest SQL for a sale and for a batch (one transaction each)."""

    PURCHASE = ("INSERT INTO members_purchase (pos_id, store_id, member_id, occurred_at, "
                "channel, total, refunded_amount, request_hash, response) "
                "VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m}, {m}, {m})")
    LINE = ("INSERT INTO members_purchase_line (purchase_id, sku, name, category, "
            "counter_code, quantity, amount) VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m})")
    PAYMENT = "INSERT INTO members_payment (purchase_id, method, amount) VALUES ({m}, {m}, {m})"

    def __init__(self, kind: str):
        self.sqlite = kind == "sqlite"
        m = "?" if self.sqlite else "%s"
        self.purchase, self.line, self.payment = (s.format(m=m) for s in
                                                  (self.PURCHASE, self.LINE, self.PAYMENT))

    def _begin(self, conn):
        cur = conn.cursor()
        if self.sqlite:  # the app's write transactions are immediate too
            cur.execute("BEGIN IMMEDIATE")
        return cur

    def _commit(self, conn, cur) -> None:
        if self.sqlite:
            cur.execute("COMMIT")
        else:
            conn.commit()

    def one(self, conn, mark, rows) -> None:
        purchase, lines, payments = rows
        cur = self._begin(conn)
        cur.execute(self.purchase + " RETURNING id", purchase)
        purchase_id = cur.fetchone()[0]
        cur.executemany(self.line, [(purchase_id, *ln) for ln in lines])
        cur.executemany(self.payment, [(purchase_id, *p) for p in payments])
        self._commit(conn, cur)

    def batch(self, conn, mark, rows) -> None:
        cur = self._begin(conn)
        cur.executemany(self.purchase, [purchase for purchase, _, _ in rows])
        ids = [purchase[0] for purchase, _, _ in rows]
        cur.execute(f"SELECT pos_id, id FROM members_purchase WHERE pos_id IN "
                    f"({', '.join([mark] * len(ids))})", ids)
        by_pos_id = dict(cur.fetchall())
        cur.executemany(self.line, [(by_pos_id[purchase[0]], *ln)
                                    for purchase, lines, _ in rows for ln in lines])
        cur.executemany(self.payment, [(by_pos_id[purchase[0]], *p)
                                       for purchase, _, payments in rows for p in payments])
        self._commit(conn, cur)
