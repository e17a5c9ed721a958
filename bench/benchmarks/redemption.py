"""Redemptions: ``POST /api/v1/loyalty/redemptions`` under a real gunicorn, concurrent
clients contending for the same members, against ``pgbench -N`` and against the
plainest correct redemption in raw SQL, both in the same run.

Ours: the gunicorn set-up of ``accrual`` (every plugin, 2 gthread workers x 2
threads, keep-alive).  Each member of a group is given 1,000 points (one manual
adjustment through the loyalty plugin, untimed) and then receives twelve requests of
100 points, shuffled across the clients so that several clients hit one member at
once: exactly ten must be granted (201) and two refused (409
``insufficient_points``).  Clients send a till's API key (role "Store staff", every
store); the same again on a second group with a JWT.  Checked afterwards with raw
SQL: every balance is 0, none went negative, balance = ledger sum, ten redeem
entries per member.

Baselines, same number of client threads:

* ``pgbench -N`` on a scratch database (scale 1, same server): the server's plain
  transaction rate, the yardstick issue 7 names for transaction rates;
* raw SQL on a third group of the same members, the same requests (five rounds,
  topped up between them, for a clock long enough to mean something): a conditional
  ``UPDATE loyalty_member_balance SET balance = balance - 100 WHERE member_id = ...
  AND balance >= 100`` and, when a row changed, an ``INSERT`` of the redeem entry
  into the ledger, one transaction each — the least a correct redemption can do (it
  keeps no lots, no allocations, no stored answer).  This is the baseline that
  contends on the same rows as ours, so its ratio is the fairer one for redemption.

PostgreSQL only.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from bench.baselines import pgbench_scratch
from bench.harness import Benchmark, Figure

from . import _pos

REDEEM = "/api/v1/loyalty/redemptions"
WORKERS, THREADS = 2, 2
GIVEN, POINTS, TRIES = 1000, 100, 12          # 10 of the 12 requests per member succeed
GRANTED = GIVEN // POINTS
SQL_ROUNDS = 5     # the raw SQL is quick: five rounds (balances topped up between them)


@dataclass(frozen=True)
class Plan:
    clients: int
    members: int          # members per group (API key, JWT, raw SQL)
    pgbench_seconds: int


PLANS = {
    "tiny": Plan(clients=4, members=3, pgbench_seconds=3),
    "small": Plan(clients=4, members=30, pgbench_seconds=10),
    "large": Plan(clients=4, members=100, pgbench_seconds=20),
}


class Redemption(Benchmark):
    title = "redemptions through the API under gunicorn vs pgbench -N and a raw SQL UPDATE"
    databases = ("postgresql",)

    def setup(self, size, db):
        super().setup(size, db)
        self.plan = plan = PLANS[size.name]
        self.url = db.dataset(size)
        self.rng = rng = random.Random(db.seed)
        with _pos.app_on(self.url, db.instance):
            stores = _pos.store_codes()
            self.key, self.jwt = _pos.create_till("bench-redeem-till", "Store staff", stores)
            picked = _pos.members_with_phones(rng, plan.members * 3)
            self.groups = [picked[i::3] for i in range(3)]
            for member_id, _ in picked:
                give_points(member_id)
        # the demo chain's members may have redeemed before: count only what comes now
        self.redeemed_before = self._redeem_entries([member_id for member_id, _ in picked])
        self.store = stores[0]
        self.warm = [("GET", f"/api/v1/loyalty/members?phone={picked[0][1]}")] * 2
        self.server = _pos.Gunicorn(self.url, db.instance, WORKERS, THREADS)
        self.server.start()

    def _requests(self, group, prefix):
        items = [(f"{prefix}-{member_id}-{n}", member_id, phone)
                 for member_id, phone in group for n in range(TRIES)]
        self.rng.shuffle(items)
        return items

    def _redeem(self, token: str, group, prefix: str) -> _pos.Drive:
        items = self._requests(group, prefix)
        work = [(REDEEM, _pos.encode({"id": key, "member": {"phone": phone},
                                      "points": POINTS, "store": self.store,
                                      "reason": "积分兑换 (bench)"}))
                for key, _, phone in items]
        done = _pos.drive(self.server.port, token, _pos.split(work, self.plan.clients),
                          self.warm)
        wanted = {201: GRANTED * len(group), 409: (TRIES - GRANTED) * len(group)}
        if done.statuses() != wanted:
            raise AssertionError(f"redemptions answered {done.statuses()}, expected {wanted}")
        refused = {body.get("code") for status, body in done.answers if status == 409}
        if refused != {"insufficient_points"}:
            raise AssertionError(f"refusals answered the codes {refused}")
        self._check(group)
        return done

    def _redeem_entries(self, ids: list[int]) -> dict[int, int]:
        conn, mark = _pos.driver_connect(self.url)
        try:
            cur = conn.cursor()
            marks = ", ".join([mark] * len(ids))
            cur.execute(f"SELECT member_id, count(*) FROM loyalty_ledger_entry WHERE kind = "
                        f"'redeem' AND member_id IN ({marks}) GROUP BY member_id", ids)
            return dict(cur.fetchall())
        finally:
            conn.close()

    def _check(self, group, redeemed: int = GRANTED) -> None:
        ids = [member_id for member_id, _ in group]
        problems = _pos.ledger_problems(self.url, ids)
        conn, mark = _pos.driver_connect(self.url)
        try:
            cur = conn.cursor()
            marks = ", ".join([mark] * len(ids))
            cur.execute(f"SELECT member_id, balance FROM loyalty_member_balance "
                        f"WHERE member_id IN ({marks})", ids)
            balances = dict(cur.fetchall())
        finally:
            conn.close()
        entries = {member_id: count - self.redeemed_before.get(member_id, 0)
                   for member_id, count in self._redeem_entries(ids).items()}
        entries = {member_id: count for member_id, count in entries.items() if count}
        if set(balances.values()) != {0}:
            problems.append(f"balances left: {sorted(set(balances.values()))}, expected 0")
        if set(entries.values()) != {redeemed} or len(entries) != len(ids):
            problems.append(f"redeem entries per member: {sorted(set(entries.values()))}, "
                            f"expected {redeemed}")
        if problems:
            raise AssertionError("; ".join(problems[:5]))

    def run(self):
        by_key = self._redeem(self.key, self.groups[0], "BENCH-R")
        by_jwt = self._redeem(self.jwt, self.groups[1], "BENCH-J")
        clients = self.plan.clients
        per_s = len(by_key.answers) / by_key.seconds
        return [
            Figure("per_s", f"redemption requests/s (10 of 12 granted), {clients} clients, "
                   f"API key, {WORKERS}x{THREADS} gunicorn", per_s, "req/s", better="higher"),
            Figure("sql_per_s", "the same requests/s, against raw SQL", per_s, "req/s",
                   better="higher"),
            Figure("jwt_per_s", f"redemption requests/s, {clients} clients, a JWT instead",
                   len(by_jwt.answers) / by_jwt.seconds, "req/s", better="higher"),
            Figure("mean_ms", "redemption: mean answer time (API key)",
                   sum(by_key.latencies) / len(by_key.latencies) * 1000, "ms"),
        ]

    def baseline(self):
        clients = self.plan.clients
        measured = pgbench_scratch(self.db.scratch(), clients, self.plan.pgbench_seconds)
        group = self.groups[2]
        seconds, requests = 0.0, 0
        for round_ in range(SQL_ROUNDS):
            if round_:
                _raw_give(self.url, [member_id for member_id, _ in group], round_)
            items = self._requests(group, f"BENCH-S{round_}")
            spent, _ = _pos.run_sql_clients(self.url, _pos.split(items, clients), _raw_redeem)
            seconds, requests = seconds + spent, requests + len(items)
            self._check(group, redeemed=GRANTED * (round_ + 1))
        sql_per_s = requests / seconds
        return [
            Figure("per_s", f"pgbench -N, {clients} clients", measured["tps"], "tx/s",
                   better="higher"),
            Figure("sql_per_s", f"raw SQL conditional UPDATE + ledger INSERT, {clients} "
                   "clients", sql_per_s, "req/s", better="higher"),
            Figure("jwt_per_s", "raw SQL conditional UPDATE (as above)", sql_per_s, "req/s",
                   better="higher"),
            Figure("mean_ms", "pgbench -N: latency average", measured["latency_ms"], "ms"),
        ]

    def teardown(self):
        server = getattr(self, "server", None)
        if server is not None:
            server.stop()


def give_points(member_id: int) -> None:
    """A balance of exactly 1,000 points, by a manual adjustment through the loyalty
    plugin (needs the app): the demo chain's members already hold points."""
    from zhanggui_loyalty.models import MemberBalance
    from zhanggui_loyalty.ledger.redemption import adjust_points

    row = MemberBalance.get_or_none(MemberBalance.member_id == member_id)
    short = GIVEN - (row.balance if row is not None else 0)
    if short:
        adjust_points(f"bench-give-{member_id}", member_id, short,
                      "benchmark opening balance", None)


def _raw_give(url: str, member_ids: list[int], round_: int) -> None:
    """Top the members up to 1,000 again between baseline rounds (ledger and balance)."""
    conn, mark = _pos.driver_connect(url)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    try:
        with conn.cursor() as cur:
            for member_id in member_ids:
                cur.execute(
                    "INSERT INTO loyalty_ledger_entry (member_id, kind, points, "
                    "pending_points, spend, source_type, source_id, idempotency_key, "
                    f"occurred_at, created_at) VALUES ({mark}, 'adjust', {mark}, 0, 0, "
                    f"'adjustment', {mark}, {mark}, {mark}, {mark})",
                    (member_id, GIVEN, f"bench-{round_}", f"adjustment:bench-{round_}-{member_id}",
                     now, now))
                cur.execute(f"UPDATE loyalty_member_balance SET balance = balance + {mark} "
                            f"WHERE member_id = {mark}", (GIVEN, member_id))
        conn.commit()
    finally:
        conn.close()


def _raw_redeem(conn, mark, item) -> None:
    key, member_id, _phone = item
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    with conn.cursor() as cur:
        cur.execute(f"UPDATE loyalty_member_balance SET balance = balance - {mark}, "
                    f"updated_at = {mark} WHERE member_id = {mark} AND balance >= {mark}",
                    (POINTS, now, member_id, POINTS))
        if cur.rowcount == 1:
            cur.execute(
                "INSERT INTO loyalty_ledger_entry (member_id, kind, points, pending_points, "
                "spend, source_type, source_id, idempotency_key, occurred_at, created_at) "
                f"VALUES ({mark}, 'redeem', {mark}, 0, 0, 'redemption', {mark}, {mark}, "
                f"{mark}, {mark})",
                (member_id, -POINTS, key, f"redemption:{key}", now, now))
    conn.commit()
