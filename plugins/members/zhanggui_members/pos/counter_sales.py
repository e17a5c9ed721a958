"""What each counter (专柜) sold and had refunded in a window: the members plugin's
answer to ``zhanggui_counter_sales``, for the suppliers plugin's settlements and
scoring.  Sums are taken in Python over ``Decimal`` values (SQLite's SQL sums are
floats).  A refund given as a bare amount, without lines, names no counter and is not
counted here."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..profile.models import Purchase, PurchaseLine, Refund, RefundLine


def counter_sales(counter_codes, start, end) -> dict:
    codes = [c for c in dict.fromkeys(counter_codes or ()) if c]
    out: dict = defaultdict(lambda: {"sales": defaultdict(Decimal),
                                     "refunds": defaultdict(Decimal)})
    if not codes:
        return {}
    for chunk in (codes[i:i + 500] for i in range(0, len(codes), 500)):
        sold = (PurchaseLine.select(PurchaseLine.counter_code, PurchaseLine.category,
                                    PurchaseLine.amount)
                .join(Purchase)
                .where(PurchaseLine.counter_code.in_(chunk)
                       & (Purchase.occurred_at >= start) & (Purchase.occurred_at < end))
                .tuples())
        for code, category, amount in sold:
            out[code]["sales"][category] += amount
        back = (RefundLine.select(PurchaseLine.counter_code, PurchaseLine.category,
                                  RefundLine.amount)
                .join(PurchaseLine).switch(RefundLine).join(Refund)
                .where(PurchaseLine.counter_code.in_(chunk)
                       & (Refund.recorded_at >= start) & (Refund.recorded_at < end))
                .tuples())
        for code, category, amount in back:
            out[code]["refunds"][category] += amount
    return {code: {"sales": dict(v["sales"]), "refunds": dict(v["refunds"])}
            for code, v in out.items()}
