"""The benchmark runner: finds the benchmarks, runs each on each database, prints a
table per benchmark and appends the figures to ``bench/results/results.jsonl``.

``python -m bench [--only NAME[,NAME]] [--size tiny|small|large]
[--db sqlite,postgresql] [--seed N] [--pg-url URL] [--rebuild] [--list]``
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import traceback
import uuid
from dataclasses import dataclass
from pathlib import Path

from . import report
from .datasets import ROOT, SIZES, PostgresTarget, Size, SqliteTarget, Target

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass
class Figure:
    """One measured number.  ``key`` pairs a figure with its baseline; ``better`` is
    ``"lower"`` (times, memory) or ``"higher"`` (rates)."""

    key: str
    label: str
    value: float
    unit: str
    better: str = "lower"


class Benchmark:
    """Subclass in a module of :mod:`bench.benchmarks` (see :mod:`bench`).

    The harness calls ``setup(size, db)``, ``run()``, ``baseline()`` and, whatever
    happened, ``teardown()``, once per database in ``databases``.
    """

    title = ""
    databases: tuple[str, ...] = ("sqlite", "postgresql")

    name = ""            # set from the module name

    def setup(self, size: Size, db: Target) -> None:
        self.size, self.db = size, db

    def run(self) -> list[Figure]:
        raise NotImplementedError

    def baseline(self) -> list[Figure]:
        raise NotImplementedError

    def teardown(self) -> None:
        pass


def discover() -> dict[str, type[Benchmark]]:
    """Every benchmark class under :mod:`bench.benchmarks`, by module name."""
    from . import benchmarks

    found = {}
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.benchmarks.{info.name}")
        classes = [c for c in vars(module).values() if inspect.isclass(c)
                   and issubclass(c, Benchmark) and c is not Benchmark
                   and c.__module__ == module.__name__]
        if len(classes) != 1:
            raise RuntimeError(f"bench/benchmarks/{info.name}.py must hold one Benchmark "
                               f"subclass, it holds {len(classes)}")
        classes[0].name = info.name
        found[info.name] = classes[0]
    return found


def run_one(cls: type[Benchmark], size: Size, db: Target, machine: dict, run_id: str,
            results: Path, out=sys.stdout) -> list[dict]:
    bench = cls()
    try:
        bench.setup(size, db)
        ours = bench.run()
        base = bench.baseline()
    finally:
        bench.teardown()
        db.cleanup()
    rows = report.pair(cls.name, cls.title, ours, base, size, db.kind, machine, run_id)
    out.write(report.table(cls.name, cls.title, rows, machine) + "\n")
    out.flush()
    report.append(results, rows)
    return rows


def _targets(args) -> list[Target]:
    cache = Path(args.cache)
    wanted = [d.strip() for d in args.db.split(",") if d.strip()]
    targets: list[Target] = []
    for kind in wanted:
        if kind == "sqlite":
            targets.append(SqliteTarget(cache, args.seed, rebuild=args.rebuild))
        elif kind == "postgresql":
            target = PostgresTarget(cache, args.seed, args.pg_url, rebuild=args.rebuild,
                                    prefix=args.pg_prefix)
            try:
                target.version()
            except Exception as exc:  # noqa: BLE001 - any connection failure
                if args.db_given:
                    raise SystemExit(f"PostgreSQL at {args.pg_url}: {exc}".strip())
                print(f"PostgreSQL not reachable at {args.pg_url}; its benchmarks are "
                      f"skipped ({str(exc).strip()})", file=sys.stderr)
                continue
            targets.append(target)
        else:
            raise SystemExit(f"--db: unknown database {kind!r} (sqlite, postgresql)")
    return targets


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--size", default="small", choices=list(SIZES))
    parser.add_argument("--db", default=None,
                        help="sqlite,postgresql (default: both, PostgreSQL if reachable)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pg-url", default=DEFAULT_PG)
    parser.add_argument("--pg-prefix", default="zg_bench", help=argparse.SUPPRESS)
    parser.add_argument("--cache", default=str(ROOT / "bench" / ".cache"))
    parser.add_argument("--results", default=str(ROOT / "bench" / "results" / "results.jsonl"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached data sets")
    parser.add_argument("--list", action="store_true", help="list the benchmarks")
    args = parser.parse_args(argv)
    args.db_given = args.db is not None
    args.db = args.db or "sqlite,postgresql"

    found = discover()
    if args.list:
        for name, cls in found.items():
            out.write(f"{name:12} {cls.title}\n")
        return 0
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(found)
    unknown = [n for n in names if n not in found]
    if unknown:
        raise SystemExit(f"--only: no benchmark {', '.join(unknown)} "
                         f"(there are: {', '.join(found)})")
    size = SIZES[args.size]
    targets = _targets(args)
    machine = report.machine({t.kind: t.version() for t in targets})
    run_id = uuid.uuid4().hex[:12]
    failed = 0
    for target in targets:
        for name in names:
            cls = found[name]
            if target.kind not in cls.databases:
                continue
            try:
                run_one(cls, size, target, machine, run_id, Path(args.results), out)
            except Exception:  # noqa: BLE001 - report and go on with the others
                failed += 1
                out.write(f"\n{name} on {target.kind} failed:\n{traceback.format_exc()}\n")
    return 1 if failed else 0
