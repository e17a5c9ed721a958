"""Loyalty's answers to the call center's questions: a member's tier and points
(``zhanggui_member_summary``, run on every incoming call) and the members of some
tiers (``zhanggui_tier_members``).

The summary is one primary-key read of the balance and one of the tier, compiled to
SQL once per database kind (compiling peewee queries cost more than running them).
"""
from __future__ import annotations

from typing import Any

from peewee import JOIN

from zhanggui import database

from .models import MemberBalance, MemberTier, Tier

_PROBE = -7_346_582_901_234          # stands for the member id while compiling
_COMPILED: dict[tuple, tuple] = {}


def _summary_query():
    return (MemberBalance.select(MemberBalance.balance, MemberBalance.pending,
                                 Tier.code, Tier.name, Tier.rank)
            .join(MemberTier, JOIN.LEFT_OUTER,
                  on=(MemberTier.member_id == MemberBalance.member_id))
            .join(Tier, JOIN.LEFT_OUTER, on=(MemberTier.tier == Tier.id))
            .where(MemberBalance.member_id == _PROBE))


def _tier_only_query():
    return (MemberTier.select(Tier.code, Tier.name, Tier.rank).join(Tier)
            .where(MemberTier.member_id == _PROBE))


def _fetch(name: str, build, member_id: int) -> list[tuple]:
    db = database.obj
    key = (name, type(db), db.param, db.quote)
    hit = _COMPILED.get(key)
    if hit is None:
        sql, params = build().sql()
        hit = _COMPILED[key] = (sql, [p == _PROBE for p in params], list(params))
    sql, probes, params = hit
    return database.execute_sql(sql, [member_id if probe else p for probe, p
                                      in zip(probes, params)]).fetchall()


def loyalty_summary(member_id: Any) -> dict[str, Any]:
    try:
        member_id = int(member_id)
    except (TypeError, ValueError):
        return {}
    rows = _fetch("balance", _summary_query, member_id)
    if rows:
        balance, pending, code, name, rank = rows[0]
    else:
        balance = pending = 0
        tier = _fetch("tier", _tier_only_query, member_id)
        if not tier:
            return {}
        code, name, rank = tier[0]
    return {"loyalty": {
        "tier": {"code": code, "name": name, "rank": rank} if code else None,
        "balance": balance, "pending": pending}}


def tier_member_ids(tier_codes: list[str]) -> list[Any]:
    return [row.member_id for row in MemberTier.select(MemberTier.member_id).join(Tier)
            .where(Tier.code.in_(list(tier_codes))).order_by(MemberTier.member_id)]
