"""What a run prints and records: the machine, one table per benchmark, JSON lines.

The ratio is the cost of Zhanggui in units of the baseline's cost, whichever way the
figure goes: ``ours / baseline`` for times and memory, ``baseline / ours`` for rates.
``1.00x`` is as good as the baseline, ``2.00x`` twice as slow (or heavy).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

from .datasets import ROOT


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _commit() -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain"],
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def machine(versions: dict[str, str]) -> dict:
    """Cores, CPU, Python and database versions (and the commit measured)."""
    return {
        "cores": os.cpu_count(), "cpu": _cpu_model(),
        "python": platform.python_version(), "os": f"{platform.system()} {platform.release()}",
        "sqlite": versions.get("sqlite"), "postgresql": versions.get("postgresql"),
        "commit": _commit(),
    }


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def ratio(value: float, base: float | None, better: str) -> float | None:
    if base is None or value is None or base == 0 or value == 0:
        return None
    return value / base if better == "lower" else base / value


def pair(name, title, ours, base, size, database, machine, run_id) -> list[dict]:
    """One record per figure of ours, with the baseline figure of the same key."""
    baselines = {f.key: f for f in base}
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    load = _load()
    rows = []
    for fig in ours:
        b = baselines.get(fig.key)
        rows.append({
            "run": run_id, "at": now, "benchmark": name, "title": title,
            "figure": fig.key, "label": fig.label, "value": fig.value, "unit": fig.unit,
            "better": fig.better, "baseline": b.label if b else None,
            "baseline_value": b.value if b else None,
            "ratio": ratio(fig.value, b.value if b else None, fig.better),
            "size": size.name, "members": size.members, "lines": size.lines,
            "database": database, "load": load, "machine": machine,
        })
    return rows


def _num(value) -> str:
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def table(name, title, rows, machine) -> str:
    """The benchmark's figures as a plain-text table with its context."""
    first = rows[0] if rows else {}
    db = first.get("database", "")
    db_version = machine.get(db) or ""
    head = (f"== {name}: {title}\n"
            f"   data: {first.get('size')} ({first.get('members', 0):,} members, "
            f"{first.get('lines', 0):,} purchase lines) | database: {db} {db_version} | "
            f"machine: {machine['cores']} cores, {machine['cpu']}, Python {machine['python']}, "
            f"SQLite {machine['sqlite'] or '-'}, PostgreSQL {machine['postgresql'] or '-'} | "
            f"load {first.get('load')} | commit {machine.get('commit')}")
    header = ("figure", "zhanggui", "baseline", "baseline value", "ratio", "size",
              "database")
    body = [(r["label"], f"{_num(r['value'])} {r['unit']}", r["baseline"] or "-",
             f"{_num(r['baseline_value'])} {r['unit']}" if r["baseline"] else "-",
             f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-", r["size"],
             r["database"]) for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]
    lines = [head, "  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip()
              for line in body]
    return "\n".join(lines) + "\n"


def append(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as stream:
        for row in rows:
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
