"""The call center's screen pop for a caller number:
``zhanggui_callcenter.screenpop.service.screen_pop`` against raw SQL fetching the same
facts.

Ours does what ``GET /api/v1/callcenter/screen-pop`` does for a CTI client: normalise
the number with ``phonenumbers``, ask ``zhanggui_find_member`` (key-hash, indexed
look-up), gather ``zhanggui_member_summary`` from members (profile, last five
purchases with their counters, consent) and loyalty (tier, points), then the open
tickets and the recent calls of the number.  The baseline is the database's share
alone: the same seven ``SELECT``s through the driver, with the hashes computed
beforehand.  One caller in ten is not a member.  Both run warm, in the same order,
and print the median and the 99th percentile.
"""
from __future__ import annotations

import random
import statistics
import time

from bench import datasets
from bench.harness import Benchmark, Figure

FORMATS = (lambda p: p, lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}",
           lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}", lambda p: f"0086 {p}")

BASELINE_SQL = (
    "SELECT m.*, s.code, s.name FROM members_member m LEFT JOIN members_store s "
    "ON s.id = m.home_store_id WHERE m.phone_hash = {mark} LIMIT 1",
    "SELECT p.id, p.pos_id, p.occurred_at, p.total, p.refunded_amount, s.code, s.name, "
    "s.currency FROM members_purchase p JOIN members_store s ON s.id = p.store_id "
    "WHERE p.member_id = {mark} ORDER BY p.occurred_at DESC LIMIT 5",
    "SELECT purchase_id, counter_code FROM members_purchase_line WHERE purchase_id IN "
    "(SELECT id FROM members_purchase WHERE member_id = {mark} "
    "ORDER BY occurred_at DESC LIMIT 5)",
    "SELECT channel, granted FROM members_consent_state WHERE member_id = {mark}",
    "SELECT balance, pending FROM loyalty_member_balance WHERE member_id = {mark}",
    "SELECT t.code, t.name, t.rank FROM loyalty_member_tier mt JOIN loyalty_tier t "
    "ON t.id = mt.tier_id WHERE mt.member_id = {mark}",
    "SELECT id, kind, priority, status, subject FROM callcenter_ticket WHERE member_id = "
    "{mark} AND status NOT IN ('resolved', 'closed', 'merged') ORDER BY id DESC LIMIT 10",
)
CALLS_SQL = ("SELECT id, started_at, state, outcome, duration_seconds FROM callcenter_call "
             "WHERE phone = {mark} ORDER BY started_at DESC LIMIT 5")


class ScreenPop(Benchmark):
    title = "call-center screen pop: screen_pop() vs raw SQL of the same facts"

    def setup(self, size, db):
        super().setup(size, db)
        from zhanggui.app import create_app

        self.url = db.dataset(size)
        self.app = create_app(datasets.app_config(self.url, db.instance))
        self.context = self.app.app_context()
        self.context.push()
        self.phones, self.hashes = self._sample(min(500 * size.repeat, size.members))

    def _sample(self, n):
        from zhanggui import database
        from zhanggui_members.profile.crypto import phone_cipher
        from zhanggui_members.profile.phones import normalize_mobile

        rng = random.Random(self.db.seed + 17)
        top = database.execute_sql("SELECT max(id) FROM members_member").fetchone()[0]
        ids = rng.sample(range(1, top + 1), min(n, top))
        cipher = phone_cipher()
        phones = []
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join(["%s" if self.db.kind == "postgresql" else "?"] * len(chunk))
            phones += [cipher.decrypt(enc) for (enc,) in database.execute_sql(
                f"SELECT phone_encrypted FROM members_member WHERE id IN ({marks}) "
                f"AND phone_encrypted IS NOT NULL", chunk).fetchall()]
        rng.shuffle(phones)
        for i in range(0, len(phones), 10):        # one in ten: not a member
            phones[i] = "186" + "".join(rng.choice("0123456789") for _ in range(8))
        typed = [FORMATS[i % len(FORMATS)](p) for i, p in enumerate(phones)]
        return typed, [(cipher.lookup_hash(normalize_mobile(p)), "+86" + p) for p in phones]

    def run(self):
        from zhanggui_callcenter.screenpop.service import screen_pop

        for phone in self.phones:                  # warm the caches
            screen_pop(phone)
        return _figures(screen_pop, self.phones, "screen_pop()")

    def baseline(self):
        if self.db.kind == "sqlite":
            import sqlite3

            conn = sqlite3.connect(self.url[len("sqlite:///"):])
            mark = "?"
        else:
            import psycopg2

            conn = psycopg2.connect(self.url)
            conn.autocommit = True
            mark = "%s"
        cur = conn.cursor()
        member_sql = [q.format(mark=mark) for q in BASELINE_SQL]
        calls_sql = CALLS_SQL.format(mark=mark)

        def pop(key):
            digest, e164 = key
            cur.execute(member_sql[0], (digest,))
            row = cur.fetchone()
            if row is not None:
                for query in member_sql[1:]:
                    cur.execute(query, (row[0],))
                    cur.fetchall()
            cur.execute(calls_sql, (e164,))
            return cur.fetchall()

        for key in self.hashes:
            pop(key)
        try:
            return _figures(pop, self.hashes, "raw SQL")
        finally:
            conn.close()

    def teardown(self):
        context = getattr(self, "context", None)
        if context is not None:
            from zhanggui.testing import _close

            _close(self.app)
            context.pop()


def _figures(pop, keys, label):
    times = []
    clock = time.perf_counter
    for key in keys:
        t = clock()
        pop(key)
        times.append(clock() - t)
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    return [Figure("p50_ms", f"{label}: median per pop", statistics.median(times) * 1e3, "ms"),
            Figure("p99_ms", f"{label}: 99th percentile", p99 * 1e3, "ms")]
