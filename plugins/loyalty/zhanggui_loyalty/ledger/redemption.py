"""Spending points (redemption) and manual adjustments: commands with idempotency keys.

A redemption is identified by the caller's key (the POS or app's request id):

* the first request under a key is carried out and its answer stored with a
  fingerprint of what was asked (member, points, store, reason);
* a replay with the same content gets the stored answer, whatever happened since;
* the same key with other content is refused (``idempotency_key_reused``);
* too few points: refused (``insufficient_points``) and nothing is written, so a
  replay later, after the member earned more, may succeed.

Concurrency: the member's balance row is locked before the key is looked up (see
:mod:`zhanggui_loyalty.ledger.postings`), so of many simultaneous requests for one member
exactly as many succeed as the balance covers.  Two simultaneous first requests
with one key for two different members meet at the key's unique index; the loser
retries and gets the refusal.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from peewee import IntegrityError

from zhanggui import _, utcnow, write_transaction

from ..models import PointsAllocation, Redemption
from .expiry import expires_at_for
from .postings import (InsufficientPoints, entry_key, find_entry, lock_balance, post_credit,
                       post_debit, program_settings)

MAX_POINTS = 10 ** 9


class LoyaltyError(Exception):
    """A refused loyalty request: HTTP ``status``, a stable ``code`` and a message."""

    def __init__(self, status: int, code: str, message: str, **extra: Any):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, **self.extra}


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict


def _fingerprint(content: dict) -> str:
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _stored(row: Redemption, fingerprint: str) -> Answer:
    if row.request_hash != fingerprint:
        raise LoyaltyError(409, "idempotency_key_reused",
                           _("This request id was already used for a different redemption."))
    return Answer(201, json.loads(row.response))


def redeem_points(key: str, member_id: int, points: int, store: str | None = None,
                  reason: str | None = None) -> Answer:
    """Spend ``points`` of ``member_id`` under the idempotency ``key`` (see module doc).

    Raises :class:`LoyaltyError` (409 ``insufficient_points`` or
    ``idempotency_key_reused``); returns the 201 answer otherwise.
    """
    if not isinstance(points, int) or isinstance(points, bool) or not 0 < points <= MAX_POINTS:
        raise LoyaltyError(422, "invalid", _("Points must be a whole number above zero."))
    fingerprint = _fingerprint({"member": int(member_id), "points": points, "store": store,
                                "reason": reason})
    for attempt in (1, 2):
        try:
            return _redeem_once(key, int(member_id), points, store, reason, fingerprint)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _redeem_once(key, member_id, points, store, reason, fingerprint) -> Answer:
    with write_transaction():
        balance = lock_balance(member_id)
        row = Redemption.get_or_none(Redemption.key == key)
        if row is not None:
            return _stored(row, fingerprint)
        try:
            entry = post_debit(balance, "redeem", entry_key("redemption", key), points,
                               source_type="redemption", source_id=key, store_code=store,
                               reason=reason, occurred_at=utcnow())
        except InsufficientPoints as exc:
            raise LoyaltyError(409, "insufficient_points", str(exc),
                               balance=exc.balance, points=exc.wanted) from None
        drawn = [{"entry": credit, "points": pts} for credit, pts in
                 PointsAllocation.select(PointsAllocation.credit, PointsAllocation.points)
                 .where(PointsAllocation.debit == entry.id)
                 .order_by(PointsAllocation.id).tuples()]
        body = {"id": key, "member": member_id, "points": points, "balance": balance.balance,
                "pending": balance.pending, "entry": entry.id, "drawn_from": drawn}
        Redemption.create(key=key, member_id=member_id, points=points, store_code=store,
                          reason=reason, request_hash=fingerprint,
                          response=json.dumps(body, sort_keys=True))
        return Answer(201, body)


def adjust_points(key: str, member_id: int, points: int, reason: str,
                  user_id: int | None) -> Answer:
    """A manual correction by a user, with a reason; positive or negative.

    A negative adjustment cannot take the balance below zero.  Added points expire
    like earned points, counted from now.  Replays under ``key`` are no-ops.
    """
    if not isinstance(points, int) or isinstance(points, bool) or points == 0 \
            or abs(points) > MAX_POINTS:
        raise LoyaltyError(422, "invalid", _("Points must be a whole number other than zero."))
    if not (reason or "").strip():
        raise LoyaltyError(422, "reason_required", _("Give a reason for the adjustment."))
    ledger_key = entry_key("adjustment", key)
    with write_transaction():
        balance = lock_balance(int(member_id))
        existing = find_entry(ledger_key)
        if existing is not None:
            if existing.member_id != int(member_id) or existing.points != points:
                raise LoyaltyError(409, "idempotency_key_reused",
                                   _("This request id was already used for a different "
                                     "adjustment."))
        else:
            fields = dict(source_type="adjustment", source_id=key, reason=reason.strip(),
                          created_by=user_id, occurred_at=utcnow())
            try:
                if points > 0:
                    existing = post_credit(balance, "adjust", ledger_key, points,
                                           expires_at=expires_at_for(utcnow(),
                                                                     program_settings()),
                                           **fields)
                else:
                    existing = post_debit(balance, "adjust", ledger_key, -points, **fields)
            except InsufficientPoints as exc:
                raise LoyaltyError(409, "insufficient_points", str(exc),
                                   balance=exc.balance, points=exc.wanted) from None
        return Answer(201, {"id": key, "member": int(member_id), "points": points,
                            "entry": existing.id, "balance": balance.balance})
