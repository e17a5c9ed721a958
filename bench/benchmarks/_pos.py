"""What the POS benchmarks (``pos_ingest``, ``accrual``, ``redemption``) share: a till's
API key on the copy of the chain, sale bodies as a till sends them, a real gunicorn
serving ``zhanggui.app:create_app()``, and clients that drive it over keep-alive HTTP.

Nothing here is timed by itself; the benchmarks time what they call.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from bench import datasets

TILL_PASSWORD = "bench-till-Passw0rd"
CATALOG = (  # (sku, name, category, counter suffix, unit price)
    ("COS011", "修护精华液", "化妆品", "COS01", "1299.00"),
    ("COS027", "保湿面霜", "化妆品", "COS01", "459.00"),
    ("FRS041", "挪威三文鱼", "超市生鲜", None, "88.90"),
    ("GRO102", "有机大米 5kg", "超市食品", None, "69.90"),
    ("WOM310", "羊绒围巾", "女装", "WOM02", "899.00"),
    ("MEN114", "商务衬衫", "男装", "MEN01", "599.00"),
    ("KID051", "儿童运动鞋", "童装", "KID01", "329.00"),
    ("HOM208", "真丝枕套", "家居", "HOM03", "268.00"),
    ("COF001", "拿铁咖啡", "餐饮", None, "32.00"),
    ("JEW090", "足金吊坠", "珠宝", "JEW01", "2680.00"),
)
METHODS = ("wechat_pay", "alipay", "bank_card", "cash", "unionpay")


# --- the chain copy, in this process ---------------------------------------------

@contextlib.contextmanager
def app_on(url: str, instance: Path):
    """``create_app`` on the copy with the bench keys, inside an app context."""
    from zhanggui.app import create_app
    from zhanggui.testing import _close

    app = create_app(datasets.app_config(url, instance))
    context = app.app_context()
    context.push()
    try:
        yield app
    finally:
        _close(app)
        context.pop()


def store_codes() -> list[str]:
    from zhanggui_members.profile.models import Store

    return [s.code for s in Store.select(Store.code).order_by(Store.id)]


def create_till(username: str, role: str, stores: list[str]) -> tuple[str, str]:
    """A console user with ``role`` assigned to ``stores``, the way head office sets
    up a terminal; returns (an API key acting as it, a JWT for it).  A till sends the
    key; the JWT shows what the same requests cost without the key's scrypt check."""
    import datetime as _dt

    from flask_jwt_extended import create_access_token

    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    user = create_user(username, TILL_PASSWORD, role=role)
    UserStore.insert_many([{"user_id": user.id, "store_code": code} for code in stores]) \
        .execute()
    created = _security_manager().create_api_key(user, f"bench {username}")
    if not created:
        raise RuntimeError(f"could not create an API key for {username}")
    with warnings.catch_warnings():  # the bench's fixed SECRET_KEY is short; it is a bench
        warnings.simplefilter("ignore")
        token = create_access_token(identity=str(user.id),
                                    expires_delta=_dt.timedelta(hours=12))
    return created["key"], token


def _security_manager():
    from flask import current_app

    return current_app.appbuilder.sm


def members_with_phones(rng: random.Random, n: int) -> list[tuple[int, str]]:
    """``n`` random (member id, phone in clear) of current members that have a phone and
    a home store (a till's user reaches only members of its stores)."""
    from zhanggui import database
    from zhanggui_members.profile.crypto import phone_cipher

    cipher = phone_cipher()
    rows = database.execute_sql(
        "SELECT id, phone_encrypted FROM members_member WHERE phone_encrypted IS NOT NULL "
        "AND erased_at IS NULL AND home_store_id IS NOT NULL AND merged_into_id IS NULL "
        "ORDER BY id").fetchall()
    picked = rng.sample(rows, min(n, len(rows)))
    return [(member_id, cipher.decrypt(token)) for member_id, token in picked]


# --- what a till sends -------------------------------------------------------------

@dataclass
class Sale:
    """One POS sale: the JSON body a till posts and what the raw-SQL baseline stores."""

    body: dict
    member_id: int | None

    @property
    def pos_id(self) -> str:
        return self.body["id"]


def make_sales(rng: random.Random, prefix: str, n: int, stores: list[str],
               members: list[tuple[int, str]], anonymous_share: float = 0.0) -> list[Sale]:
    """``n`` sales that add up (1–4 lines, 1–2 payments), each by a member of
    ``members`` by phone, or anonymous with probability ``anonymous_share``; occurred
    within the last day, ids ``<prefix>-<n>``."""
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    sales = []
    for i in range(n):
        lines, total = [], decimal.Decimal("0.00")
        store = rng.choice(stores)
        for sku, name, category, counter, price in rng.sample(CATALOG, rng.randint(1, 4)):
            quantity = rng.randint(1, 3)
            amount = decimal.Decimal(price) * quantity
            total += amount
            lines.append({"sku": sku, "name": name, "category": category,
                          "counter": f"{store}-{counter}" if counter else None,
                          "quantity": str(quantity), "amount": str(amount)})
        methods = rng.sample(METHODS, rng.randint(1, 2))
        if len(methods) == 2 and total > 1:
            first = (total * decimal.Decimal(rng.randint(20, 80)) / 100).quantize(
                decimal.Decimal("0.01"))
            payments = [{"method": methods[0], "amount": str(first)},
                        {"method": methods[1], "amount": str(total - first)}]
        else:
            payments = [{"method": methods[0], "amount": str(total)}]
        member_id, member = None, None
        if members and rng.random() >= anonymous_share:
            member_id, phone = members[i % len(members)]
            member = {"phone": phone}
        occurred = now - dt.timedelta(seconds=rng.randint(60, 86_000))
        sales.append(Sale({"id": f"{prefix}-{i:07d}", "store": store,
                           "occurred_at": occurred.isoformat(timespec="seconds"),
                           "member": member, "lines": lines, "total": str(total),
                           "payments": payments}, member_id))
    return sales


def split(items: list, parts: int) -> list[list]:
    """``items`` dealt round-robin into ``parts`` lists (one per client)."""
    return [items[i::parts] for i in range(parts)]


# --- a real gunicorn ---------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """``gunicorn "zhanggui.app:create_app()"`` on 127.0.0.1 with ``workers`` gthread
    workers of ``threads`` threads (keep-alive on), in its own process group so that
    :meth:`stop` ends the master and every worker it forked, and nothing else."""

    def __init__(self, url: str, instance: Path, workers: int = 2, threads: int = 2,
                 plugins: str | None = None, app: str = "zhanggui.app:create_app()",
                 ready_path: str = "/login/"):
        self.url, self.instance = url, instance
        self.workers, self.threads, self.plugins = workers, threads, plugins
        self.app, self.ready_path = app, ready_path
        self.process: subprocess.Popen | None = None
        self.port = 0
        self._log = None

    def start(self, timeout: float = 120) -> "Gunicorn":
        """Start and wait until it answers; stops what it started if that fails."""
        try:
            return self._start(timeout)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout: float) -> "Gunicorn":
        env = datasets.app_env(self.url, self.instance)
        if self.plugins:
            env["ZHANGGUI_PLUGINS"] = self.plugins
        env["BARE_DATABASE_URL"] = self.url  # the baseline apps' database
        self.port = free_port()
        self._log = tempfile.NamedTemporaryFile(prefix="zg-bench-gunicorn-", suffix=".log",
                                                delete=False)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--worker-class", "gthread",
             "--threads", str(self.threads), "--keep-alive", "60", "--timeout", "300",
             "--graceful-timeout", "5", "--log-level", "warning",
             self.app],
            env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n"
                                   f"{self.log()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", self.ready_path)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return self
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer in {timeout:.0f} s:\n"
                                   f"{self.log()[-3000:]}")
            time.sleep(0.3)

    def log(self) -> str:
        if self._log is None:
            return ""
        return Path(self._log.name).read_text(errors="replace")

    def stop(self) -> None:
        """TERM the process group (master and workers), KILL it if it lingers."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=15)
        if process is not None:
            # workers of a master that died first are in the same group
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            Path(self._log.name).unlink(missing_ok=True)
            self._log = None


# --- clients -----------------------------------------------------------------------

@dataclass
class Drive:
    """What a run of clients got back: per request (status, JSON body) and seconds;
    ``connections`` opened in all (one per client while keep-alive holds)."""

    seconds: float
    answers: list[tuple[int, object]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    connections: int = 0

    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for status, _ in self.answers:
            counts[status] = counts.get(status, 0) + 1
        return counts


def drive(port: int, key: str, work: list[list[tuple[str, bytes]]],
          warm: list[tuple[str, str]] = ()) -> Drive:
    """One thread per list in ``work``, each with its own keep-alive connection,
    posting its ``(path, JSON body)`` in order (a ``GET`` when the body is ``None``) with ``Authorization: Bearer key``.
    Every client first sends the untimed ``warm`` requests (``(method, path)``); the
    clock runs from when all are ready until the last answer."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json",
               "Connection": "keep-alive"}
    ready = threading.Barrier(len(work) + 1)
    results: list[list] = [[] for _ in work]
    opened = [0] * len(work)
    errors: list[BaseException] = []

    def client(index: int, requests: list[tuple[str, bytes]]) -> None:
        conn = None
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            for method, path in warm:
                conn.request(method, path, headers=headers)
                conn.getresponse().read()
            opened[index] = 1
            ready.wait()
            out = results[index]
            for path, body in requests:
                started = time.perf_counter()
                if conn.sock is None:
                    opened[index] += 1
                conn.request("GET" if body is None else "POST", path, body=body,
                             headers=headers)
                response = conn.getresponse()
                data = response.read()
                out.append((response.status, data, time.perf_counter() - started))
                if response.will_close:
                    conn.close()
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
            with contextlib.suppress(threading.BrokenBarrierError):
                ready.abort()
        finally:
            if conn is not None:
                conn.close()

    seconds = _together(work, client, ready, errors, "a client")
    done = Drive(seconds=seconds, connections=sum(opened))
    for out in results:
        for status, data, latency in out:
            done.answers.append((status, json.loads(data) if data else None))
            done.latencies.append(latency)
    return done


def encode(body) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


# --- raw SQL through the driver -----------------------------------------------------

def driver_connect(url: str):
    """A plain DB-API connection to ``url`` (sqlite3 in autocommit mode with the
    app's pragmas and busy timeout, or psycopg2); returns (connection, placeholder)."""
    if url.startswith("sqlite"):
        import sqlite3

        import peewee  # noqa: F401 - registers the Decimal/datetime adapters the app uses

        from zhanggui.db import SQLITE_PRAGMAS

        conn = sqlite3.connect(url[len("sqlite:///"):], isolation_level=None, timeout=10,
                               check_same_thread=False)
        for name, value in SQLITE_PRAGMAS.items():  # the app's own connection settings
            conn.execute(f"PRAGMA {name} = {value}")
        return conn, "?"
    import psycopg2

    return psycopg2.connect(url), "%s"


def run_sql_clients(url: str, work: list[list], job) -> tuple[float, list[float]]:
    """``job(conn, mark, item)`` for every item, one thread and one driver connection
    per list of ``work``; returns (wall seconds, per-item seconds).  Connections are
    opened before the clock starts."""
    ready = threading.Barrier(len(work) + 1)
    latencies: list[list[float]] = [[] for _ in work]
    errors: list[BaseException] = []

    def client(index: int, items: list) -> None:
        conn = None
        try:
            conn, mark = driver_connect(url)
            ready.wait()
            for item in items:
                started = time.perf_counter()
                job(conn, mark, item)
                latencies[index].append(time.perf_counter() - started)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            with contextlib.suppress(threading.BrokenBarrierError):
                ready.abort()
        finally:
            if conn is not None:
                conn.close()

    seconds = _together(work, client, ready, errors, "a baseline client")
    return seconds, [t for per in latencies for t in per]


def ledger_problems(url: str, member_ids: list[int]) -> list[str]:
    """Members of ``member_ids`` whose cached balance is not the sum of their ledger
    entries, or is negative (raw SQL, independent of the loyalty code)."""
    conn, mark = driver_connect(url)
    problems = []
    try:
        cur = conn.cursor()
        for start in range(0, len(member_ids), 500):
            chunk = member_ids[start:start + 500]
            cur.execute(
                "SELECT b.member_id, b.balance, (SELECT COALESCE(SUM(e.points), 0) FROM "
                "loyalty_ledger_entry e WHERE e.member_id = b.member_id) FROM "
                f"loyalty_member_balance b WHERE b.member_id IN ({', '.join([mark] * len(chunk))})",
                chunk)
            for member_id, balance, ledger in cur.fetchall():
                if balance != ledger or balance < 0:
                    problems.append(f"member {member_id}: balance {balance}, ledger {ledger}")
    finally:
        conn.close()
    return problems


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _together(work: list, client, ready: threading.Barrier, errors: list,
              who: str) -> float:
    """Run ``client(index, items)`` for each list of ``work`` in its own thread; the
    clock starts when every client has passed ``ready`` and stops at the last one's
    end.  Returns the wall seconds; the first error of a client is raised."""
    threads = [threading.Thread(target=client, args=(i, w), daemon=True)
               for i, w in enumerate(work)]
    for thread in threads:
        thread.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        pass
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{who} failed: {errors[0]!r}") from errors[0]
    return seconds
