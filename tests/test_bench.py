"""The benchmark harness runs end to end on a tiny chain and reports every figure
beside its baseline (figures are never judged here: timings do not belong in tests)."""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from bench.benchmarks import _pos  # noqa: E402
from bench.datasets import PostgresTarget  # noqa: E402

# every module under bench/benchmarks/ (other teams add theirs), by the databases it runs on
DISCOVERED = harness.discover()
BENCHMARKS = set(DISCOVERED)


def _expected(database):
    return {name for name, cls in DISCOVERED.items() if database in cls.databases}


@pytest.fixture
def servers(monkeypatch):
    """Every gunicorn the benchmarks start: its process group id."""
    started: list[int] = []
    original = _pos.Gunicorn._start

    def recording(self, timeout):
        result = original(self, timeout)
        started.append(self.process.pid)
        return result

    monkeypatch.setattr(_pos.Gunicorn, "_start", recording)
    return started


def _gone(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return True
    return False


def _run(tmp_path, *args):
    out = io.StringIO()
    results = tmp_path / "results.jsonl"
    code = harness.main(["--size", "tiny", "--cache", str(tmp_path / "cache"),
                         "--results", str(results), *args], out=out)
    lines = [json.loads(line) for line in results.read_text().splitlines()] \
        if results.exists() else []
    return code, out.getvalue(), lines


def _check_report(output, records, database):
    expected = _expected(database)
    assert {r["benchmark"] for r in records} == expected, output
    for name in expected:
        assert f"== {name}:" in output
    assert "figure" in output and "baseline" in output and "ratio" in output
    for record in records:
        assert record["database"] == database and record["size"] == "tiny"
        assert record["members"] == 200
        assert record["value"] > 0 and record["baseline_value"] > 0, record
        assert record["ratio"] > 0 and record["baseline"], record
        assert record["machine"]["cores"] >= 1 and record["machine"]["python"]
        assert record["machine"][database]
        assert f"{record['ratio']:.2f}x" in output
    assert len({r["run"] for r in records}) == 1


def test_every_benchmark_runs_on_sqlite_and_reports_figures_beside_baselines(tmp_path,
                                                                            servers):
    code, output, records = _run(tmp_path, "--db", "sqlite")
    assert code == 0, output
    _check_report(output, records, "sqlite")
    assert "raw SQL" in output and "batches of 250" in output      # pos_ingest's tiny batches
    assert servers and all(_gone(group) for group in servers)      # no gunicorn left behind
    assert not list((tmp_path / "cache" / "work").glob("*.db"))    # nor a private copy
    cached = tmp_path / "cache" / "tiny-2026.db"
    assert cached.exists() and cached.with_suffix(".json").exists()
    # a second run reuses the cached chain and appends to the same file
    code, output, again = _run(tmp_path, "--db", "sqlite", "--only", "lookup")
    assert code == 0, output
    assert len(again) == len(records) + 3 and again[-1]["benchmark"] == "lookup"


def test_a_cached_chain_is_kept_through_schema_changes_and_each_copy_is_migrated(tmp_path):
    """A set built before a migration existed is not rebuilt: its copy gets the step."""
    import sqlite3

    from bench import datasets

    target = datasets.SqliteTarget(tmp_path / "cache", 2026)
    size = datasets.SIZES["tiny"]
    target.cleanup()
    target.dataset(size)                      # builds the cached chain
    target.cleanup()
    cached = tmp_path / "cache" / "tiny-2026.db"
    # as if the set had been built before the core's 0002_user_preferences step
    with sqlite3.connect(cached) as conn:
        conn.execute("DROP TABLE zhanggui_user_preference")
        conn.execute("DELETE FROM zhanggui_migration WHERE name = '0002_user_preferences'")
    built = cached.stat().st_mtime_ns
    assert not any(p.name in ("models.py", "migrations.py") for p in datasets.generator_files())
    copy = target.dataset(size)
    try:
        conn = sqlite3.connect(copy[len("sqlite:///"):])
        tables = {n for (n,) in conn.execute("SELECT name FROM sqlite_master")}
        steps = {n for (n,) in conn.execute("SELECT name FROM zhanggui_migration")}
        members = conn.execute("SELECT count(*) FROM members_member").fetchone()[0]
        conn.close()
    finally:
        target.cleanup()
    assert "zhanggui_user_preference" in tables and "0002_user_preferences" in steps
    assert members == size.members
    assert cached.stat().st_mtime_ns == built             # kept, not rebuilt
    with sqlite3.connect(cached) as conn:                 # and left as it was
        assert "0002_user_preferences" not in {
            n for (n,) in conn.execute("SELECT name FROM zhanggui_migration")}


def test_the_harness_lists_benchmarks_and_refuses_unknown_names(tmp_path):
    out = io.StringIO()
    assert harness.main(["--list"], out=out) == 0
    assert {line.split()[0] for line in out.getvalue().splitlines()} == BENCHMARKS
    assert {"generate", "lookup", "startup", "console_list", "pos_ingest", "accrual",
            "redemption"} <= BENCHMARKS
    with pytest.raises(SystemExit, match="no benchmark nosuch"):
        harness.main(["--only", "nosuch", "--db", "sqlite", "--cache", str(tmp_path)])


def _pg_server():
    url = os.environ.get("ZHANGGUI_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql")):
        pytest.skip("ZHANGGUI_TEST_DATABASE_URL does not name a PostgreSQL database")
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def test_a_failing_run_still_stops_gunicorn_and_removes_the_copy(tmp_path, servers,
                                                                 monkeypatch):
    def till_unreachable(*args, **kwargs):
        raise ConnectionRefusedError("the till lost its network")

    monkeypatch.setattr(_pos, "drive", till_unreachable)
    code, output, records = _run(tmp_path, "--db", "sqlite", "--only", "pos_ingest")
    assert code == 1 and "pos_ingest on sqlite failed" in output
    assert "the till lost its network" in output and records == []
    assert servers and all(_gone(group) for group in servers)
    assert not list((tmp_path / "cache" / "work").glob("*.db"))


def test_every_benchmark_runs_on_postgresql(tmp_path, servers):
    server = _pg_server()
    prefix = f"zg_benchtest_{os.getpid()}"
    target = PostgresTarget(tmp_path / "cache", 2026, server, prefix=prefix)
    try:
        code, output, records = _run(tmp_path, "--db", "postgresql", "--pg-url", server,
                                     "--pg-prefix", prefix)
        assert code == 0, output
        _check_report(output, records, "postgresql")
        assert "pgbench -N" in output and "conditional UPDATE" in output
        left = target.sql("SELECT datname FROM pg_database WHERE datname LIKE %s",
                          (f"{prefix}\\_work\\_%",))
        assert left == []          # copies and pgbench scratch databases dropped
        assert servers and all(_gone(group) for group in servers)
    finally:
        PostgresTarget(tmp_path / "cache", 2026, server, prefix=prefix).drop_cached()


def test_pgbench_gives_the_postgresql_transaction_rate_baseline(tmp_path):
    from bench.baselines import pgbench_binary, pgbench_tps

    server = _pg_server()
    if pgbench_binary() is None:
        pytest.skip("pgbench is not installed (make bench installs it)")
    prefix = f"zg_benchtest_{os.getpid()}"
    try:
        assert pgbench_tps(server, clients=1, seconds=1, scale=1, prefix=prefix) > 0
    finally:
        PostgresTarget(tmp_path, 2026, server, prefix=prefix).drop_cached()
