"""Tiers (star levels): who qualifies, upgrades, downgrades and the history kept.

A tier qualifies on **spend** or on **points earned** in a rolling window of
``window_days`` ending now, both read from the ledger (earn entries minus their
refund reversals); never on the spendable balance, which redemptions and expiry
lower.  Rules:

* **Upgrade** at once, after any purchase, to the highest-ranked active tier whose
  threshold is met.
* **A refund takes back a tier it bought**: when the upgrade to the current tier was
  made by the refunded purchase and the member no longer qualifies, the member
  returns to the best tier they still qualify for.
* **Downgrade** by the current tier's policy, applied by the daily review job:
  ``none`` never; ``period_end`` at the end of each calendar year (local time), to
  the best tier the window ending at that year end qualifies for, if lower;
  ``inactivity`` one rank down after ``inactivity_days`` without a purchase (and
  again after as many more days).
"""
from __future__ import annotations

import datetime as dt
import decimal
from zoneinfo import ZoneInfo

from peewee import fn

from zhanggui import utcnow, write_transaction

from ..models import MemberTier, PointsLedgerEntry, Tier, TierHistory

D = decimal.Decimal


def active_tiers() -> list[Tier]:
    return list(Tier.select().where(Tier.active).order_by(Tier.rank))


def current_tier(member_id: int) -> Tier | None:
    state = MemberTier.get_or_none(MemberTier.member_id == member_id)
    return state.tier if state is not None and state.tier_id is not None else None


def qualifying_value(member_id: int, tier: Tier, until: dt.datetime) -> D:
    """Spend or points earned (net of refunds) in the tier's window ending ``until``."""
    E = PointsLedgerEntry
    since = until - dt.timedelta(days=tier.window_days)
    window = ((E.member_id == member_id) & (E.kind.in_(("earn", "reverse"))) &
              (E.occurred_at > since) & (E.occurred_at <= until))
    if tier.qualify_by == "points":
        value = E.select(fn.COALESCE(fn.SUM(E.points + E.pending_points), 0)).where(window).scalar()
        return D(int(value or 0))
    # summed in Python: SQLite sums decimals as floats
    return sum((row.spend for row in E.select(E.spend).where(window)), D("0.00"))


def best_tier(member_id: int, until: dt.datetime, tiers: list[Tier] | None = None) -> tuple[Tier | None, D]:
    """The highest-ranked tier the member qualifies for, and the value that decided."""
    decided = D("0")
    for tier in reversed(tiers if tiers is not None else active_tiers()):
        value = qualifying_value(member_id, tier, until)
        if value >= tier.threshold:
            return tier, value
        decided = max(decided, value)
    return None, decided


def _move(member_id: int, state: MemberTier | None, to: Tier | None, reason: str,
          value: D, source_id: str | None, when: dt.datetime) -> None:
    old = state.tier.code if state is not None and state.tier_id else None
    if state is None:
        MemberTier.create(member_id=member_id, tier=to, since=when)
    else:
        (MemberTier.update(tier=to, since=when)
         .where(MemberTier.member_id == member_id).execute())
    TierHistory.create(member_id=member_id, from_tier=old, to_tier=to.code if to else None,
                       reason=reason, qualifying_value=value, source_id=source_id,
                       changed_at=when)


def after_purchase(member_id: int, purchase_id: str, occurred_at: dt.datetime) -> None:
    """Record the purchase as activity and upgrade if the member now qualifies."""
    state = MemberTier.get_or_none(MemberTier.member_id == member_id)
    if state is None:
        state = MemberTier.create(member_id=member_id, tier=None, since=utcnow(),
                                  last_purchase_at=occurred_at)
    elif state.last_purchase_at is None or occurred_at > state.last_purchase_at:
        (MemberTier.update(last_purchase_at=occurred_at)
         .where(MemberTier.member_id == member_id).execute())
    best, value = best_tier(member_id, max(utcnow(), occurred_at))
    current_rank = state.tier.rank if state.tier_id else None
    if best is not None and (current_rank is None or best.rank > current_rank):
        _move(member_id, state, best, "upgrade", value, purchase_id, utcnow())


def after_refund(member_id: int, purchase_id: str) -> None:
    """Take back a tier that the refunded purchase bought (see module doc)."""
    state = MemberTier.get_or_none(MemberTier.member_id == member_id)
    if state is None or state.tier_id is None:
        return
    granted = (TierHistory.select().where(TierHistory.member_id == member_id)
               .order_by(TierHistory.id.desc()).first())
    if granted is None or granted.source_id != purchase_id or granted.reason != "upgrade":
        return
    best, value = best_tier(member_id, utcnow())
    if best is None or best.rank < state.tier.rank:
        _move(member_id, state, best, "refund", value, purchase_id, utcnow())


def review_tiers(now: dt.datetime | None = None, timezone: str = "Asia/Shanghai") -> int:
    """Apply downgrade policies; return how many members moved.  Safe to run twice:
    a move resets ``since``, which the next run checks against."""
    now = now or utcnow()
    tiers = active_tiers()
    year_start = dt.datetime(now.astimezone(ZoneInfo(timezone)).year, 1, 1,
                             tzinfo=ZoneInfo(timezone)).astimezone(dt.timezone.utc)
    moved = 0
    query = (MemberTier.select(MemberTier, Tier).join(Tier)
             .where(Tier.downgrade_policy != "none"))
    for state in list(query):  # each move is its own short write transaction
        tier = state.tier
        if tier.downgrade_policy == "period_end" and state.since < year_start:
            best, value = best_tier(state.member_id, year_start, tiers)
            if best is None or best.rank < tier.rank:
                with write_transaction():
                    _move(state.member_id, state, best, "period_end", value, None, now)
                moved += 1
        elif tier.downgrade_policy == "inactivity":
            limit = now - dt.timedelta(days=tier.inactivity_days)
            last = max(state.last_purchase_at or state.since, state.since)
            if last < limit:
                lower = [t for t in tiers if t.rank < tier.rank]
                with write_transaction():
                    _move(state.member_id, state, lower[-1] if lower else None,
                          "inactivity", D("0"), None, now)
                moved += 1
    return moved


#: a tier move recorded in the history, for other loyalty modules (merges)
move = _move
