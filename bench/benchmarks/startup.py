"""Cold start of one web worker: a fresh interpreter importing Zhanggui, running
``create_app()`` with every installed plugin and answering its first request, against
a bare Flask + Flask-AppBuilder app (no plugins, FAB's stock SQLAlchemy session) on
the same database doing the same.  Time and resident memory (RSS) after the first
request are what each gunicorn worker pays; the median of ``repeat`` starts."""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench import datasets
from bench.harness import Benchmark, Figure

CHILD = Path(__file__).with_name("_startup_child.py")


class Startup(Benchmark):
    title = "cold start and memory per worker: create_app + first request vs bare FAB"

    def setup(self, size, db):
        super().setup(size, db)
        self.url = db.dataset(size)

    def _starts(self, kind):
        samples = []
        for _ in range(self.size.repeat):
            done = subprocess.run([sys.executable, str(CHILD), kind], capture_output=True,
                                  text=True, env=datasets.app_env(self.url, self.db.instance))
            if done.returncode != 0:
                raise RuntimeError(f"{kind} start failed:\n{done.stderr[-3000:]}")
            sample = json.loads(done.stdout.strip().splitlines()[-1])
            if sample["status"] != 200:
                raise RuntimeError(f"{kind}: GET /login/ answered {sample['status']}")
            samples.append(sample)
        return samples

    def _figures(self, kind, label):
        samples = self._starts(kind)
        med = {k: statistics.median(s[k] for s in samples)
               for k in ("total_s", "create_s", "first_request_s", "rss_kb")}
        return [Figure("start_ms", f"{label}: imports + app + first request",
                       med["total_s"] * 1000, "ms"),
                Figure("create_ms", f"{label}: imports + app", med["create_s"] * 1000, "ms"),
                Figure("first_ms", f"{label}: first request", med["first_request_s"] * 1000,
                       "ms"),
                Figure("rss_mb", f"{label}: RSS after first request", med["rss_kb"] / 1024,
                       "MB")]

    def run(self):
        return self._figures("zhanggui", "all plugins")

    def baseline(self):
        return self._figures("fab", "bare Flask + FAB")
