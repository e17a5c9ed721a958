"""Refunds take back the points their purchase earned: exactly, once per refund.

How many points (:func:`zhanggui_loyalty.rules.calculation.reversal_target`): the refunded
lines' points in proportion to the money refunded (the whole purchase's points for a
refund by amount), rounded half-up on the running total, so all the refunds of a
purchase together never take back more than it earned and a full refund takes back
exactly that.

Where they come from, in order: the purchase's points still pending (return
window), then what is left of the purchase's own credit, then the member's other
points, closest to expiry first.  When that is not enough (the points were spent or
expired), the program's ``refund_policy`` decides:

* ``negative`` (default): the whole amount is taken; the balance goes below zero and
  the member's next points pay the debt first;
* ``review``: only what the balance covers is taken (it never goes below zero); the
  rest is recorded in a :class:`~zhanggui_loyalty.models.RefundReview` for staff.

Each refund id reverses once (idempotency key ``refund:<id>:reverse``); a purchase
that earned no entry (anonymous, or before loyalty was installed) reverses nothing.
"""
from __future__ import annotations

import json
from typing import Any

from zhanggui import write_transaction

from ..models import PointsLedgerEntry, RefundReview
from ..rules.calculation import reversal_target
from ..rules.earning import earn_key
from ..tiers import service as tiers
from .postings import (entry_key, find_entry, lock_balance, lot_of, pending_left, post_debit,
                       post_pending, post_zero, program_settings)


def reverse_key(refund_id: Any) -> str:
    return entry_key("refund", refund_id, "reverse")


def _prior_state(earn: PointsLedgerEntry) -> dict:
    last = (PointsLedgerEntry.select().where((PointsLedgerEntry.related_entry == earn.id) &
                                             (PointsLedgerEntry.kind == "reverse"))
            .order_by(PointsLedgerEntry.id.desc()).first())
    if last is None or not last.detail:
        return {}
    return json.loads(last.detail).get("state", {})


def reverse_for_refund(refund: Any) -> PointsLedgerEntry | None:
    """Take back the points of a refund (a :class:`zhanggui.RefundEvent`)."""
    earn = find_entry(earn_key(refund.purchase_id))
    if earn is None:
        return None
    key = reverse_key(refund.refund_id)
    with write_transaction():
        balance = lock_balance(earn.member_id)
        existing = find_entry(key)
        if existing is not None:
            return existing
        earned = json.loads(earn.detail or "{}")
        points, state = reversal_target(earned, _prior_state(earn), refund)
        from_pending = min(points, max(0, pending_left(earn)))
        from_balance = points - from_pending
        fields = dict(source_type="refund", source_id=str(refund.refund_id),
                      related_entry=earn.id, spend=-refund.amount, store_code=earn.store_code,
                      occurred_at=refund.occurred_at,
                      detail={"state": state, "points": points, "from_pending": from_pending,
                              "purchase": str(refund.purchase_id)})
        policy = program_settings().refund_policy
        taken = from_balance
        if policy == "review":
            taken = min(from_balance, max(0, balance.balance))
        if taken > 0:
            lot = lot_of(earn)
            entry = post_debit(balance, "reverse", key, taken, allow_negative=True,
                               prefer=[lot] if lot else [], pending_points=-from_pending,
                               **fields)
        elif from_pending > 0:
            entry = post_pending(balance, "reverse", key, -from_pending, **fields)
        else:
            entry = post_zero(balance, "reverse", key, **fields)
        if taken < from_balance:
            RefundReview.create(refund_id=str(refund.refund_id), member_id=earn.member_id,
                                purchase_id=str(refund.purchase_id),
                                points_due=from_balance, points_taken=taken)
        tiers.after_refund(earn.member_id, str(refund.purchase_id))
        return entry
