"""A manual points adjustment by a console or API user: ledger service plus audit entry.

Both are written in one transaction, so an adjustment is never recorded without its
audit entry (nor the other way round).  The permission ``loyalty.adjust_points`` is
checked by the screen and the API endpoint before calling this.
"""
from __future__ import annotations

from typing import Any

from zhanggui import write_transaction
from zhanggui.console.audit import record

from .redemption import Answer, adjust_points

ADJUST_PERMISSION = "loyalty.adjust_points"


def adjust_with_audit(key: str, member_id: int, points: int, reason: str,
                      user: Any = None) -> Answer:
    """Adjust ``member_id`` by ``points`` (see :func:`adjust_points`) and audit it.

    A replay of ``key`` answers the first adjustment and writes no second audit entry.
    """
    from .postings import entry_key, find_entry, lock_balance

    with write_transaction():
        # under the member's lock, so two submits of one form cannot both look new
        lock_balance(int(member_id))
        replay = find_entry(entry_key("adjustment", key)) is not None
        answer = adjust_points(key, member_id, points, reason, getattr(user, "id", None))
        if not replay:
            record("create", "loyalty_ledger_entry", pk=answer.body["entry"],
                   fields=["member_id", "points", "reason"], user=user)
    return answer
