"""The members plugin's answer to ``zhanggui_member_summary``: who the member is,
their last purchases and their consent, for a call center's screen pop.

A handful of indexed reads (member by id, the last purchases by ``(member,
occurred_at)``, their lines by purchase, consent by member): quick enough to run on
every incoming call.  The phone is masked as staff without ``members.view_phone``
see it.
"""
from __future__ import annotations

from typing import Any

from peewee import JOIN

from .consent_models import ConsentState
from .models import Member, Purchase, PurchaseLine, Store

LAST_PURCHASES = 5


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def profile_summary(member_id: Any) -> dict[str, Any]:
    member = (Member.select(Member, Store).join(Store, JOIN.LEFT_OUTER, on=(Member.home_store == Store.id))
              .where((Member.id == member_id) & Member.merged_into.is_null()
                     & Member.erased_at.is_null()).first())
    if member is None:
        return {}
    store = member.home_store if member.home_store_id else None
    purchases = list(Purchase.select(Purchase, Store).join(Store)
                     .where(Purchase.member == member_id)
                     .order_by(Purchase.occurred_at.desc()).limit(LAST_PURCHASES))
    counters: dict[int, set[str]] = {p.id: set() for p in purchases}
    if purchases:
        for line in (PurchaseLine.select(PurchaseLine.purchase, PurchaseLine.counter_code)
                     .where(PurchaseLine.purchase.in_(list(counters)))):
            if line.counter_code:
                counters[line.purchase_id].add(line.counter_code)
    return {
        "member": {"id": member.id, "name": member.name, "phone": member.masked_phone(),
                   "card_no": member.card_no, "lifecycle_stage": member.lifecycle_stage,
                   "joined_at": _iso(member.joined_at),
                   "home_store": {"code": store.code, "name": store.name} if store else None},
        "purchases": [{"id": p.pos_id, "occurred_at": _iso(p.occurred_at),
                       "store": p.store.code, "store_name": p.store.name,
                       "currency": p.store.currency, "counters": sorted(counters[p.id]),
                       "total": str(p.total), "refunded": str(p.refunded_amount),
                       "returnable": p.refunded_amount < p.total}
                      for p in purchases],
        "consent": {s.channel: s.granted for s in ConsentState.select(
            ConsentState.channel, ConsentState.granted).where(ConsentState.member == member_id)},
    }
