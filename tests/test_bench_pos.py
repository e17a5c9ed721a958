"""The POS benchmarks (pos_ingest, accrual, redemption) run through the harness on a
tiny chain, report each figure beside its baseline, and leave no gunicorn and no
scratch database behind, even when a run fails (figures are never judged here)."""
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
    records = [json.loads(line) for line in results.read_text().splitlines()] \
        if results.exists() else []
    return code, out.getvalue(), records


def _check(output, records, names, database):
    assert {r["benchmark"] for r in records} == set(names), output
    for record in records:
        assert record["database"] == database and record["size"] == "tiny"
        assert record["value"] > 0 and record["baseline_value"] > 0, record
        assert record["baseline"] and f"{record['ratio']:.2f}x" in output
    for name in names:
        assert f"== {name}:" in output


def _pg_server():
    url = os.environ.get("ZHANGGUI_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres", "postgresql")):
        pytest.skip("ZHANGGUI_TEST_DATABASE_URL does not name a PostgreSQL database")
    return urlunparse(urlparse(url)._replace(path="/postgres"))


def test_pos_ingestion_on_sqlite_reports_api_rates_beside_raw_sql_and_stops_gunicorn(
        tmp_path, servers):
    code, output, records = _run(tmp_path, "--db", "sqlite", "--only", "pos_ingest")
    assert code == 0, output
    _check(output, records, ["pos_ingest"], "sqlite")
    assert {r["figure"] for r in records} == {"single_per_s", "single_ms", "jwt_per_s",
                                              "batch_per_s"}
    assert "raw SQL" in output and "batches of 250" in output
    assert servers and all(_gone(group) for group in servers)
    assert not list((tmp_path / "cache" / "work").glob("*.db"))


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


def test_pos_benchmarks_on_postgresql_report_beside_raw_sql_and_pgbench_and_clean_up(
        tmp_path, servers):
    server = _pg_server()
    prefix = f"zg_benchtest_pos_{os.getpid()}"
    target = PostgresTarget(tmp_path / "cache", 2026, server, prefix=prefix)
    try:
        code, output, records = _run(tmp_path, "--db", "postgresql", "--pg-url", server,
                                     "--pg-prefix", prefix, "--only",
                                     "pos_ingest,accrual,redemption")
        assert code == 0, output
        _check(output, records, ["pos_ingest", "accrual", "redemption"], "postgresql")
        assert "pgbench -N" in output and "conditional UPDATE" in output
        left = target.sql("SELECT datname FROM pg_database WHERE datname LIKE %s",
                          (f"{prefix}\\_work\\_%",))
        assert left == []          # copies and pgbench scratch databases dropped
        assert len(servers) == 3 and all(_gone(group) for group in servers)
    finally:
        target.drop_cached()
