"""Redeeming points: idempotent, closest-to-expiry first, never overspent."""
from __future__ import annotations

import datetime as dt

import pytest

from zhanggui import utcnow
from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.ledger.redemption import LoyaltyError, adjust_points, redeem_points
from zhanggui_loyalty.models import PointsAllocation, PointsLedgerEntry, Redemption

from .helpers import balance_of, emit_purchase, purchase, setup_program


def test_redemption_answers_the_new_balance_and_a_replay_gets_the_same_answer(loyalty_app):
    emit_purchase(purchase(7, "300.00"))
    first = redeem_points("R1", 7, 120, "SH01", "gift")
    assert first.status == 201 and first.body["balance"] == 180
    emit_purchase(purchase(7, "50.00"))
    again = redeem_points("R1", 7, 120, "SH01", "gift")
    assert again.body == first.body                 # the stored answer, not a new spend
    assert balance_of(7) == 230
    assert Redemption.select().count() == 1


def test_the_same_id_with_another_body_is_refused(loyalty_app):
    emit_purchase(purchase(7, "300.00"))
    redeem_points("R1", 7, 100)
    with pytest.raises(LoyaltyError) as refused:
        redeem_points("R1", 7, 200)
    assert refused.value.status == 409 and refused.value.code == "idempotency_key_reused"
    assert balance_of(7) == 200


def test_insufficient_points_writes_nothing(loyalty_app):
    emit_purchase(purchase(7, "99.00"))
    before = PointsLedgerEntry.select().count()
    with pytest.raises(LoyaltyError) as refused:
        redeem_points("R1", 7, 100)
    assert refused.value.code == "insufficient_points" and refused.value.extra["balance"] == 99
    assert PointsLedgerEntry.select().count() == before and Redemption.select().count() == 0
    emit_purchase(purchase(7, "1.00"))
    assert redeem_points("R1", 7, 100).body["balance"] == 0   # the retry may succeed later


def test_points_closest_to_expiry_are_spent_first_and_each_spend_is_linked(loyalty_app):
    setup_program(expiry_policy="after_days", expiry_period=365)
    late = purchase(7, "100.00", when=utcnow() - dt.timedelta(days=1))
    early = purchase(7, "100.00", when=utcnow() - dt.timedelta(days=300))
    emit_purchase(late)
    emit_purchase(early)
    answer = redeem_points("R1", 7, 150)
    early_entry = PointsLedgerEntry.get(PointsLedgerEntry.source_id == str(early.purchase_id))
    late_entry = PointsLedgerEntry.get(PointsLedgerEntry.source_id == str(late.purchase_id))
    assert answer.body["drawn_from"] == [{"entry": early_entry.id, "points": 100},
                                         {"entry": late_entry.id, "points": 50}]
    assert PointsAllocation.select().count() == 2
    assert check_member(7).ok


def test_a_manual_adjustment_records_who_and_why_and_cannot_overdraw(loyalty_app):
    adjust_points("A1", 7, 500, "补录积分 #123", user_id=42)
    entry = PointsLedgerEntry.get(PointsLedgerEntry.kind == "adjust")
    assert (entry.created_by, entry.reason, entry.points) == (42, "补录积分 #123", 500)
    with pytest.raises(LoyaltyError) as refused:
        adjust_points("A2", 7, -600, "错误", user_id=42)
    assert refused.value.code == "insufficient_points"
    with pytest.raises(LoyaltyError) as no_reason:
        adjust_points("A3", 7, -1, "  ", user_id=42)
    assert no_reason.value.code == "reason_required"
    adjust_points("A1", 7, 500, "补录积分 #123", user_id=42)       # replay: no-op
    assert balance_of(7) == 500 and check_member(7).ok
