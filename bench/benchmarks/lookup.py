"""Finding a member by phone at the till: ``zhanggui_members.profile.services.find_member``
against raw SQL on the ``phone_hash`` index.

Ours does everything a POS or call-center look-up does: normalise the number as typed
(``+86 138 0013 8000``, ``0086...``), key-hash it, query through peewee and build the
``Member``.  The baseline is the database's share alone: the same ``SELECT`` by
``phone_hash`` through the driver with the hashes computed beforehand.  One look-up in
ten is a number that is not a member.  Both run warm (one untimed pass first), in
the same order.
"""
from __future__ import annotations

import random
import statistics
import time

from bench import datasets
from bench.harness import Benchmark, Figure

FORMATS = (lambda p: p, lambda p: f"+86 {p[:3]} {p[3:7]} {p[7:]}",
           lambda p: f"{p[:3]}-{p[3:7]}-{p[7:]}", lambda p: f"0086 {p}")   # as typed


class Lookup(Benchmark):
    title = "member look-up by phone: find_member vs raw SQL on phone_hash"

    def setup(self, size, db):
        super().setup(size, db)
        from zhanggui.app import create_app

        self.url = db.dataset(size)
        self.app = create_app(datasets.app_config(self.url, db.instance))
        self.context = self.app.app_context()
        self.context.push()
        self.phones, self.hashes = self._sample(min(1000 * size.repeat, size.members))

    def _sample(self, n):
        from zhanggui import database
        from zhanggui_members.profile.crypto import phone_cipher
        from zhanggui_members.profile.phones import normalize_mobile

        rng = random.Random(self.db.seed)
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
            phones[i] = "19" + "".join(rng.choice("0123456789") for _ in range(9))
        typed = [FORMATS[i % len(FORMATS)](p) for i, p in enumerate(phones)]
        return typed, [cipher.lookup_hash(normalize_mobile(p)) for p in phones]

    def run(self):
        from zhanggui_members.profile.services import find_member

        for phone in self.phones:                  # warm the caches
            find_member(phone=phone)
        return _figures(lambda phone: find_member(phone=phone), self.phones, "find_member")

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
        query = f"SELECT * FROM members_member WHERE phone_hash = {mark} LIMIT 1"

        def lookup(digest):
            cur.execute(query, (digest,))
            return cur.fetchone()

        for digest in self.hashes:
            lookup(digest)
        try:
            return _figures(lookup, self.hashes, "raw SQL")
        finally:
            conn.close()

    def teardown(self):
        context = getattr(self, "context", None)
        if context is not None:
            from zhanggui.testing import _close

            _close(self.app)
            context.pop()


def _figures(lookup, keys, label):
    times = []
    clock = time.perf_counter
    started = clock()
    for key in keys:
        t = clock()
        lookup(key)
        times.append(clock() - t)
    total = clock() - started
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    return [Figure("median_us", f"{label}: median per look-up",
                   statistics.median(times) * 1e6, "us"),
            Figure("p95_us", f"{label}: 95th percentile", p95 * 1e6, "us"),
            Figure("per_s", f"{label}: look-ups per second, one connection",
                   len(keys) / total, "/s", better="higher")]
