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

from peewee import Case, fn

from zhanggui import cached, utcnow, write_transaction

from ..models import MemberTier, PointsLedgerEntry, Tier, TierHistory

D = decimal.Decimal


def active_tiers() -> list[Tier]:
    return list(Tier.select().where(Tier.active).order_by(Tier.rank))


def cached_tiers() -> dict[int, Tier]:
    """Every tier by id, as this worker keeps them until a tier changes (read-only)."""
    return cached(("loyalty.tiers",), lambda: {t.id: t for t in Tier.select()})


def tier_of(state: MemberTier | None) -> Tier | None:
    """The tier a member's tier row names, from :func:`cached_tiers`."""
    if state is None or state.tier_id is None:
        return None
    return cached_tiers().get(state.tier_id) or state.tier


def touch_member(member_id: int, occurred_at: dt.datetime) -> MemberTier:
    """Record a purchase at ``occurred_at`` as the member's latest activity (if it is
    later) and return their tier row, in one statement (two the first time)."""
    MT = MemberTier
    when = occurred_at  # converted by the field, like any value compared with it
    later = Case(None, [((MT.last_purchase_at.is_null()) | (MT.last_purchase_at < when), when)],
                 MT.last_purchase_at)
    rows = list(MT.update(last_purchase_at=later).where(MT.member_id == member_id)
                .returning(MT).execute())
    if rows:
        return rows[0]
    return MT.create(member_id=member_id, tier=None, since=utcnow(), last_purchase_at=occurred_at)


def upgrade_after_purchase(member_id: int, state: MemberTier, purchase_id: str,
                           occurred_at: dt.datetime) -> Tier | None:
    """Upgrade at once to the best higher tier the member now qualifies for; return
    the member's tier after it.  Only tiers above the current one are evaluated."""
    current = tier_of(state)
    higher = sorted((t for t in cached_tiers().values()
                     if t.active and (current is None or t.rank > current.rank)),
                    key=lambda t: t.rank)
    if not higher:
        return current
    best, value = best_tier(member_id, max(utcnow(), occurred_at), higher)
    if best is not None:
        _move(member_id, state, best, "upgrade", value, purchase_id, utcnow())
        return best
    return current


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
    seen: dict[tuple, D] = {}  # tiers counting the same thing over the same window
    for tier in reversed(tiers if tiers is not None else active_tiers()):
        basis = (tier.qualify_by, tier.window_days)
        if basis not in seen:
            seen[basis] = qualifying_value(member_id, tier, until)
        value = seen[basis]
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
