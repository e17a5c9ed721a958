"""The points ledger: the only code that writes entries, allocations, lots and balances.

Every function here runs inside the caller's :func:`zhanggui.write_transaction`, after
:func:`lock_balance` took the member's balance row:

* PostgreSQL: ``SELECT ... FOR UPDATE`` on ``loyalty_member_balance`` serialises all
  changes of one member (other members are not blocked);
* SQLite: ``write_transaction`` is ``BEGIN IMMEDIATE``, so one writer at a time.

The balance is the sum of the ledger.  Credits (entries with ``points > 0``) become
lots; a debit draws from lots closest to expiry first (lots that never expire last,
ties oldest first) and records each draw as a :class:`PointsAllocation`.  A debit
allowed to overdraw (the "negative" refund policy) leaves a debt that later credits
settle first, so expiring those credits can never expire points already owed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from peewee import EXCLUDED, JOIN, PostgresqlDatabase, SqliteDatabase, fn

from zhanggui import _, cached, database, emit, utcnow

from ..models import (LoyaltySettings, MemberBalance, PointsAllocation, PointsLedgerEntry,
                      PointsLot)


class InsufficientPoints(Exception):
    """The member has fewer spendable points than asked; nothing was written."""

    def __init__(self, balance: int, wanted: int):
        super().__init__(_("Not enough points: the balance is %(balance)s, %(wanted)s are "
                           "needed.", balance=balance, wanted=wanted))
        self.balance, self.wanted = balance, wanted


def program_settings() -> LoyaltySettings:
    """The program's settings row (defaults when it is missing)."""
    return LoyaltySettings.get_or_none(LoyaltySettings.id == 1) or LoyaltySettings(id=1)


def cached_settings() -> LoyaltySettings:
    """:func:`program_settings` as this worker keeps it until the settings change
    (read-only: change the row, not this object)."""
    return cached(("loyalty.settings",), program_settings)


def lock_balance(member_id: int) -> MemberBalance:
    """The member's balance row, created if missing and locked until the transaction
    ends (row lock on PostgreSQL/MySQL; SQLite's immediate transaction already holds
    the database write lock)."""
    assert database.in_transaction(), "lock_balance needs a write_transaction"
    if isinstance(database.obj, (PostgresqlDatabase, SqliteDatabase)):  # RETURNING
        # one statement: the upsert's no-op update takes the row lock (PostgreSQL) and
        # RETURNING gives the row, created or not
        return (MemberBalance.insert(member_id=member_id)
                .on_conflict(conflict_target=[MemberBalance.member_id],
                             update={MemberBalance.member_id: EXCLUDED.member_id})
                .returning(MemberBalance).execute()[0])
    MemberBalance.insert(member_id=member_id).on_conflict_ignore().execute()
    query = MemberBalance.select().where(MemberBalance.member_id == member_id)
    if getattr(database.obj, "for_update", False):
        query = query.for_update()
    return query.get()


class AlreadyPosted(Exception):
    """An entry with this idempotency key exists; nothing was written."""


def find_entry(key: str) -> PointsLedgerEntry | None:
    return PointsLedgerEntry.get_or_none(PointsLedgerEntry.idempotency_key == key)


def entry_key(*parts: Any) -> str:
    """The idempotency key of an entry: ``purchase:123:earn``."""
    return ":".join(str(p) for p in parts)


def _save(balance: MemberBalance, earned: int = 0) -> None:
    balance.lifetime_earned += earned
    balance.updated_at = utcnow()
    (MemberBalance.update(balance=balance.balance, pending=balance.pending,
                          lifetime_earned=balance.lifetime_earned,
                          updated_at=balance.updated_at)
     .where(MemberBalance.member_id == balance.member_id).execute())


def _insert(balance: MemberBalance, kind: str, key: str, points: int = 0,
            pending_points: int = 0, detail: dict | None = None, once: bool = False,
            **fields) -> PointsLedgerEntry:
    """Write the entry.  ``once``: when an entry with ``key`` exists, write nothing
    and raise :class:`AlreadyPosted` (the unique key decides, so the caller needs no
    look-up first)."""
    values = dict(member_id=balance.member_id, kind=kind, idempotency_key=key, points=points,
                  pending_points=pending_points,
                  detail=json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail
                  else None, **fields)
    if once and not isinstance(database.obj, (PostgresqlDatabase, SqliteDatabase)):
        if find_entry(key) is not None:
            raise AlreadyPosted(key)
        once = False
    if not once:
        return PointsLedgerEntry.create(**values)
    entry = PointsLedgerEntry(**values)
    data = {k: v for k, v in entry.__data__.items() if k != "id"}
    rows = list(PointsLedgerEntry.insert(**data).on_conflict_ignore()
                .returning(PointsLedgerEntry.id).tuples().execute())
    if not rows:
        raise AlreadyPosted(key)
    entry.id = rows[0][0]
    entry._dirty.clear()
    return entry


def _settle_debts(balance: MemberBalance, credit: PointsLedgerEntry, points: int) -> int:
    """Apply a new credit to the member's open debts, oldest first; return what is left."""
    if balance.balance >= 0 or points <= 0:
        return points
    covered = fn.COALESCE(fn.SUM(PointsAllocation.points), 0)
    debts = (PointsLedgerEntry
             .select(PointsLedgerEntry.id, PointsLedgerEntry.points, covered.alias("covered"))
             .join(PointsAllocation, JOIN.LEFT_OUTER,
                   on=(PointsAllocation.debit == PointsLedgerEntry.id))
             .where((PointsLedgerEntry.member_id == balance.member_id) &
                    (PointsLedgerEntry.points < 0))
             .group_by(PointsLedgerEntry.id, PointsLedgerEntry.points)
             .having((PointsLedgerEntry.points + covered) < 0)
             .order_by(PointsLedgerEntry.id))
    for debt in debts:
        if points == 0:
            break
        take = min(points, -debt.points - int(debt.covered))
        PointsAllocation.create(debit=debt.id, credit=credit.id, points=take)
        points -= take
    return points


def post_credit(balance: MemberBalance, kind: str, key: str, points: int, *,
                earned: bool = False, pending_points: int = 0, once: bool = False,
                **fields) -> PointsLedgerEntry:
    """Write an entry adding ``points`` (> 0) to the spendable balance.

    ``pending_points`` may move points out of pending at the same time (an unlock).
    ``earned`` adds the points to the lifetime total.  ``once``: see :func:`_insert`.
    """
    assert points > 0
    entry = _insert(balance, kind, key, points=points, pending_points=pending_points,
                    once=once, **fields)
    left = _settle_debts(balance, entry, points)
    if left:
        PointsLot.create(credit=entry.id, member_id=balance.member_id, remaining=left,
                         expires_at=entry.expires_at)
    balance.balance += points
    balance.pending += pending_points
    _save(balance, earned=points if earned else 0)
    emit("points_changed", entry=entry)
    return entry


def post_pending(balance: MemberBalance, kind: str, key: str, pending_points: int,
                 **fields) -> PointsLedgerEntry:
    """Write an entry changing only pending points (a pending earn or its reversal)."""
    entry = _insert(balance, kind, key, pending_points=pending_points, **fields)
    balance.pending += pending_points
    _save(balance, earned=pending_points if kind == "earn" else 0)
    emit("points_changed", entry=entry)
    return entry


def post_zero(balance: MemberBalance, kind: str, key: str, once: bool = False,
              **fields) -> PointsLedgerEntry:
    """Record a source that changes no points (a purchase earning nothing)."""
    entry = _insert(balance, kind, key, once=once, **fields)
    emit("points_changed", entry=entry)
    return entry


def _lots(member_id: int, first: Iterable[int] = ()) -> list[PointsLot]:
    """The member's open lots: ``first`` (credit ids) in that order, then FIFO by expiry."""
    first = list(first)
    lots = list(PointsLot.select().where(PointsLot.member_id == member_id)
                .order_by(PointsLot.expires_at.is_null(), PointsLot.expires_at,
                          PointsLot.credit))
    preferred = [lot for cid in first for lot in lots if lot.credit_id == cid]
    return preferred + [lot for lot in lots if lot.credit_id not in first]


def post_debit(balance: MemberBalance, kind: str, key: str, points: int, *,
               allow_negative: bool = False, prefer: Iterable[int] = (),
               only: Iterable[int] | None = None, pending_points: int = 0,
               **fields) -> PointsLedgerEntry:
    """Write an entry taking ``points`` (> 0) from the spendable balance.

    Draws from the lots in ``prefer`` first, then FIFO by expiry; ``only`` restricts
    the draw to those lots (expiry of one lot).  Raises :class:`InsufficientPoints`
    before writing anything unless ``allow_negative``.
    """
    assert points > 0
    if not allow_negative and only is None and balance.balance < points:
        raise InsufficientPoints(balance.balance, points)
    lots = _lots(balance.member_id, prefer)
    if only is not None:
        only = set(only)
        lots = [lot for lot in lots if lot.credit_id in only]
        if sum(lot.remaining for lot in lots) < points:
            raise InsufficientPoints(sum(lot.remaining for lot in lots), points)
    entry = _insert(balance, kind, key, points=-points, pending_points=pending_points,
                    **fields)
    left = points
    for lot in lots:
        if left == 0:
            break
        take = min(left, lot.remaining)
        PointsAllocation.create(debit=entry.id, credit=lot.credit_id, points=take)
        left -= take
        if take == lot.remaining:
            PointsLot.delete().where(PointsLot.credit == lot.credit_id).execute()
        else:
            (PointsLot.update(remaining=PointsLot.remaining - take)
             .where(PointsLot.credit == lot.credit_id).execute())
    balance.balance -= points
    balance.pending += pending_points
    _save(balance)
    emit("points_changed", entry=entry)
    return entry


def pending_left(earn: PointsLedgerEntry) -> int:
    """Pending points of an earn entry not yet unlocked or reversed."""
    moved = (PointsLedgerEntry.select(fn.COALESCE(fn.SUM(PointsLedgerEntry.pending_points), 0))
             .where(PointsLedgerEntry.related_entry == earn.id).scalar())
    return earn.pending_points + int(moved or 0)


def lot_of(earn: PointsLedgerEntry) -> int | None:
    """The credit entry id holding an earn's points (itself, or its unlock entry)."""
    if earn.points > 0:
        return earn.id
    unlock = (PointsLedgerEntry.select(PointsLedgerEntry.id)
              .where((PointsLedgerEntry.related_entry == earn.id) &
                     (PointsLedgerEntry.kind == "unlock")).first())
    return unlock.id if unlock else None


# --- the proof ------------------------------------------------------------------------

@dataclass(frozen=True)
class LedgerCheck:
    """A member's cached figures beside what the ledger says; ``problems`` empty if equal."""

    member_id: int
    balance: int
    ledger_balance: int
    pending: int
    ledger_pending: int
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_member(member_id: int) -> LedgerCheck:
    """Prove the caches of one member equal the ledger (read-only)."""
    E, A = PointsLedgerEntry, PointsAllocation
    sums = (E.select(fn.COALESCE(fn.SUM(E.points), 0), fn.COALESCE(fn.SUM(E.pending_points), 0))
            .where(E.member_id == member_id).tuples().first())
    ledger_balance, ledger_pending = int(sums[0]), int(sums[1])
    earned = (E.select(fn.COALESCE(fn.SUM(E.points + E.pending_points), 0))
              .where((E.member_id == member_id) & (E.kind == "earn")).scalar())
    cached = MemberBalance.get_or_none(MemberBalance.member_id == member_id) or \
        MemberBalance(member_id=member_id)
    problems = []
    if cached.balance != ledger_balance:
        problems.append(f"balance {cached.balance} != ledger {ledger_balance}")
    if cached.pending != ledger_pending:
        problems.append(f"pending {cached.pending} != ledger {ledger_pending}")
    if cached.lifetime_earned != int(earned or 0):
        problems.append(f"lifetime earned {cached.lifetime_earned} != ledger {earned}")
    if ledger_pending < 0:
        problems.append(f"pending points are negative: {ledger_pending}")
    drawn = {c: int(p) for c, p in A.select(A.credit, fn.SUM(A.points))
             .join(E, on=(A.credit == E.id)).where(E.member_id == member_id)
             .group_by(A.credit).tuples()}
    covered = {d: int(p) for d, p in A.select(A.debit, fn.SUM(A.points))
               .join(E, on=(A.debit == E.id)).where(E.member_id == member_id)
               .group_by(A.debit).tuples()}
    lots = {lot.credit_id: lot.remaining
            for lot in PointsLot.select().where(PointsLot.member_id == member_id)}
    open_credit = debt = 0
    for entry in E.select(E.id, E.points).where((E.member_id == member_id) & (E.points != 0)):
        if entry.points > 0:
            left = entry.points - drawn.get(entry.id, 0)
            if left < 0:
                problems.append(f"credit {entry.id} overdrawn by {-left}")
            if lots.get(entry.id, 0) != left:
                problems.append(f"lot {entry.id} says {lots.get(entry.id, 0)}, ledger {left}")
            open_credit += left
        else:
            owed = -entry.points - covered.get(entry.id, 0)
            if owed < 0:
                problems.append(f"debit {entry.id} over-allocated by {-owed}")
            debt += owed
    if open_credit - debt != ledger_balance:
        problems.append(f"open lots {open_credit} - debts {debt} != balance {ledger_balance}")
    if open_credit and debt:
        problems.append("open lots and unpaid debts at the same time")
    return LedgerCheck(member_id, cached.balance, ledger_balance, cached.pending,
                       ledger_pending, tuple(problems))


def check_all() -> list[LedgerCheck]:
    """Every member whose caches disagree with the ledger (empty: all is well)."""
    members = {m for (m,) in PointsLedgerEntry.select(PointsLedgerEntry.member_id)
               .distinct().tuples()}
    members |= {m for (m,) in MemberBalance.select(MemberBalance.member_id).tuples()}
    return [c for c in (check_member(m) for m in sorted(members)) if not c.ok]
