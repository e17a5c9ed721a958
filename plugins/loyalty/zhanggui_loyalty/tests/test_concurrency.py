"""Concurrent redemptions never overspend: PostgreSQL threads, SQLite processes."""
from __future__ import annotations

import multiprocessing
import threading

import pytest

from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.ledger.redemption import LoyaltyError, adjust_points, redeem_points
from zhanggui_loyalty.models import PointsAllocation, PointsLedgerEntry

from .helpers import balance_of, emit_purchase, purchase

RUNS = 20
SQLITE_RUNS = 5      # each run forks 4 processes; SQLite serialises them anyway
ATTEMPTS = 200
POINTS = 100
PG_CONNECTIONS = 40   # the server allows 100 connections, shared with other test workers


def _fund(member_id):
    """1,000 points in three lots."""
    for amount in ("500.00", "300.00", "200.00"):
        emit_purchase(purchase(member_id, amount))
    assert balance_of(member_id) == 1000


def _attempt(key, member_id, results, db):
    db.connect(reuse_if_open=True)
    try:
        redeem_points(key, member_id, POINTS)
        results.append("ok")
    except LoyaltyError as exc:
        results.append(exc.code)
    finally:
        db.close()


def _assert_spent_exactly(member_id, results):
    assert results.count("ok") == 10, results
    assert results.count("insufficient_points") == ATTEMPTS - 10
    assert balance_of(member_id) == 0
    redeemed = PointsLedgerEntry.select().where((PointsLedgerEntry.member_id == member_id) &
                                                (PointsLedgerEntry.kind == "redeem"))
    assert redeemed.count() == 10
    assert sum(a.points for a in PointsAllocation.select()
               .where(PointsAllocation.debit.in_(redeemed))) == 1000
    assert check_member(member_id).ok


@pytest.fixture
def postgresql_only(loyalty_app):
    if not loyalty_app.config["LOYALTY_TEST_URL"].startswith("postgres"):
        pytest.skip("row locks under real concurrency: PostgreSQL (SQLite: see processes)")
    return loyalty_app


def test_200_threads_redeeming_100_from_1000_spend_exactly_1000_twenty_times(postgresql_only):
    app = postgresql_only
    db = app.extensions["zhanggui"].db
    for run in range(RUNS):
        member_id = 5000 + run
        _fund(member_id)
        results: list[str] = []
        start = threading.Barrier(ATTEMPTS)
        slots = threading.BoundedSemaphore(PG_CONNECTIONS)

        def worker(i, run=run, member_id=member_id):
            with app.app_context():
                start.wait()
                with slots:
                    _attempt(f"run{run}-{i}", member_id, results, db)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(ATTEMPTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        _assert_spent_exactly(member_id, results)


def _process(app, member_id, run, proc, threads, start, out):
    db = app.extensions["zhanggui"].db
    results: list[str] = []
    start.wait()

    def worker(i):
        with app.app_context():
            _attempt(f"run{run}-p{proc}-{i}", member_id, results, db)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    out.put(results)


def test_several_processes_redeeming_on_one_sqlite_file_spend_exactly_1000(loyalty_app):
    if not loyalty_app.config["LOYALTY_TEST_URL"].startswith("sqlite"):
        pytest.skip("SQLite's immediate transactions across processes")
    db = loyalty_app.extensions["zhanggui"].db
    ctx = multiprocessing.get_context("fork")
    processes, per_process = 4, ATTEMPTS // 4
    for run in range(SQLITE_RUNS):
        member_id = 6000 + run
        _fund(member_id)
        db.close()   # children open their own connections to the same file
        start, out = ctx.Barrier(processes), ctx.Queue()
        procs = [ctx.Process(target=_process,
                             args=(loyalty_app, member_id, run, p, per_process, start, out))
                 for p in range(processes)]
        for p in procs:
            p.start()
        results = [r for _ in procs for r in out.get(timeout=120)]
        for p in procs:
            p.join(timeout=30)
            assert p.exitcode == 0
        db.connect(reuse_if_open=True)
        _assert_spent_exactly(member_id, results)


def test_a_purchase_replayed_50_times_concurrently_credits_once(loyalty_app):
    app = loyalty_app
    db = app.extensions["zhanggui"].db
    p = purchase(9, "250.00")
    start = threading.Barrier(50)
    errors: list[BaseException] = []

    def worker():
        with app.app_context():
            start.wait()
            db.connect(reuse_if_open=True)
            try:
                emit_purchase(p)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                db.close()

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.connect(reuse_if_open=True)
    assert errors == []
    assert balance_of(9) == 250
    assert PointsLedgerEntry.select().where(PointsLedgerEntry.member_id == 9).count() == 1


def test_concurrent_adjustments_and_redemptions_keep_the_ledger_equal_to_the_balance(
        loyalty_app):
    app = loyalty_app
    db = app.extensions["zhanggui"].db
    adjust_points("seed", 11, 1000, "开卡礼", user_id=1)
    start = threading.Barrier(20)

    def worker(i):
        with app.app_context():
            start.wait()
            db.connect(reuse_if_open=True)
            try:
                if i % 2:
                    adjust_points(f"a{i}", 11, 50, "补偿", user_id=1)
                else:
                    try:
                        redeem_points(f"r{i}", 11, 150)
                    except LoyaltyError:
                        pass
            finally:
                db.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.connect(reuse_if_open=True)
    assert check_member(11).ok and balance_of(11) >= 0
