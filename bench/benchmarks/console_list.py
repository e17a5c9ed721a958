"""The console's member list page: our ``MemberView`` (peewee data interface) against
FAB's stock SQLAlchemy ``ModelView`` over the same rows in the same database.

Ours is the member directory as a signed-in head-office admin opens it: the app with
every plugin, ``GET /memberview/list/`` through the Flask test client — FAB's security
checks, store scope, our three-statement page read (count, key page, rows of the
page), the template, phones decrypted and masked, times in the store's zone.

The baseline is a bare Flask + Flask-AppBuilder app (FAB's own security on its stock
SQLAlchemy session, as the start-up benchmark's baseline), with a SQLAlchemy model
mapped onto ``members_member``, ``members_store`` and ``members_member_score`` and a
stock ``ModelView`` named ``MemberView`` too, so both answer the *same URL*: same nine
list columns (name, masked phone — decrypted with the same key and masked the same
way —, card, home store, stage, joined at, and the value group, RFM score and CLV of
the score row, ``score.<column>`` on FAB's side), same search columns, same order columns, the same ``_flt_`` filter
("contains", its index looked up in each view's own filter list), the same order
(``_oc_``/``_od_``), page (``page_``) and page size (``psize_``, 25 rows).  Its admin is
FAB's ``Admin`` role, with the permissions FAB itself creates.

Cases:

* ``filtered`` — names containing a common given-name character (``华``), sorted by
  join date, newest first, first page;
* ``deep`` — no filter, sorted by join date, oldest first, a page a tenth of the way
  into the table (page 4,000 at 1,000,000 members).

Each side runs in a fresh interpreter of its own (two FAB apps in one process share
FAB's process-wide filter registry), one after the other on the same private copy of
the data set: sign in, ``WARMUP`` untimed requests, then ``repeat`` timed ones; the
figure is the median.  The benchmark checks that both sides answered 200 with the
same number of table rows (and says on stderr when the members listed differ, which
only ties in the order column cause: we break them by id, FAB leaves them to the
database).
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench import datasets
from bench.harness import Benchmark, Figure

CHILD = Path(__file__).with_name("_console_list_child.py")
PAGE_SIZE = 25
WARMUP = 2
FRAGMENT = "华"          # 丽华, 建华, 国华, 华...: about one member in fifteen
USERNAME, PASSWORD = "bench-admin", "bench-Passw0rd-console"
REPEAT = {"tiny": 3, "small": 9, "large": 11}


class ConsoleList(Benchmark):
    title = "console member list page: our MemberView (peewee) vs FAB's stock SQLAlchemy ModelView"

    def setup(self, size, db):
        super().setup(size, db)
        self.url = db.dataset(size)
        deep = max(1, size.members // PAGE_SIZE // 10)
        self.cases = {
            "filtered": {"filter": ["name", FRAGMENT], "order": "joined_at",
                         "direction": "desc", "page": 0},
            "deep": {"filter": None, "order": "joined_at", "direction": "asc",
                     "page": deep},
        }
        self.labels = {"filtered": f"name contains {FRAGMENT}, by join date, page 1",
                       "deep": f"no filter, by join date, page {deep + 1:,}"}
        datasets.zhanggui(["create-admin", "--username", USERNAME, "--password", PASSWORD,
                           "--email", "bench-admin@example.com"], self.url, db.instance)
        self.sides = {}

    def _side(self, kind):
        spec = {"cases": self.cases, "page_size": PAGE_SIZE,
                "repeat": REPEAT.get(self.size.name, 5), "warmup": WARMUP,
                "username": USERNAME, "password": PASSWORD}
        done = subprocess.run([sys.executable, str(CHILD), kind, json.dumps(spec)],
                              capture_output=True, text=True,
                              env=datasets.app_env(self.url, self.db.instance))
        if done.returncode != 0:
            raise RuntimeError(f"{kind} list pages failed:\n{done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        for name, case in result.items():
            if case["status"] != 200:
                raise RuntimeError(f"{kind} {case['url']} answered {case['status']}")
        self.sides[kind] = result
        return result

    def _figures(self, result, label):
        figures = [Figure(f"{name}_ms", f"{label}: {self.labels[name]}, median",
                          result[name]["median_ms"], "ms") for name in self.cases]
        return figures + [Figure(f"{name}_statements", f"{label}: {self.labels[name]}, "
                                 "SQL statements", result[name]["statements"], "statements")
                          for name in self.cases]

    def run(self):
        return self._figures(self._side("zhanggui"), "MemberView (peewee)")

    def baseline(self):
        result = self._side("fab")
        ours = self.sides["zhanggui"]
        for name in self.cases:   # comparable pages: the same number of table rows
            if ours[name]["rows"] != result[name]["rows"] or not ours[name]["rows"]:
                raise RuntimeError(f"{name}: our page shows {ours[name]['rows']} rows, "
                                   f"FAB's {result[name]['rows']}")
            if ours[name]["names"] != result[name]["names"]:
                # FAB breaks ties of the order column as the database likes, we by id
                print(f"console_list {name}: the pages list the same number of members "
                      f"but not the same ones in the same order (ties in the order "
                      f"column)", file=sys.stderr)
        return self._figures(result, "stock FAB ModelView (SQLAlchemy)")
