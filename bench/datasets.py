"""Data sets for the benchmarks: built once by ``zhanggui demo-data``, cached by size
and seed, handed to each benchmark as a private copy.

* SQLite: the built file is kept as ``bench/.cache/<size>-<seed>.db``; a benchmark
  gets a copy of it.
* PostgreSQL: the built database is kept as the template ``zg_bench_<size>_<seed>``;
  a benchmark gets ``CREATE DATABASE ... TEMPLATE`` of it.

A cached set is rebuilt only when the code that generates its *rows* changes (see
:func:`generator_files`; the fingerprint of those files is stored beside the set) or
with ``--rebuild``.  Schema changes do not invalidate it: every private copy is
brought to the current schema by ``zhanggui migrate`` (which also syncs the console's
permissions) before a benchmark sees it, the way a production database is upgraded.
Every set ends on the same day (:data:`AS_OF`) and uses the same keys, so a seed gives
the same members, phones and purchases on any machine and any day.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-06-30"
SECRET_KEY = "zhanggui-bench-secret"
last_cpu_seconds = 0.0
FIELD_KEY = "zhanggui-bench-field-key"


@dataclass(frozen=True)
class Size:
    name: str
    members: int
    lines: int
    repeat: int          # repetitions of short measurements (start-up, look-ups x 100)


SIZES = {
    "tiny": Size("tiny", 200, 2_400, 1),
    "small": Size("small", 25_000, 250_000, 3),
    "large": Size("large", 1_000_000, 10_000_000, 5),
}


#: bump when the recipe below changes in a way the files do not show
RECIPE = 2
#: the generator: modules whose code decides which rows a data set holds
GENERATOR_NAMES = ("demo.py", "demo_catalog.py", "bulk.py")
#: the members plugin's phone cipher: the stored ciphertexts and ``phone_hash`` keys
#: (what the look-up benchmark probes) are computed by it
GENERATOR_EXTRA = ("plugins/members/zhanggui_members/profile/crypto.py",)


def generator_files() -> list[Path]:
    """The files whose code generates a data set's rows: ``demo.py`` (the
    ``DemoContext`` of the core and every plugin's ``zhanggui_demo_data`` part, at a
    plugin's top, in its ``demo/`` package or in a feature's folder),
    ``demo_catalog.py``, ``bulk.py`` and the members' ``crypto.py``.  Models and
    migrations are not among them: the schema is brought up to date on each copy."""
    files = [p for p in (ROOT / "core" / "zhanggui").glob("*.py") if p.name in GENERATOR_NAMES]
    for plugin in sorted((ROOT / "plugins").glob("*/zhanggui_*")):
        files += [p for p in plugin.glob("*.py") if p.name in GENERATOR_NAMES]
        files += [p for p in plugin.glob("demo/*.py") if p.name != "__init__.py"]
        files += [p for p in plugin.glob("*/demo.py") if p.parent.name != "tests"]
    files += [ROOT / extra for extra in GENERATOR_EXTRA if (ROOT / extra).exists()]
    return sorted(files)


def fingerprint() -> str:
    """Changes when the code that generates a data set's rows changes (and with the
    build parameters: last day, keys, :data:`RECIPE`)."""
    digest = hashlib.sha256(f"{RECIPE}|{AS_OF}|{FIELD_KEY}|{SECRET_KEY}".encode())
    for path in generator_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def upgrade(url: str, instance: Path) -> float:
    """Bring the copy ``url`` of a cached set to the current schema (pending
    migrations of the core and every installed plugin, console permissions synced);
    returns the wall time."""
    return zhanggui(["migrate"], url, instance)


def app_env(url: str, instance: Path) -> dict[str, str]:
    """Environment of a ``zhanggui`` process working on ``url`` with the bench keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHANGGUI_")}
    env.update(ZHANGGUI_DATABASE_URL=url, ZHANGGUI_INSTANCE_PATH=str(instance),
               ZHANGGUI_SECRET_KEY=SECRET_KEY, ZHANGGUI_FIELD_KEY=FIELD_KEY,
               ZHANGGUI_QUEUE_URL="immediate://", LANG="C.UTF-8")
    return env


def app_config(url: str, instance: Path) -> dict:
    """The same settings for ``create_app`` in this process."""
    return {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": SECRET_KEY,
            "FIELD_KEY": FIELD_KEY, "QUEUE_URL": "immediate://"}


def zhanggui(args: list[str], url: str, instance: Path) -> float:
    """Run the ``zhanggui`` CLI; returns its wall time in seconds (its CPU time,
    worker processes included, is left in :data:`last_cpu_seconds`)."""
    global last_cpu_seconds
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from zhanggui.cli import main; main()",
                           *args], env=app_env(url, instance), capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    last_cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise RuntimeError(f"zhanggui {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return elapsed


def build(url: str, size: Size, seed: int, instance: Path) -> float:
    """``zhanggui init`` and ``demo-data`` into the empty database ``url``; returns
    the wall time of ``demo-data`` alone."""
    zhanggui(["init"], url, instance)
    return zhanggui(["demo-data", "--members", str(size.members), "--purchases",
                     str(size.lines), "--seed", str(seed), "--as-of", AS_OF, "--quiet"],
                    url, instance)


class Target:
    """One database engine the benchmarks run on."""

    kind = ""

    def __init__(self, cache: Path, seed: int, rebuild: bool = False):
        self.cache, self.seed, self.rebuild = cache, seed, rebuild
        self.cache.mkdir(parents=True, exist_ok=True)
        self.instance = cache / "instance"
        self._made: list[str] = []
        self.migrated_seconds = 0.0   # what bringing the last copy up to date took

    def version(self) -> str:
        raise NotImplementedError

    def scratch(self) -> str:
        """URL of a new, empty database (dropped by :meth:`cleanup`)."""
        raise NotImplementedError

    def dataset(self, size: Size) -> str:
        """URL of a private copy of the cached chain of ``size`` (built if needed)."""
        raise NotImplementedError

    def adopt(self, size: Size, url: str) -> bool:
        """Keep the just-built ``url`` as the cached chain of ``size`` if there is none
        yet; returns whether it did (the caller must not use ``url`` afterwards)."""
        raise NotImplementedError

    def cleanup(self) -> None:
        raise NotImplementedError


class SqliteTarget(Target):
    kind = "sqlite"

    def version(self) -> str:
        return sqlite3.sqlite_version

    def _cached(self, size: Size) -> Path:
        return self.cache / f"{size.name}-{self.seed}.db"

    def _fresh(self, size: Size) -> bool:
        path = self._cached(size)
        meta = path.with_suffix(".json")
        if self.rebuild or not path.exists() or not meta.exists():
            return False
        stored = json.loads(meta.read_text())
        return (stored.get("fingerprint") == fingerprint()
                and stored.get("members") == size.members and stored.get("lines") == size.lines)

    def scratch(self) -> str:
        path = self.cache / "work" / f"scratch-{uuid.uuid4().hex[:8]}.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._made.append(str(path))
        return f"sqlite:///{path}"

    def _keep(self, size: Size, path: Path, seconds: float | None) -> None:
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target = self._cached(size)
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        os.replace(path, target)
        target.with_suffix(".json").write_text(json.dumps(
            {"fingerprint": fingerprint(), "members": size.members, "lines": size.lines,
             "seed": self.seed, "as_of": AS_OF, "build_seconds": seconds}))
        self.rebuild = False

    def dataset(self, size: Size) -> str:
        if not self._fresh(size):
            url = self.scratch()
            seconds = build(url, size, self.seed, self.instance)
            self._keep(size, Path(url[len("sqlite:///"):]), seconds)
        copy = self.scratch()
        shutil.copyfile(self._cached(size), copy[len("sqlite:///"):])
        self.migrated_seconds = upgrade(copy, self.instance)
        return copy

    def adopt(self, size: Size, url: str) -> bool:
        if self._fresh(size):
            return False
        self._keep(size, Path(url[len("sqlite:///"):]), None)
        return True

    def cleanup(self) -> None:
        for path in self._made:
            for extra in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{extra}").unlink(missing_ok=True)
        self._made = []


class PostgresTarget(Target):
    """``server`` is a URL of the server (its database part is ignored); ``prefix``
    names every database made here (tests use their own)."""

    kind = "postgresql"

    def __init__(self, cache: Path, seed: int, server: str, rebuild: bool = False,
                 prefix: str = "zg_bench"):
        super().__init__(cache, seed, rebuild)
        self.server, self.prefix = server, prefix

    def url(self, name: str) -> str:
        return urlunparse(urlparse(self.server)._replace(path="/" + name))

    def admin(self):
        import psycopg2

        conn = psycopg2.connect(self.url("postgres"))
        conn.autocommit = True
        return conn

    def sql(self, statement: str, params=()) -> list:
        conn = self.admin()
        try:
            with conn.cursor() as cur:
                cur.execute(statement, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def version(self) -> str:
        return self.sql("SHOW server_version")[0][0].split()[0]

    def _template(self, size: Size) -> str:
        return f"{self.prefix}_{size.name}_{self.seed}"

    def _fresh(self, size: Size) -> bool:
        if self.rebuild:
            return False
        rows = self.sql("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                        "WHERE datname = %s", (self._template(size),))
        return bool(rows) and rows[0][0] == self._stamp(size)

    def _stamp(self, size: Size) -> str:
        return f"fingerprint {fingerprint()} members {size.members} lines {size.lines}"

    def scratch(self) -> str:
        name = f"{self.prefix}_work_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.sql(f'CREATE DATABASE "{name}"')
        self._made.append(name)
        return self.url(name)

    def _keep(self, size: Size, name: str) -> None:
        template = self._template(size)
        self.sql(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        self.sql(f'ALTER DATABASE "{name}" RENAME TO "{template}"')
        self.sql(f"COMMENT ON DATABASE \"{template}\" IS '{self._stamp(size)}'")
        self._made.remove(name)
        self.rebuild = False

    def dataset(self, size: Size) -> str:
        if not self._fresh(size):
            url = self.scratch()
            build(url, size, self.seed, self.instance)
            self._vacuum(url)
            self._keep(size, urlparse(url).path.lstrip("/"))
        name = f"{self.prefix}_work_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{self._template(size)}" '
                 f"STRATEGY FILE_COPY")
        self._made.append(name)
        self.migrated_seconds = upgrade(self.url(name), self.instance)
        return self.url(name)

    def _vacuum(self, url: str) -> None:
        import psycopg2

        conn = psycopg2.connect(url)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        conn.close()

    def adopt(self, size: Size, url: str) -> bool:
        if self._fresh(size):
            return False
        self._vacuum(url)
        self._keep(size, urlparse(url).path.lstrip("/"))
        return True

    def drop_cached(self) -> None:
        """Drop every template of this prefix and seed (tests clean up with it)."""
        for (name,) in self.sql("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                (f"{self.prefix}\\_%",)):
            self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def cleanup(self) -> None:
        for name in self._made:
            self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._made = []
