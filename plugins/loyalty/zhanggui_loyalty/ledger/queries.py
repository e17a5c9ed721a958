"""What the API, the POS and the 360° panel show about a member's loyalty (read-only)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from zhanggui import utcnow

from ..models import MemberBalance, PointsLedgerEntry, Tier
from ..tiers import service as tiers
from .expiry import expiring_within

EXPIRING_DAYS = 30
LAST_ENTRIES = 20


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def tier_dict(tier: Tier | None) -> dict | None:
    if tier is None:
        return None
    return {"code": tier.code, "name": tier.name, "rank": tier.rank,
            "benefits": {"points_multiplier": str(tier.points_multiplier),
                         "birthday_gift": tier.birthday_gift,
                         "parking_hours": tier.parking_hours,
                         "priority_service": tier.priority_service,
                         "exclusive_events": tier.exclusive_events}}


def next_tier_progress(member_id: int, current: Tier | None, now: dt.datetime) -> dict | None:
    """The next tier up, the qualifying value so far and what is missing."""
    higher = [t for t in tiers.active_tiers() if current is None or t.rank > current.rank]
    if not higher:
        return None
    target = higher[0]
    value = tiers.qualifying_value(member_id, target, now)
    return {"code": target.code, "name": target.name, "qualify_by": target.qualify_by,
            "window_days": target.window_days, "threshold": str(target.threshold),
            "current": str(value), "missing": str(max(target.threshold - value, 0))}


def entry_dict(entry: PointsLedgerEntry) -> dict:
    return {"id": entry.id, "kind": entry.kind, "points": entry.points,
            "pending_points": entry.pending_points, "source_type": entry.source_type,
            "source_id": entry.source_id, "store": entry.store_code,
            "occurred_at": _iso(entry.occurred_at), "expires_at": _iso(entry.expires_at),
            "unlock_at": _iso(entry.unlock_at), "reason": entry.reason}


def member_summary(member_id: int, now: dt.datetime | None = None,
                   last: int = LAST_ENTRIES) -> dict:
    """Balance, pending, tier with benefits, next-tier progress, points expiring in the
    next 30 days and the last ledger entries of one member."""
    now = now or utcnow()
    balance = MemberBalance.get_or_none(MemberBalance.member_id == member_id)
    tier = tiers.current_tier(member_id)
    expiring, first = expiring_within(member_id, EXPIRING_DAYS, now)
    entries = (PointsLedgerEntry.select().where(PointsLedgerEntry.member_id == member_id)
               .order_by(PointsLedgerEntry.id.desc()).limit(last))
    return {"member": member_id,
            "balance": balance.balance if balance else 0,
            "pending": balance.pending if balance else 0,
            "lifetime_earned": balance.lifetime_earned if balance else 0,
            "tier": tier_dict(tier),
            "next_tier": next_tier_progress(member_id, tier, now),
            "expiring": {"days": EXPIRING_DAYS, "points": expiring, "first_at": _iso(first)},
            "entries": [entry_dict(e) for e in entries]}
