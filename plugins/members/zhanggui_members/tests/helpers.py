"""Helpers for the members plugin's tests."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal


def all_member_rows() -> str:
    """Every row of every members_* table as one text, for 'is this value stored?'."""
    from zhanggui_members.plugin import MODELS

    chunks = []
    for model in MODELS:
        for row in model.select().tuples():
            chunks.append(" | ".join("" if v is None else str(v) for v in row))
    return "\n".join(chunks)


def make_store(code="SH01", currency="CNY", tz="Asia/Shanghai"):
    from zhanggui_members.profile.models import Store

    return Store.create(code=code, name="上海南京西路店", city="上海", region="华东",
                        currency=currency, timezone=tz)


def make_purchase(member, store, pos_id="SH01-250101-000000001", total="1299.00"):
    from zhanggui_members.profile.models import Payment, Purchase, PurchaseLine

    purchase = Purchase.create(pos_id=pos_id, store=store, member=member,
                               occurred_at=dt.datetime(2025, 11, 11, 2, 30,
                                                       tzinfo=dt.timezone.utc),
                               channel="pos", total=Decimal(total))
    PurchaseLine.create(purchase=purchase, sku="COS011", name="修护精华液", category="化妆品",
                        counter_code="SH01-COS01", quantity=Decimal("1"),
                        amount=Decimal(total))
    Payment.create(purchase=purchase, method="wechat_pay", amount=Decimal(total))
    return purchase


def sale_body(pos_id="SH01-20251111-0001", member=None, **overrides):
    """A POS sale that adds up: two lines, two payments, 1,387.90 in all."""
    body = {
        "id": pos_id, "store": "SH01", "occurred_at": "2025-11-11T10:30:00+08:00",
        "member": member,
        "lines": [
            {"sku": "COS011", "name": "修护精华液", "category": "化妆品", "counter": "SH01-COS01",
             "quantity": "1", "amount": "1299.00"},
            {"sku": "FRS041", "name": "挪威三文鱼", "category": "超市生鲜", "counter": None,
             "quantity": "0.355", "amount": "88.90"},
        ],
        "total": "1387.90",
        "payments": [{"method": "wechat_pay", "amount": "1000.00"},
                     {"method": "cash", "amount": "387.90"}],
    }
    body.update(overrides)
    return body
