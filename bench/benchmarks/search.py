"""Full-text search over member documents: the search plugin's backend against SQLite
FTS5 (trigram tokenizer) on the same documents, in the same run.

``size.members`` generated member documents (seeded: Chinese names, one in five in
Traditional characters, cards, phone suffixes, home stores) are offered by a bench
plugin through ``zhanggui_search_sources`` and indexed with ``reindex()`` (the code
``zhanggui search reindex`` runs).  On the SQLite target the backend is whoosh, on the
PostgreSQL target the database backend (``pg_trgm``).  The FTS5 table holds each
document's name, its pinyin and initials, card, phone suffix (in clear: a baseline
only) and store text, so both answer the same queries: a name, a name's pinyin, a card
number, a phone suffix, in equal shares.  FTS5 trigram cannot match fewer than three
characters, so most two-character names find nothing there (its times are the lower
for it).  Times are per query, warm (one untimed pass first), every document visible.
"""
from __future__ import annotations

import random
import sqlite3
import statistics
import time
import types
import uuid

from bench import datasets
from bench.harness import Benchmark, Figure

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常欧阳"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞辉建国志文斌宇浩凯丹琳晨雪梅婷倩颖佳慧欣怡子轩梓涵思睿博俊"
TRADITIONAL = str.maketrans("张刘陈杨黄赵吴郑谢邓许韩冯罗伟丽强军杰涛鹏飞辉国华兰红凯丹婷颖",
                            "張劉陳楊黃趙吳鄭謝鄧許韓馮羅偉麗強軍傑濤鵬飛輝國華蘭紅凱丹婷穎")
QUERIES = 400


def _documents(n: int, seed: int):
    """``(key, name, card, suffix, store)`` of ``n`` members, the same for every run."""
    rng = random.Random(seed)
    for i in range(1, n + 1):
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN)
                                              for _ in range(rng.choice((1, 2, 2))))
        if rng.random() < 0.2:
            name = name.translate(TRADITIONAL)
        yield (i, name, f"88{i:010d}", f"{rng.randrange(10000):04d}", f"S{i % 40:02d}")


def _bench_plugin(n: int, seed: int):
    from zhanggui import SearchDocument, SearchSource, hookimpl

    def documents(since):
        if since is not None:
            return
        for key, name, card, suffix, store in _documents(n, seed):
            yield SearchDocument(key=str(key), title=name, body=f"{store} 上海 南京东路店",
                                 store=store, names=(name,), codes=(card,),
                                 phone_suffixes=(suffix,))

    plugin = types.ModuleType("zhanggui_bench_search")
    plugin.name, plugin.requires, plugin.title, plugin.version = \
        "bench_search", (), "bench search", "0"
    plugin.zhanggui_search_sources = hookimpl(lambda: [SearchSource(
        name="bench.members", title="Members", documents=documents, count=lambda: n)])
    return plugin


def _percentiles(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return (statistics.median(times) * 1e3,
            times[min(len(times) - 1, int(len(times) * 0.95))] * 1e3)


class Search(Benchmark):
    title = "full-text search: the search plugin vs SQLite FTS5 trigram, same documents"

    def setup(self, size, db):
        super().setup(size, db)
        from zhanggui.app import create_app
        from zhanggui.cli import migrate_command

        self.n = size.members
        url = db.scratch()
        config = datasets.app_config(url, db.instance)
        config.update(PLUGINS=["search"], EXTRA_PLUGINS=[_bench_plugin(self.n, db.seed)],
                      SEARCH_BACKEND="whoosh" if db.kind == "sqlite" else "postgresql",
                      SEARCH_INDEX_DIR=str(db.cache / "work" / f"ix-{uuid.uuid4().hex[:8]}"))
        self.app = create_app(config)
        self.context = self.app.app_context()
        self.context.push()
        result = self.app.test_cli_runner().invoke(migrate_command)
        if result.exit_code:
            raise RuntimeError(result.output)
        self.queries = self._queries(db.seed)

    def _queries(self, seed):
        from pypinyin import lazy_pinyin

        rng = random.Random(seed + 1)
        picks = [d for d in _documents(self.n, self.db.seed) if rng.random() < 0.05]
        picks = rng.sample(picks, min(QUERIES, len(picks)))
        out = []
        for i, (key, name, card, suffix, store) in enumerate(picks):
            out.append([name, "".join(lazy_pinyin(name)), card, suffix][i % 4])
        return out

    def run(self):
        from zhanggui_search.backends import Scope, backend_for
        from zhanggui_search.querying import search
        from zhanggui_search.queue.reindex import reindex

        started = time.perf_counter()
        reindex(batch=20000, restart=True)
        seconds = time.perf_counter() - started
        backend = backend_for(self.app)
        assert backend.count() == self.n, (backend.count(), self.n)
        everyone = Scope(stores=None, permissions=frozenset({"*"}))
        for q in self.queries:
            search(q, everyone, limit=20)
        times, found = [], 0
        for q in self.queries:
            t = time.perf_counter()
            found += bool(search(q, everyone, limit=20))
            times.append(time.perf_counter() - t)
        p50, p95 = _percentiles(times)
        label = backend.name
        return [Figure("p50_ms", f"{label}: median query", p50, "ms"),
                Figure("p95_ms", f"{label}: 95th percentile query", p95, "ms"),
                Figure("found_pct", f"{label}: queries answered with a hit",
                       100.0 * found / len(self.queries), "%", better="higher"),
                Figure("index_s", f"{label}: full reindex of {self.n:,} documents",
                       seconds, "s"),
                Figure("index_per_s", f"{label}: documents indexed per second",
                       self.n / seconds, "/s", better="higher")]

    def baseline(self):
        from pypinyin import lazy_pinyin

        path = self.db.cache / "work" / f"fts5-{time.time_ns()}.db"
        conn = sqlite3.connect(path)
        try:
            conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, "
                         "tokenize='trigram')")
            started = time.perf_counter()
            rows = []
            for key, name, card, suffix, store in _documents(self.n, self.db.seed):
                syllables = lazy_pinyin(name)
                rows.append((key, name, " ".join(["".join(syllables),
                                                  "".join(s[0] for s in syllables),
                                                  card, suffix, store, "上海 南京东路店"])))
                if len(rows) == 20000:
                    conn.executemany("INSERT INTO docs(rowid, title, body) VALUES (?,?,?)",
                                     rows)
                    rows = []
            conn.executemany("INSERT INTO docs(rowid, title, body) VALUES (?,?,?)", rows)
            conn.commit()
            seconds = time.perf_counter() - started
            sql = "SELECT rowid, title FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 20"

            def query(q):
                return conn.execute(sql, ('"' + q.replace('"', '""') + '"',)).fetchall()

            for q in self.queries:
                query(q)
            times, found = [], 0
            for q in self.queries:
                t = time.perf_counter()
                found += bool(query(q))
                times.append(time.perf_counter() - t)
        finally:
            conn.close()
            path.unlink(missing_ok=True)
        p50, p95 = _percentiles(times)
        return [Figure("p50_ms", "FTS5 trigram: median query", p50, "ms"),
                Figure("p95_ms", "FTS5 trigram: 95th percentile query", p95, "ms"),
                Figure("found_pct", "FTS5 trigram: queries answered with a hit",
                       100.0 * found / len(self.queries), "%", better="higher"),
                Figure("index_s", f"FTS5 trigram: build of {self.n:,} documents",
                       seconds, "s"),
                Figure("index_per_s", "FTS5 trigram: documents indexed per second",
                       self.n / seconds, "/s", better="higher")]

    def teardown(self):
        context = getattr(self, "context", None)
        if context is not None:
            import shutil

            from zhanggui.testing import _close

            folder = self.app.extensions["zhanggui"].settings["SEARCH_INDEX_DIR"]
            _close(self.app)
            context.pop()
            shutil.rmtree(folder, ignore_errors=True)
