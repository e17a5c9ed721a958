"""Loyalty's answers to the call center's questions: a member's tier and points
(``zhanggui_member_summary``) and the members of some tiers (``zhanggui_tier_members``).
Both are primary-key or indexed reads."""
from __future__ import annotations

from typing import Any

from .models import MemberBalance, MemberTier, Tier


def loyalty_summary(member_id: Any) -> dict[str, Any]:
    balance = MemberBalance.get_or_none(MemberBalance.member_id == member_id)
    held = (MemberTier.select(MemberTier, Tier).join(Tier)
            .where(MemberTier.member_id == member_id).first())
    tier = held.tier if held is not None else None
    if balance is None and tier is None:
        return {}
    return {"loyalty": {
        "tier": {"code": tier.code, "name": tier.name, "rank": tier.rank} if tier else None,
        "balance": balance.balance if balance else 0,
        "pending": balance.pending if balance else 0}}


def tier_member_ids(tier_codes: list[str]) -> list[Any]:
    return [row.member_id for row in MemberTier.select(MemberTier.member_id).join(Tier)
            .where(Tier.code.in_(list(tier_codes))).order_by(MemberTier.member_id)]
