"""A till's batch of sales (``POST /api/v1/pos/transactions/batch``), written set-wise.

Every sale of the batch is checked in Python first (its answer is a 422 or a 403
when it is bad, as a single post's would be); the ids already recorded are read in
one statement (their answers are replays or conflicts); the rest are written
together: purchases, lines and payments in multi-row inserts, then the
``purchase_recorded`` events and the other plugins' answers sale by sale in the
batch's order, then the stored answers in one ``UPDATE``.  A sale sent twice in
one batch is recorded once; the second answers as a replay (or a conflict when its
content differs), as it would have one post later.

All of that runs in one savepoint.  When anything fails in it — another request
recorded one of the ids meanwhile, or another plugin's listener raised — it is
rolled back whole and the batch is recorded sale by sale, each in its own savepoint,
so one failing sale sinks only itself: the answers are the same either way.
"""
from __future__ import annotations

import json
import logging
from typing import Any

from peewee import Case

from zhanggui import _l, database, emit, plugins, write_transaction

from ..profile.models import Payment, Purchase, PurchaseLine
from .parsing import MAX_BATCH, PosInputError, PosSale, parse_sale
from .purchases import (POLICIES, Outcome, PosResult, _attach_member, _merge_plugin_answers,
                        _message, _replay, purchase_event, record_sale, sale_response)

log = logging.getLogger("zhanggui.members.pos")

CHUNK = 500  # rows per multi-row statement: well below every backend's parameter limit


def record_sales(items: Any, *, unknown_members: str = "potential",
                 stores: set[str] | None = None) -> list[dict]:
    """Record up to :data:`MAX_BATCH` sales (see the module doc).

    Returns one ``{"index", "id", "status", "body"}`` per item, in order.  Raises
    :class:`PosInputError` when ``items`` is not a list of at most MAX_BATCH.
    """
    if not isinstance(items, list) or not items:
        raise PosInputError({"transactions": [str(_l("Give a non-empty list of "
                                                     "transactions."))]})
    if len(items) > MAX_BATCH:
        raise PosInputError({"transactions": [str(_l("At most %(count)s transactions per "
                                                     "batch.", count=MAX_BATCH))]})
    if unknown_members not in POLICIES:
        raise ValueError(f"ANONYMOUS_POS_MEMBERS must be one of {POLICIES}, "
                         f"not {unknown_members!r}")
    checked = [_check(item, stores) for item in items]
    with write_transaction():
        try:
            with database.atomic():
                answers = _record_together(checked, unknown_members)
        except Exception:  # noqa: BLE001 - recorded one by one below, failures named there
            log.info("POS batch: recorded sale by sale", exc_info=True)
            answers = [_one_by_one(item, unknown_members, stores, index)
                       for index, item in enumerate(items)]
    return [{"index": index, "id": item.get("id") if isinstance(item, dict) else None,
             "status": result.status, "body": result.data()}
            for index, (item, result) in enumerate(zip(items, answers))]


def _check(item: Any, stores: set[str] | None) -> PosResult | tuple[PosSale, str]:
    """The sale and its fingerprint, or the answer refusing it."""
    try:
        sale = parse_sale(item)
    except PosInputError as exc:
        return _message(Outcome.INVALID, exc.messages)
    if stores is not None and sale.store.code not in stores:
        return _message(Outcome.FORBIDDEN, _l("You may not record sales for store %(code)s.",
                                              code=sale.store.code))
    return sale, sale.fingerprint()


def _conflict(pos_id: str):
    return _l("Transaction %(id)s was already recorded with different content.", id=pos_id)


def _record_together(checked: list, unknown_members: str) -> list[PosResult]:
    sales = [c for c in checked if not isinstance(c, PosResult)]
    ids = sorted({sale.pos_id for sale, _ in sales})
    stored = {}
    for start in range(0, len(ids), CHUNK):
        stored.update({p.pos_id: p for p in Purchase.select(
            Purchase.id, Purchase.pos_id, Purchase.request_hash, Purchase.response)
            .where(Purchase.pos_id.in_(ids[start:start + CHUNK]))})
    fresh: dict[str, tuple[PosSale, str]] = {}
    for sale, fingerprint in sales:
        if sale.pos_id not in stored:
            fresh.setdefault(sale.pos_id, (sale, fingerprint))
    written = _write(list(fresh.values()), unknown_members)
    answers, done = [], set()
    for item in checked:
        if isinstance(item, PosResult):
            answers.append(item)
            continue
        sale, fingerprint = item
        if sale.pos_id in stored:
            answers.append(_replay(stored[sale.pos_id], fingerprint, _conflict(sale.pos_id)))
        elif sale.pos_id not in done:
            done.add(sale.pos_id)
            answers.append(PosResult(Outcome.RECORDED, written[sale.pos_id].response))
        else:  # the same id earlier in this batch
            answers.append(_replay(written[sale.pos_id], fingerprint, _conflict(sale.pos_id)))
    return answers


def _write(fresh: list[tuple[PosSale, str]], unknown_members: str) -> dict[str, Purchase]:
    """Write the new sales; return their purchases by POS id, answers included."""
    if not fresh:
        return {}
    # members one by one, in order: a new phone's second sale finds the member its
    # first one created
    members = [_attach_member(sale, unknown_members) for sale, _ in fresh]
    purchases = [Purchase(pos_id=sale.pos_id, store=sale.store, member=member,
                          occurred_at=sale.occurred_at, channel=sale.channel,
                          total=sale.total, request_hash=fingerprint)
                 for (sale, fingerprint), (member, _) in zip(fresh, members)]
    ids: dict[str, int] = {}
    for start in range(0, len(purchases), CHUNK):
        rows = [{k: v for k, v in p.__data__.items() if k != "id"}
                for p in purchases[start:start + CHUNK]]
        ids.update((pos_id, pk) for pk, pos_id in Purchase.insert_many(rows)
                   .returning(Purchase.id, Purchase.pos_id).tuples().execute())
    for purchase in purchases:
        purchase.id = ids[purchase.pos_id]
    line_ids = _insert_lines(fresh, purchases)
    payments = [{"purchase": p.id, "method": pay.method, "amount": pay.amount}
                for (sale, _), p in zip(fresh, purchases) for pay in sale.payments]
    for start in range(0, len(payments), CHUNK):
        Payment.insert_many(payments[start:start + CHUNK]).execute()
    # events and answers sale by sale, in the batch's order, from what was written
    for (sale, _), purchase, (member, created) in zip(fresh, purchases, members):
        event = purchase_event(purchase, sale, line_ids[purchase.id])
        emit("purchase_recorded", purchase=event)
        body = sale_response(purchase, sale, member, created)
        _merge_plugin_answers(body, plugins().pos_response(event))
        purchase.response = json.dumps(body, ensure_ascii=False)
    for start in range(0, len(purchases), CHUNK):
        chunk = purchases[start:start + CHUNK]
        (Purchase.update(response=Case(Purchase.id, [(p.id, p.response) for p in chunk]))
         .where(Purchase.id.in_([p.id for p in chunk])).execute())
    return {p.pos_id: p for p in purchases}


def _insert_lines(fresh: list[tuple[PosSale, str]], purchases: list[Purchase]) -> dict:
    """Every sale's lines; their ids by purchase, in the sale's line order (ids grow
    in the order rows are inserted)."""
    rows = [{"purchase": p.id, "sku": ln.sku, "name": ln.name, "category": ln.category,
             "counter_code": ln.counter, "quantity": ln.quantity, "amount": ln.amount}
            for (sale, _), p in zip(fresh, purchases) for ln in sale.lines]
    line_ids: dict[int, list[int]] = {p.id: [] for p in purchases}
    for start in range(0, len(rows), CHUNK):
        for pk, purchase_id in (PurchaseLine.insert_many(rows[start:start + CHUNK])
                                .returning(PurchaseLine.id, PurchaseLine.purchase)
                                .tuples().execute()):
            line_ids[purchase_id].append(pk)
    for ids in line_ids.values():
        ids.sort()
    return line_ids


def _one_by_one(item: Any, unknown_members: str, stores: set[str] | None,
                index: int) -> PosResult:
    """One sale of a batch that could not be written together, in its own savepoint."""
    try:
        return record_sale(item, unknown_members=unknown_members, stores=stores)
    except Exception:  # a listener failed: this sale only is rolled back
        log.exception("POS batch: transaction %s could not be recorded", index)
        return _message(Outcome.FAILED, _l("This transaction could not be recorded; "
                                           "nothing of it was stored. Send it again."))
