"""When points expire, and the periodic jobs that expire, unlock and warn.

Expiry is set on each credit when it is written, from the program's policy, in the
program's time zone:

* ``never``: no expiry;
* ``after_days``: N days after the points were earned;
* ``month_end``: at the end of the month N months after the month earned
  (N = 0: the end of the same month);
* ``year_end``: at the end of the year N years after the year earned
  (N = 0: 31 December of the same year).

"The end" is midnight at the start of the next day, local time.  Each job is safe to
run twice, or on two workers at once: every expiry and unlock has its own
idempotency key in the ledger (``expire:<credit id>``, ``unlock:<earn id>``) and is
written under the member's balance lock; each notice is recorded once per member and
expiry date before the event is fired.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from peewee import JOIN, IntegrityError, fn

from zhanggui import emit, utcnow, write_transaction

from ..models import ExpiryNotice, PointsLedgerEntry, PointsLot
from .postings import (entry_key, find_entry, lock_balance, pending_left, post_credit,
                       post_debit, program_settings)

BATCH = 500


def expires_at_for(earned_at: dt.datetime, settings) -> dt.datetime | None:
    """When points earned at ``earned_at`` expire under ``settings`` (aware UTC)."""
    policy, n = settings.expiry_policy, max(0, int(settings.expiry_period or 0))
    if policy == "never":
        return None
    if policy == "after_days":
        return earned_at + dt.timedelta(days=n)
    tz = ZoneInfo(settings.timezone)
    local = earned_at.astimezone(tz)
    if policy == "month_end":
        months = local.year * 12 + (local.month - 1) + n + 1  # the month after the last
        end = dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=tz)
    elif policy == "year_end":
        end = dt.datetime(local.year + n + 1, 1, 1, tzinfo=tz)
    else:
        raise ValueError(f"unknown expiry policy {policy!r}")
    return end.astimezone(dt.timezone.utc)


def expire_member_lot(credit_id: int, now: dt.datetime) -> int:
    """Expire what is left of one credit if it is due; return the points expired."""
    lot = PointsLot.get_or_none(PointsLot.credit == credit_id)
    if lot is None:
        return 0
    with write_transaction():
        balance = lock_balance(lot.member_id)
        lot = PointsLot.get_or_none(PointsLot.credit == credit_id)  # re-read under the lock
        key = entry_key("expire", credit_id)
        if lot is None or lot.expires_at is None or lot.expires_at > now or find_entry(key):
            return 0
        post_debit(balance, "expire", key, lot.remaining, only=[credit_id],
                   source_type="expiry", source_id=str(credit_id), related_entry=credit_id,
                   occurred_at=lot.expires_at)
        return lot.remaining


def expire_due(now: dt.datetime | None = None) -> int:
    """Expire every lot whose time has come; return the points expired."""
    now = now or utcnow()
    total, last = 0, 0
    while True:
        ids = [cid for (cid,) in PointsLot.select(PointsLot.credit)
               .where((PointsLot.expires_at <= now) & (PointsLot.credit > last))
               .order_by(PointsLot.credit).limit(BATCH).tuples()]
        if not ids:
            return total
        for credit_id in ids:
            total += expire_member_lot(credit_id, now)
        last = ids[-1]


def unlock_due(now: dt.datetime | None = None) -> int:
    """Move pending points whose return window has closed into the balance."""
    now = now or utcnow()
    E, U = PointsLedgerEntry, PointsLedgerEntry.alias()
    due = (E.select(E.id).join(U, JOIN.LEFT_OUTER,
                               on=((U.related_entry == E.id) & (U.kind == "unlock")))
           .where((E.kind == "earn") & (E.pending_points > 0) & (E.unlock_at <= now) &
                  U.id.is_null()).order_by(E.id).tuples())
    total = 0
    for (earn_id,) in list(due):
        total += unlock_earn(earn_id, now)
    return total


def unlock_earn(earn_id: int, now: dt.datetime) -> int:
    earn = PointsLedgerEntry.get_by_id(earn_id)
    with write_transaction():
        balance = lock_balance(earn.member_id)
        key = entry_key("unlock", earn_id)
        if find_entry(key) or earn.unlock_at > now:
            return 0
        left = pending_left(earn)
        if left <= 0:
            return 0
        post_credit(balance, "unlock", key, left, pending_points=-left,
                    source_type="return_window", source_id=str(earn_id),
                    related_entry=earn_id, expires_at=earn.expires_at,
                    store_code=earn.store_code, occurred_at=earn.unlock_at)
        return left


def notify_expiring(now: dt.datetime | None = None) -> int:
    """Fire ``zhanggui_points_expiring`` once per member and expiry date within the
    notice period; return the number of notices sent."""
    now = now or utcnow()
    settings = program_settings()
    if settings.expiry_notice_days <= 0:
        return 0
    horizon = now + dt.timedelta(days=settings.expiry_notice_days)
    tz = ZoneInfo(settings.timezone)
    due: dict[tuple[int, dt.date], int] = defaultdict(int)
    for lot in PointsLot.select().where((PointsLot.expires_at > now) &
                                        (PointsLot.expires_at <= horizon)):
        # points expiring at local midnight are gone on the day before
        day = (lot.expires_at.astimezone(tz) - dt.timedelta(microseconds=1)).date()
        due[(lot.member_id, day)] += lot.remaining
    sent = 0
    for (member_id, day), points in sorted(due.items()):
        try:
            with write_transaction():
                if ExpiryNotice.select().where((ExpiryNotice.member_id == member_id) &
                                               (ExpiryNotice.expires_on == day)).exists():
                    continue
                ExpiryNotice.create(member_id=member_id, expires_on=day, points=points)
                emit("points_expiring", member_id=member_id, points=points, expires_on=day)
                sent += 1
        except IntegrityError:  # another worker told this member at the same moment
            continue
    return sent


def expiring_within(member_id: int, days: int, now: dt.datetime | None = None) -> tuple[int, dt.datetime | None]:
    """Points of the member expiring in the next ``days`` days, and the first expiry."""
    now = now or utcnow()
    row = (PointsLot.select(fn.COALESCE(fn.SUM(PointsLot.remaining), 0),
                            fn.MIN(PointsLot.expires_at))
           .where((PointsLot.member_id == member_id) & (PointsLot.expires_at > now) &
                  (PointsLot.expires_at <= now + dt.timedelta(days=days))).tuples().first())
    first = row[1]
    if isinstance(first, str):
        first = dt.datetime.fromisoformat(first)
    if isinstance(first, dt.datetime) and first.tzinfo is None:
        first = first.replace(tzinfo=dt.timezone.utc)
    return int(row[0] or 0), first
