"""A member look-up by phone over HTTP, as a till or the call center sends it, against
a bare Flask route doing the same look-up in raw SQL over a pooled connection.

Ours: ``GET /api/v1/members/lookup?phone=...`` under ``gunicorn
"zhanggui.app:create_app()"`` with every installed plugin (4 gthread workers x 2
threads, keep-alive), a till's API key (role "POS terminal"), numbers as typed
(``+86 138 0013 8000``, ``0086...``), one in ten not a member (404): the API key and
permission check, the store scope, normalising and key-hashing the number, the
member ``SELECT``, the purchase summary and the masked phone.

Baseline: ``bench/benchmarks/_bare_lookup.py`` under the same gunicorn: a bare
Flask route, ``SELECT ... FROM members_member WHERE phone_hash = %s`` through a
psycopg2 pool with the hash given in the query string, the row as JSON.  Same
clients, same members, same order.  PostgreSQL only (the baseline's pool is
psycopg2's).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import quote

from bench.harness import Benchmark, Figure

from . import _pos

WORKERS, THREADS = 4, 2
FORMATS = (lambda p: p, lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}",
           lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}", lambda p: f"0086 {p}")


@dataclass(frozen=True)
class Plan:
    clients: int
    lookups: int


PLANS = {"tiny": Plan(clients=4, lookups=200), "small": Plan(clients=8, lookups=4000),
         "large": Plan(clients=8, lookups=8000)}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class LookupHttp(Benchmark):
    title = "member look-up by phone over HTTP vs a bare Flask route with raw SQL"
    databases = ("postgresql",)

    def setup(self, size, db):
        super().setup(size, db)
        from zhanggui_members.profile.crypto import phone_cipher

        self.plan = plan = PLANS[size.name]
        self.url = db.dataset(size)
        rng = random.Random(db.seed)
        with _pos.app_on(self.url, db.instance):
            stores = _pos.store_codes()
            self.key, _jwt = _pos.create_till("bench-lookup-till", "POS terminal", stores)
            members = _pos.members_with_phones(rng, min(plan.lookups, 2000))
            cipher = phone_cipher()
            phones = [rng.choice(members)[1] for _ in range(plan.lookups)]
            for i in range(0, len(phones), 10):   # one in ten: not a member
                phones[i] = "19" + "".join(rng.choice("0123456789") for _ in range(9))
            self.hashes = [cipher.lookup_hash(p) for p in phones]
        self.ours = [(f"/api/v1/members/lookup?phone={quote(FORMATS[i % 4](p))}", None)
                     for i, p in enumerate(phones)]
        self.bare = [(f"/lookup?h={h}", None) for h in self.hashes]
        self.server = _pos.Gunicorn(self.url, db.instance, WORKERS, THREADS).start()
        self.bare_server = _pos.Gunicorn(self.url, db.instance, WORKERS, THREADS,
                                         app="bench.benchmarks._bare_lookup:create_app()",
                                         ready_path="/health").start()

    def _drive(self, server, work, warm) -> _pos.Drive:
        done = _pos.drive(server.port, self.key, _pos.split(work, self.plan.clients), warm)
        statuses = done.statuses()
        expected = {200: len(work) - len(range(0, len(work), 10)),
                    404: len(range(0, len(work), 10))}
        if statuses != expected:
            raise AssertionError(f"look-ups answered {statuses}, expected {expected}")
        return done

    def _figures(self, done: _pos.Drive, what: str) -> list[Figure]:
        clients = self.plan.clients
        return [
            Figure("median_ms", f"{what}: median answer time, {clients} clients",
                   _pos.median(done.latencies) * 1000, "ms"),
            Figure("p99_ms", f"{what}: 99th percentile", _percentile(done.latencies, 0.99)
                   * 1000, "ms"),
            Figure("per_s", f"{what}: look-ups/s", len(done.latencies) / done.seconds,
                   "req/s", better="higher"),
        ]

    def run(self):
        warm = [("GET", self.ours[1][0])] * 3
        return self._figures(self._drive(self.server, self.ours, warm),
                             "GET /api/v1/members/lookup, API key")

    def baseline(self):
        warm = [("GET", self.bare[1][0])] * 3
        return self._figures(self._drive(self.bare_server, self.bare, warm),
                             "bare Flask + raw SQL, pooled")

    def teardown(self):
        for name in ("server", "bare_server"):
            server = getattr(self, name, None)
            if server is not None:
                server.stop()
