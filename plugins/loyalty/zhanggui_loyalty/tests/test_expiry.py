"""Expiry by policy, the return window and the expiry notice; jobs safe to run twice."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from zhanggui import utcnow
from zhanggui_loyalty import jobs
from zhanggui_loyalty.ledger.expiry import expire_due, expires_at_for, notify_expiring, unlock_due
from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.ledger.redemption import redeem_points
from zhanggui_loyalty.models import ExpiryNotice, MemberBalance, PointsLedgerEntry

from .helpers import balance_of, emit_purchase, purchase, setup_program

SH = dt.timezone(dt.timedelta(hours=8))


def _policy(policy, n):
    return SimpleNamespace(expiry_policy=policy, expiry_period=n, timezone="Asia/Shanghai")


def test_expiry_dates_follow_the_policy_in_local_time():
    earned = dt.datetime(2026, 3, 15, 20, 0, tzinfo=dt.timezone.utc)   # 16 March, Shanghai
    assert expires_at_for(earned, _policy("never", 1)) is None
    assert expires_at_for(earned, _policy("after_days", 30)) == earned + dt.timedelta(days=30)
    assert expires_at_for(earned, _policy("month_end", 0)) == dt.datetime(2026, 4, 1, tzinfo=SH)
    assert expires_at_for(earned, _policy("month_end", 2)) == dt.datetime(2026, 6, 1, tzinfo=SH)
    assert expires_at_for(earned, _policy("year_end", 1)) == dt.datetime(2028, 1, 1, tzinfo=SH)
    late = dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.timezone.utc)    # 1 January in Shanghai
    assert expires_at_for(late, _policy("year_end", 0)) == dt.datetime(2028, 1, 1, tzinfo=SH)


def test_expired_points_leave_the_balance_once_even_when_the_job_runs_twice(loyalty_app):
    setup_program(expiry_policy="after_days", expiry_period=10)
    emit_purchase(purchase(4, "100.00", when=utcnow() - dt.timedelta(days=11)))
    emit_purchase(purchase(4, "50.00", when=utcnow() - dt.timedelta(days=2)))
    redeem_points("R1", 4, 30)                # drawn from the older points
    assert jobs.expire_points() == 70
    assert jobs.expire_points() == 0
    assert balance_of(4) == 50
    expired = PointsLedgerEntry.get(PointsLedgerEntry.kind == "expire")
    assert expired.points == -70 and expired.related_entry_id is not None
    assert check_member(4).ok


def test_points_that_never_expire_stay(loyalty_app):
    emit_purchase(purchase(4, "100.00", when=utcnow() - dt.timedelta(days=3000)))
    assert expire_due() == 0 and balance_of(4) == 100


def test_pending_points_cannot_be_spent_until_the_return_window_closes(loyalty_app):
    setup_program(pending_days=7)
    emit_purchase(purchase(4, "100.00", when=utcnow() - dt.timedelta(days=8)))  # closed
    emit_purchase(purchase(4, "60.00", when=utcnow() - dt.timedelta(days=1)))
    row = MemberBalance.get_by_id(4)
    assert (row.balance, row.pending) == (100, 60)
    assert unlock_due(utcnow() + dt.timedelta(days=7)) == 60
    assert unlock_due(utcnow() + dt.timedelta(days=7)) == 0
    row = MemberBalance.get_by_id(4)
    assert (row.balance, row.pending, row.lifetime_earned) == (160, 0, 160)
    assert check_member(4).ok


def test_members_are_told_once_about_points_expiring_soon(loyalty_app, make_plugin):
    told = []
    host = loyalty_app.extensions["zhanggui"].plugins
    listener = make_plugin("listener", zhanggui_points_expiring=lambda member_id, points,
                           expires_on: told.append((member_id, points, expires_on)))
    host.pm.register(listener, name="listener")
    host.order.append("listener")
    try:
        setup_program(expiry_policy="after_days", expiry_period=40, expiry_notice_days=30)
        emit_purchase(purchase(4, "100.00", when=utcnow() - dt.timedelta(days=20)))
        emit_purchase(purchase(4, "10.00"))           # expires in 40 days: not yet
        assert notify_expiring() == 1 and notify_expiring() == 0
        assert [(m, p) for m, p, _ in told] == [(4, 100)]
        assert ExpiryNotice.select().count() == 1
    finally:
        host.pm.unregister(name="listener")
        host.order.remove("listener")
