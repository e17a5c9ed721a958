"""Earning points on purchases: the rules in their documented order."""
from __future__ import annotations

import json
from decimal import Decimal

from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.models import EarningRule, PointsLedgerEntry

from .helpers import balance_of, emit_purchase, purchase


def test_a_purchase_earns_one_point_per_yuan_rounded_down_per_line(loyalty_app):
    emit_purchase(purchase(1, "99.99", "0.99"))
    assert balance_of(1) == 99       # 99.99 -> 99, 0.99 -> 0: floor per line
    assert check_member(1).ok


def test_a_replayed_purchase_credits_once(loyalty_app):
    p = purchase(1, "120.00")
    for _ in range(3):
        emit_purchase(p)
    assert balance_of(1) == 120
    assert PointsLedgerEntry.select().where(PointsLedgerEntry.kind == "earn").count() == 1


def test_an_anonymous_purchase_earns_nothing(loyalty_app):
    emit_purchase(purchase(None, "500.00"))
    assert PointsLedgerEntry.select().count() == 0


def test_gift_card_payments_and_excluded_categories_earn_nothing(loyalty_app):
    EarningRule.update(excluded_categories="烟酒").execute()
    p = purchase(1, "100.00", "100.00", categories={1: "烟酒"},
                 payments=[("gift_card", "50.00"), ("wechat_pay", "150.00")])
    emit_purchase(p)
    # the 100.00 kept line pays 50.00 of the gift card: 50 eligible
    assert balance_of(1) == 50


def test_minimum_spend_blocks_base_points(loyalty_app):
    EarningRule.update(min_spend=Decimal("200")).execute()
    emit_purchase(purchase(1, "199.00"))
    emit_purchase(purchase(1, "200.00"))
    assert balance_of(1) == 200


def test_sku_multiplier_beats_category_multiplier_and_tier_and_birthday_compound(
        loyalty_app, make_plugin):
    EarningRule.create(code="CAT2", name="服装双倍", kind="multiplier", match_field="category",
                       match_values="服装", multiplier=Decimal("2"), sequence=20)
    EarningRule.create(code="SKU3", name="单品三倍", kind="multiplier", match_field="sku",
                       match_values="SKU0", multiplier=Decimal("3"), sequence=30)
    p = purchase(1, "10.00", "10.00")
    emit_purchase(p)
    entry = PointsLedgerEntry.get()
    lines = json.loads(entry.detail)["lines"]
    assert [ln["points"] for ln in lines] == [30, 20]
    assert [ln["rule"] for ln in lines] == ["SKU3", "CAT2"]
