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
from bench.datasets import PostgresTarget  # noqa: E402

BENCHMARKS = {"generate", "lookup", "rfm", "startup"}


def _run(tmp_path, *args):
    out = io.StringIO()
    results = tmp_path / "results.jsonl"
    code = harness.main(["--size", "tiny", "--cache", str(tmp_path / "cache"),
                         "--results", str(results), *args], out=out)
    lines = [json.loads(line) for line in results.read_text().splitlines()] \
        if results.exists() else []
    return code, out.getvalue(), lines


def _check_report(output, records, database):
    assert {r["benchmark"] for r in records} == BENCHMARKS, output
    for name in BENCHMARKS:
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


def test_every_benchmark_runs_on_sqlite_and_reports_figures_beside_baselines(tmp_path):
    code, output, records = _run(tmp_path, "--db", "sqlite")
    assert code == 0, output
    _check_report(output, records, "sqlite")
    cached = tmp_path / "cache" / "tiny-2026.db"
    assert cached.exists() and cached.with_suffix(".json").exists()
    # a second run reuses the cached chain and appends to the same file
    code, output, again = _run(tmp_path, "--db", "sqlite", "--only", "lookup")
    assert code == 0, output
    assert len(again) == len(records) + 3 and again[-1]["benchmark"] == "lookup"


def test_the_harness_lists_benchmarks_and_refuses_unknown_names(tmp_path):
    out = io.StringIO()
    assert harness.main(["--list"], out=out) == 0
    assert {line.split()[0] for line in out.getvalue().splitlines()} == BENCHMARKS
    with pytest.raises(SystemExit, match="no benchmark nosuch"):
        harness.main(["--only", "nosuch", "--db", "sqlite", "--cache", str(tmp_path)])


def _pg_server():
    url = os.environ.get("ZHANGGUI_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql")):
        pytest.skip("ZHANGGUI_TEST_DATABASE_URL does not name a PostgreSQL database")
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def test_every_benchmark_runs_on_postgresql(tmp_path):
    server = _pg_server()
    prefix = f"zg_benchtest_{os.getpid()}"
    try:
        code, output, records = _run(tmp_path, "--db", "postgresql", "--pg-url", server,
                                     "--pg-prefix", prefix)
        assert code == 0, output
        _check_report(output, records, "postgresql")
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
