"""Awarding a purchase's points, inside the purchase's own transaction.

One earn entry per purchase (idempotency key ``purchase:<id>:earn``), even when the
purchase earns nothing: it records the qualifying spend for tiers and makes a
replayed purchase a no-op.  With a return window (``pending_days``) the points are
pending until ``unlock_at`` and cannot be spent; otherwise they count at once.
"""
from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from typing import Any

from flask import g, has_app_context

from zhanggui import cached, database, plugins, utcnow, write_transaction

from ..ledger.expiry import expires_at_for
from ..ledger.postings import (AlreadyPosted, cached_settings, entry_key, find_entry,
                               lock_balance, post_credit, post_pending, post_zero,
                               program_settings)
from ..models import EarningRule, MemberBalance, PointsLedgerEntry, Tier
from ..tiers import service as tiers
from .calculation import Calculation, calculate


def earn_key(purchase_id: Any) -> str:
    return entry_key("purchase", purchase_id, "earn")


def _birthday(member_id: Any) -> dt.date | None:
    value = plugins().call_first("zhanggui_member_birthday", member_id=member_id)
    return value if isinstance(value, dt.date) else None


def _bonuses(purchase: Any, member_id: Any) -> list[Any]:
    return plugins().collect("zhanggui_points_bonus", purchase=purchase, member_id=member_id)


def preview(purchase: Any, member_id: Any | None = None,
            tier_code: str | None = None) -> Calculation:
    """What ``purchase`` would earn now, for ``member_id`` (or an anonymous basket
    with neither tier nor birthday, or a basket of any member of the tier
    ``tier_code``); nothing is written."""
    settings = program_settings()
    tier = tiers.current_tier(member_id) if member_id is not None else None
    if member_id is None and tier_code:
        tier = Tier.get_or_none(Tier.code == tier_code)
    return calculate(purchase, list(EarningRule.select()), timezone=settings.timezone,
                     tier_multiplier=tier.points_multiplier if tier else 1,
                     birthday=_birthday(member_id) if member_id is not None else None,
                     bonuses=_bonuses(purchase, member_id) if member_id is not None else ())


def award_for_purchase(purchase: Any, now: dt.datetime | None = None) -> PointsLedgerEntry | None:
    """Award the points of a recorded purchase (a :class:`zhanggui.PurchaseEvent`).

    Anonymous purchases earn nothing.  Awarding the same purchase again returns the
    first entry and writes nothing.  Settings, rules and tiers come from the worker's
    cache; what the award leaves (points, balance, tier) is kept for :func:`pos_answer`
    so the till's answer reads nothing back.
    """
    if purchase.member_id is None:
        return None
    member_id = int(purchase.member_id)
    now = now or utcnow()
    key = earn_key(purchase.purchase_id)
    # inside the sale's transaction no savepoint of its own (two round trips): a
    # failing award rolls the whole sale back, as a listener's exception must
    with (nullcontext() if database.in_transaction() else write_transaction()):
        balance = lock_balance(member_id)
        state = tiers.touch_member(member_id, purchase.occurred_at)
        settings = cached_settings()
        tier = tiers.tier_of(state)
        calc = calculate(purchase, cached_rules(), timezone=settings.timezone,
                         tier_multiplier=tier.points_multiplier if tier else 1,
                         birthday=_birthday(member_id), bonuses=_bonuses(purchase, member_id))
        try:
            entry = _post_award(purchase, balance, settings, calc, key, now)
        except AlreadyPosted:
            return find_entry(key)
        tier = tiers.upgrade_after_purchase(member_id, state, str(purchase.purchase_id),
                                            purchase.occurred_at)
        _remember_answer(purchase.purchase_id, {
            "earned": entry.points + entry.pending_points, "balance": balance.balance,
            "pending": balance.pending, "tier": tier.code if tier else None})
        return entry


def cached_rules() -> list[EarningRule]:
    """Every earning rule, as this worker keeps them until a rule changes (read-only)."""
    return cached(("loyalty.rules",), lambda: list(EarningRule.select()))


def _post_award(purchase: Any, balance: MemberBalance, settings, calc: Calculation,
                key: str, now: dt.datetime) -> PointsLedgerEntry:
    """The earn entry of ``calc`` (raises :class:`AlreadyPosted`, writing nothing,
    when the purchase has one)."""
    detail = calc.as_dict()
    unlock_at = purchase.occurred_at + dt.timedelta(days=settings.pending_days)
    fields = dict(source_type="purchase", source_id=str(purchase.purchase_id),
                  spend=purchase.total, store_code=purchase.store_code,
                  occurred_at=purchase.occurred_at, detail=detail,
                  expires_at=expires_at_for(purchase.occurred_at, settings))
    if calc.points <= 0:
        return post_zero(balance, "earn", key, once=True, **fields)
    if settings.pending_days > 0 and unlock_at > now:
        return post_pending(balance, "earn", key, calc.points, unlock_at=unlock_at,
                            once=True, **fields)
    return post_credit(balance, "earn", key, calc.points, earned=True, once=True,
                       **fields)


def _remember_answer(purchase_id: Any, answer: dict) -> None:
    if has_app_context():
        g.setdefault("_loyalty_answers", {})[purchase_id] = answer


def pos_answer(purchase: Any) -> dict:
    """The ``loyalty`` part of the POS answer about ``purchase`` ({} if anonymous)."""
    if purchase.member_id is None:
        return {}
    known = g.get("_loyalty_answers", {}).pop(purchase.purchase_id, None) \
        if has_app_context() else None
    if known is not None:  # the award just made in this transaction
        return {"loyalty": known}
    entry = find_entry(earn_key(purchase.purchase_id))
    balance = MemberBalance.get_or_none(MemberBalance.member_id == int(purchase.member_id))
    tier = tiers.current_tier(int(purchase.member_id))
    earned = (entry.points + entry.pending_points) if entry is not None else 0
    return {"loyalty": {"earned": earned,
                        "balance": balance.balance if balance else 0,
                        "pending": balance.pending if balance else 0,
                        "tier": tier.code if tier else None}}
