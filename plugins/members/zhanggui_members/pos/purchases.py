"""Recording POS sales and refunds: idempotent, atomic with their events.

The POS transaction id (``Purchase.pos_id``) and the refund id (``Refund.refund_id``)
are idempotency keys, enforced by unique indexes rather than by a look-up alone, so
fifty tills (or one till retrying fifty times) racing with the same id leave exactly
one row on every backend: the losers' inserts fail, their transactions roll back and
they answer with the winner's stored response, or a conflict when their body differs
(compared by :meth:`PosSale.fingerprint`).

Everything a sale causes happens in its one transaction: the potential member it
creates, the purchase, its lines and payments, the ``purchase_recorded`` event (so a
listener that raises rolls the sale back) and the answer other plugins add through
``zhanggui_pos_response``, which is stored with the purchase and replayed verbatim.

A refund locks its purchase (``SELECT ... FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE``
already serialises writers) before reading what is left, so concurrent refunds can
never give back more than was paid.
"""
from __future__ import annotations

import decimal
import enum
import json
from dataclasses import dataclass
from typing import Any

import peewee

from zhanggui import (PaymentEvent, PluginError, PurchaseEvent, PurchaseLineEvent, RefundEvent,
                      _l, database, emit, plugins, write_transaction)
from zhanggui.db import backend

from ..profile.models import (CENT, Member, MemberIdentity, Payment, Purchase, PurchaseLine,
                              Refund, RefundLine, Store)
from ..profile.crypto import phone_cipher
from ..profile.services import find_member, find_member_by_identity, masked_phone, phone_fields
from .parsing import PosInputError, PosSale, RefundRequest, parse_refund, parse_sale

POLICIES = ("potential", "anonymous")


class Outcome(enum.Enum):
    """What happened to one POS request, with the HTTP status the API answers."""

    RECORDED = 201
    REPLAYED = 200
    CONFLICT = 409
    FORBIDDEN = 403
    NOT_FOUND = 404
    INVALID = 422
    FAILED = 500


@dataclass(frozen=True)
class PosResult:
    """``body`` is the exact JSON text to answer (stored responses are replayed as is)."""

    outcome: Outcome
    body: str

    @property
    def status(self) -> int:
        return self.outcome.value

    def data(self) -> Any:
        return json.loads(self.body)


def _message(outcome: Outcome, message: Any) -> PosResult:
    if not isinstance(message, dict):
        message = str(message)
    return PosResult(outcome, json.dumps({"message": message}, ensure_ascii=False))


def _replay(stored, fingerprint: str, what) -> PosResult:
    if stored.request_hash and stored.request_hash == fingerprint and stored.response:
        return PosResult(Outcome.REPLAYED, stored.response)
    return _message(Outcome.CONFLICT, what)


# --- sales --------------------------------------------------------------------------

def record_sale(data: Any, *, unknown_members: str = "potential",
                stores: set[str] | None = None) -> PosResult:
    """Record one POS sale body (see :func:`zhanggui_members.pos.parsing.parse_sale`).

    ``unknown_members`` (the ``ANONYMOUS_POS_MEMBERS`` setting): ``"potential"``
    creates a potential member for a phone or identity nobody has; ``"anonymous"``
    records such a sale without a member.  ``stores``: the store codes the caller may
    record sales for (``None``: all).  Never raises for bad input; an exception
    from another plugin's listener propagates after the sale is rolled back.
    """
    if unknown_members not in POLICIES:
        raise ValueError(f"ANONYMOUS_POS_MEMBERS must be one of {POLICIES}, "
                         f"not {unknown_members!r}")
    try:
        sale = parse_sale(data)
    except PosInputError as exc:
        return _message(Outcome.INVALID, exc.messages)
    if stores is not None and sale.store.code not in stores:
        return _message(Outcome.FORBIDDEN, _l("You may not record sales for store %(code)s.",
                                              code=sale.store.code))
    fingerprint = sale.fingerprint()
    conflict = _l("Transaction %(id)s was already recorded with different content.",
                  id=sale.pos_id)
    # no look-up first: the idempotency key's unique index refuses a second insert,
    # and _write_once answers that with the stored sale (one statement less per sale)
    return _write_once(lambda: _record(sale, fingerprint, unknown_members),
                       lambda: Purchase.get_or_none(Purchase.pos_id == sale.pos_id),
                       fingerprint, conflict)


def _write_once(write, find_stored, fingerprint, conflict) -> PosResult:
    """Run ``write`` in one transaction; when the idempotency key's unique index
    refuses it, another request recorded the same id between our look-up and our
    insert: answer as a replay of what that request stored."""
    try:
        with write_transaction():
            body = write()
    except PosInputError as exc:
        return _message(Outcome.INVALID, exc.messages)
    except peewee.IntegrityError:
        stored = find_stored()
        if stored is None:
            raise
        return _replay(stored, fingerprint, conflict)
    return PosResult(Outcome.RECORDED, body)


def _record(sale: PosSale, fingerprint: str, unknown_members: str) -> str:
    member, created = _attach_member(sale, unknown_members)
    purchase = Purchase.create(pos_id=sale.pos_id, store=sale.store, member=member,
                               occurred_at=sale.occurred_at, channel=sale.channel,
                               total=sale.total, request_hash=fingerprint)
    line_ids = [row[0] for row in PurchaseLine.insert_many([
        {"purchase": purchase.id, "sku": ln.sku, "name": ln.name, "category": ln.category,
         "counter_code": ln.counter, "quantity": ln.quantity, "amount": ln.amount}
        for ln in sale.lines]).returning(PurchaseLine.id).tuples().execute()]
    if sale.payments:
        Payment.insert_many([{"purchase": purchase.id, "method": p.method,
                              "amount": p.amount} for p in sale.payments]).execute()
    # the event and the answer are built from what was just written, not read back
    event = purchase_event(purchase, sale, line_ids)
    emit("purchase_recorded", purchase=event)
    body = sale_response(purchase, sale, member, created)
    _merge_plugin_answers(body, plugins().pos_response(event))
    text = json.dumps(body, ensure_ascii=False)
    Purchase.update(response=text).where(Purchase.id == purchase.id).execute()
    return text


def _merge_plugin_answers(body: dict, extra: dict) -> None:
    clash = sorted(set(body) & set(extra))
    if clash:
        raise PluginError(f"zhanggui_pos_response: key {clash[0]!r} is the members "
                          "plugin's own key in the POS answer")
    body.update(extra)


def _attach_member(sale: PosSale, unknown_members: str) -> tuple[Member | None, bool]:
    """The member the sale belongs to, created as potential if allowed (and new?)."""
    ref = sale.member
    if ref is None:
        return None, False
    from ..merging.command import current_member  # a merge may be folding it away

    member = _shared_by_phone(ref.phone)
    if member is not None:
        return current_member(member, locked=True), False
    member = find_member(phone=ref.phone, card=ref.card)
    if member is None and ref.identity_value:
        member = find_member_by_identity(ref.identity_kind, ref.identity_value)
    if member is not None:
        return current_member(member), False
    if not (ref.phone or ref.identity_value):
        raise PosInputError({"member": {"card": [str(_l("No member has this card "
                                                       "number."))]}})
    if unknown_members == "anonymous":
        return None, False
    try:
        with database.atomic():  # a savepoint: a racing till may create them first
            member = Member.create(card_no=ref.card, home_store=sale.store,
                                   joined_at=sale.occurred_at, join_channel="pos",
                                   lifecycle_stage="potential", **phone_fields(ref.phone))
            if ref.identity_value:
                MemberIdentity.create(member=member, kind=ref.identity_kind,
                                      value=ref.identity_value)
    except peewee.IntegrityError:
        member = find_member(phone=ref.phone, card=ref.card)
        if member is None and ref.identity_value:
            member = find_member_by_identity(ref.identity_kind, ref.identity_value)
        if member is None:
            raise
        return member, False
    return member, True


def _shared_by_phone(phone: str | None) -> Member | None:
    """On PostgreSQL, the member with this phone read ``FOR SHARE`` in one statement
    (what ``find_member`` then ``current_member`` read in two).  ``None`` when
    nobody has it now (a merge that just committed may have moved it: the caller
    then looks the slow way, aliases included) and on SQLite."""
    if not phone or backend(database) == "sqlite":
        return None
    digest = phone_cipher().lookup_hash(phone)
    return (Member.select().where(Member.phone_hash == digest)
            .for_update("FOR SHARE").first())


def purchase_event(purchase: Purchase, sale: PosSale, line_ids: list[int]) -> PurchaseEvent:
    """The plain-value picture of a purchase that events and other plugins receive,
    built from the sale just written (nothing read back)."""
    return PurchaseEvent(
        purchase_id=purchase.id, pos_id=purchase.pos_id, member_id=purchase.member_id,
        store_code=sale.store.code, currency=sale.store.currency,
        occurred_at=purchase.occurred_at, channel=purchase.channel, total=purchase.total,
        lines=tuple(PurchaseLineEvent(line_id=line_id, sku=ln.sku, name=ln.name,
                                      category=ln.category, counter=ln.counter,
                                      quantity=ln.quantity, amount=ln.amount)
                    for line_id, ln in zip(line_ids, sale.lines)),
        payments=tuple(PaymentEvent(method=p.method, amount=p.amount) for p in sale.payments))


def sale_response(purchase: Purchase, sale: PosSale, member: Member | None,
                  created: bool) -> dict:
    """The members plugin's part of the POS answer about a sale just written."""
    return {
        "id": purchase.pos_id,
        "purchase_id": purchase.id,
        "store": sale.store.code,
        "occurred_at": purchase.occurred_at.isoformat(),
        "channel": purchase.channel,
        "member": None if member is None else {
            "id": member.id, "card": member.card_no, "phone": masked_phone(member),
            "lifecycle_stage": member.lifecycle_stage, "new": created},
        "total": _money(purchase.total),
        "lines": [{"sku": ln.sku, "name": ln.name, "category": ln.category,
                   "counter": ln.counter, "quantity": str(ln.quantity),
                   "amount": _money(ln.amount)} for ln in sale.lines],
        "payments": [{"method": p.method, "amount": _money(p.amount)} for p in sale.payments],
    }


def _money(value: decimal.Decimal) -> str:
    return str(decimal.Decimal(value).quantize(CENT))


# --- refunds ------------------------------------------------------------------------

def record_refund(pos_id: str, data: Any, *, stores: set[str] | None = None) -> PosResult:
    """Refund part of the sale ``pos_id``: some lines, or an amount.

    Idempotent on the refund id like sales.  422 when the refund would exceed what is
    left of the sale (its total less earlier refunds; a line's quantity less the
    quantity already given back); 404 when no sale has that id, or none in ``stores``
    (the store codes the caller may reach; ``None``: all).
    """
    try:
        request = parse_refund(pos_id, data)
    except PosInputError as exc:
        return _message(Outcome.INVALID, exc.messages)
    fingerprint = request.fingerprint()
    conflict = _l("Refund %(id)s was already recorded with different content.",
                  id=request.refund_id)
    stored = Refund.get_or_none(Refund.refund_id == request.refund_id)
    if stored is not None:
        return _replay(stored, fingerprint, conflict)
    sale = Purchase.select().where(Purchase.pos_id == pos_id)
    if stores is not None:
        sale = sale.join(Store).where(Store.code.in_(stores or [""]))
    if not sale.exists():
        return _message(Outcome.NOT_FOUND, _l("No transaction has the id %(id)s.", id=pos_id))
    return _write_once(lambda: _refund(request, fingerprint),
                       lambda: Refund.get_or_none(Refund.refund_id == request.refund_id),
                       fingerprint, conflict)


def _locked_purchase(pos_id: str) -> Purchase:
    query = Purchase.select().where(Purchase.pos_id == pos_id)
    if backend(database) != "sqlite":  # SQLite: BEGIN IMMEDIATE holds the write lock
        query = query.for_update()
    return query.get()


def _refund(request: RefundRequest, fingerprint: str) -> str:
    purchase = _locked_purchase(request.pos_id)
    left = purchase.total - purchase.refunded_amount
    parts: list[tuple[PurchaseLine, decimal.Decimal, decimal.Decimal]] = []
    if request.items is None:
        amount = request.amount
    else:
        parts = _refund_parts(purchase, request)
        amount = sum((a for _, _, a in parts), decimal.Decimal("0.00"))
    if amount > left:
        raise PosInputError({"amount" if request.items is None else "lines": [str(_l(
            "This refund of %(amount)s exceeds what is left of the sale (%(left)s).",
            amount=_money(amount), left=_money(left)))]})
    refund = Refund.create(refund_id=request.refund_id, purchase=purchase, amount=amount,
                           request_hash=fingerprint)
    if parts:
        RefundLine.insert_many([{"refund": refund.id, "purchase_line": line.id,
                                 "quantity": qty, "amount": amt}
                                for line, qty, amt in parts]).execute()
    Purchase.update(refunded_amount=purchase.refunded_amount + amount) \
        .where(Purchase.id == purchase.id).execute()
    emit("purchase_refunded", refund=RefundEvent(
        refund_id=refund.refund_id, purchase_id=purchase.id, pos_id=purchase.pos_id,
        member_id=purchase.member_id, amount=amount,
        fraction=(amount / purchase.total) if purchase.total else decimal.Decimal(1),
        lines=tuple((line.id, amt) for line, _qty, amt in parts),
        occurred_at=refund.recorded_at))
    body = {
        "id": refund.refund_id, "transaction": purchase.pos_id, "amount": _money(amount),
        "lines": [{"sku": line.sku, "quantity": str(qty), "amount": _money(amt)}
                  for line, qty, amt in parts],
        "refunded_total": _money(purchase.refunded_amount + amount),
        "refundable": _money(left - amount),
    }
    text = json.dumps(body, ensure_ascii=False)
    Refund.update(response=text).where(Refund.id == refund.id).execute()
    return text


def _refund_parts(purchase: Purchase, request: RefundRequest):
    """``[(line, quantity, amount)]`` for a per-line refund, checked against what each
    line has left.  A SKU sold on several lines is given back from them in order; an
    amount not given is the line's price for that quantity (the rest of the line's
    amount when the last of its quantity goes back, so the cents add up)."""
    lines = list(purchase.lines.order_by(PurchaseLine.id))
    given: dict[int, list[decimal.Decimal]] = {ln.id: [decimal.Decimal(0), decimal.Decimal(0)]
                                                for ln in lines}
    for row in (RefundLine.select(RefundLine.purchase_line, RefundLine.quantity,
                                  RefundLine.amount)
                .where(RefundLine.purchase_line.in_([ln.id for ln in lines]))):
        given[row.purchase_line_id][0] += row.quantity
        given[row.purchase_line_id][1] += row.amount
    errors: dict[str, Any] = {}
    parts = []
    for index, item in enumerate(request.items):
        wanted = item.quantity
        matching = [ln for ln in lines if ln.sku == item.sku]
        if not matching:
            errors[str(index)] = {"sku": [str(_l("The sale has no line with this SKU."))]}
            continue
        available = sum(ln.quantity - given[ln.id][0] for ln in matching)
        if wanted > available:
            errors[str(index)] = {"quantity": [str(_l(
                "Only %(count)s of this item are left to refund.", count=available))]}
            continue
        share_of_amount = item.amount
        for line in matching:
            qty_left = line.quantity - given[line.id][0]
            amount_left = line.amount - given[line.id][1]
            take = min(wanted, qty_left)
            if take <= 0:
                continue
            if share_of_amount is not None:
                amt = share_of_amount if take == wanted else \
                    (share_of_amount * take / wanted).quantize(CENT)
                share_of_amount -= amt
            elif take == qty_left:
                amt = amount_left
            else:
                amt = (line.amount * take / line.quantity).quantize(CENT)
            if amt > amount_left:
                errors[str(index)] = {"amount": [str(_l(
                    "This refund of %(amount)s exceeds what is left of the sale "
                    "(%(left)s).", amount=_money(amt), left=_money(amount_left)))]}
                break
            given[line.id][0] += take
            given[line.id][1] += amt
            parts.append((line, take, amt))
            wanted -= take
            if wanted == 0:
                break
    if errors:
        raise PosInputError({"lines": errors})
    return parts
