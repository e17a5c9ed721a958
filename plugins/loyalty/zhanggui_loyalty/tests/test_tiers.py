"""Tiers qualify on spend or points earned in a window, never on the balance."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanggui import utcnow
from zhanggui_loyalty import jobs
from zhanggui_loyalty.ledger.redemption import redeem_points
from zhanggui_loyalty.ledger.refunds import reverse_for_refund
from zhanggui_loyalty.models import MemberTier, Tier, TierHistory
from zhanggui_loyalty.tiers.service import current_tier, review_tiers

from .helpers import balance_of, emit_purchase, purchase, refund


def _tiers(**gold):
    Tier.create(code="SILVER", name="银卡", rank=1, threshold=Decimal("1000"),
                points_multiplier=Decimal("1.2"), parking_hours=1)
    values = dict(code="GOLD", name="金卡", rank=2, threshold=Decimal("5000"),
                  points_multiplier=Decimal("1.5"), parking_hours=3, priority_service=True)
    values.update(gold)
    Tier.create(**values)


def test_spend_in_the_window_upgrades_and_redeeming_does_not_downgrade(loyalty_app):
    _tiers()
    emit_purchase(purchase(8, "1200.00"))
    assert current_tier(8).code == "SILVER"
    redeem_points("R1", 8, 1200)              # balance 0, spend still counts
    emit_purchase(purchase(8, "4000.00"))      # earns at the silver multiplier: 4800
    assert current_tier(8).code == "GOLD" and balance_of(8) == 4800
    assert [h.to_tier for h in TierHistory.select().order_by(TierHistory.id)] == ["SILVER", "GOLD"]


def test_points_earned_qualify_and_old_purchases_fall_out_of_the_window(loyalty_app):
    Tier.create(code="STAR3", name="三星", rank=1, qualify_by="points",
                threshold=Decimal("500"), window_days=30)
    emit_purchase(purchase(8, "400.00", when=utcnow() - dt.timedelta(days=40)))
    emit_purchase(purchase(8, "200.00"))
    assert current_tier(8) is None            # 400 is outside the 30-day window
    emit_purchase(purchase(8, "300.00"))
    assert current_tier(8).code == "STAR3"


def test_a_refund_takes_back_the_tier_its_purchase_bought(loyalty_app):
    _tiers()
    emit_purchase(purchase(8, "1200.00"))
    p = purchase(8, "4000.00")
    emit_purchase(p)
    assert current_tier(8).code == "GOLD"
    reverse_for_refund(refund(p, "RF1", amount="4000.00"))
    assert current_tier(8).code == "SILVER"
    assert TierHistory.select().order_by(TierHistory.id.desc()).first().reason == "refund"


def test_period_end_downgrades_after_the_year_once(loyalty_app):
    _tiers(downgrade_policy="period_end")
    emit_purchase(purchase(8, "6000.00", when=utcnow() - dt.timedelta(days=800)))
    MemberTier.update(since=utcnow() - dt.timedelta(days=500)).execute()
    MemberTier.update(tier=Tier.get(Tier.code == "GOLD")).execute()
    assert review_tiers() == 1 and current_tier(8) is None
    assert jobs.review_tiers() == 0


def test_inactivity_downgrades_one_rank(loyalty_app):
    _tiers(downgrade_policy="inactivity", inactivity_days=180)
    emit_purchase(purchase(8, "6000.00", when=utcnow() - dt.timedelta(days=200)))
    MemberTier.update(since=utcnow() - dt.timedelta(days=200)).execute()
    assert review_tiers() == 1 and current_tier(8).code == "SILVER"
    assert review_tiers() == 0
