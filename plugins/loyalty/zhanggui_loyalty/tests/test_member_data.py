"""Loyalty's answers to the members hooks: export, erase and merge a member's data."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanggui import utcnow, write_transaction
from zhanggui_loyalty.events.service import check_in, sign_up
from zhanggui_loyalty.ledger.postings import check_all, check_member
from zhanggui_loyalty.ledger.redemption import adjust_points, redeem_points
from zhanggui_loyalty.ledger.refunds import reverse_for_refund
from zhanggui_loyalty.models import (EventSignup, MemberBalance, MemberEvent, MemberTier,
                                     PointsLedgerEntry, Redemption, Tier, TierHistory)

from .helpers import balance_of, emit_purchase, purchase, refund


def _host(app):
    return app.extensions["zhanggui"].plugins


def _event(capacity=10, points=100):
    return MemberEvent.create(title="新品发布会", store_code="SH01",
                              starts_at=utcnow() - dt.timedelta(minutes=5),
                              ends_at=utcnow() + dt.timedelta(hours=2), capacity=capacity,
                              attendance_points=points)


def _merge(app, source, target):
    """What the members plugin's merge command does: one transaction, the hook inside."""
    with write_transaction():
        _host(app).emit("merge_members", source_id=source, target_id=target)


def test_the_export_holds_the_ledger_tier_history_and_sign_ups(loyalty_app):
    Tier.create(code="SILVER", name="银卡", rank=1, threshold=Decimal("100.00"))
    emit_purchase(purchase(3, "200.00"))
    event = _event()
    sign_up(event.id, 3, "app")
    sections = {s.name: s for s in _host(loyalty_app).export_member(3)}
    assert sections["loyalty.points"].rows[0]["balance"] == 200
    assert sections["loyalty.points"].rows[0]["tier"] == "SILVER"
    assert [r["kind"] for r in sections["loyalty.ledger"].rows] == ["earn"]
    assert sections["loyalty.tier_history"].rows[0]["to_tier"] == "SILVER"
    assert sections["loyalty.event_signups"].rows[0]["channel"] == "app"
    assert _host(loyalty_app).export_member(99) == []


def test_erasure_keeps_the_amounts_and_removes_what_could_identify_the_member(loyalty_app):
    emit_purchase(purchase(4, "300.00"))
    adjust_points("goodwill", 4, 50, "王芳女士来电投诉，补偿", user_id=1)
    redeem_points("R-4", 4, 100, "SH01", "王芳换购保温杯")
    event = _event()
    sign_up(event.id, 4, "wechat")
    with write_transaction():
        done = _host(loyalty_app).erase_member(4)
    assert any(item.startswith("loyalty:") for item in done)
    assert balance_of(4) == 250 and check_member(4).ok
    texts = [e.reason or "" for e in PointsLedgerEntry.select()] + \
        [r.reason or "" for r in Redemption.select()]
    assert not any("王芳" in text for text in texts)
    signup = EventSignup.get()
    assert signup.member_id is None and signup.event_id == event.id
    assert _host(loyalty_app).export_member(4)[2].rows == []  # tier history: none
    with write_transaction():
        _host(loyalty_app).erase_member(4)  # twice is harmless


def test_a_merge_moves_ledger_pending_points_and_tier_history_and_sums_the_balance(loyalty_app):
    from zhanggui_loyalty.models import LoyaltySettings

    Tier.create(code="SILVER", name="银卡", rank=1, threshold=Decimal("500.00"))
    Tier.create(code="GOLD", name="金卡", rank=2, threshold=Decimal("900.00"))
    emit_purchase(purchase(10, "600.00"))           # source: silver on its own
    LoyaltySettings.update(pending_days=7).execute()
    emit_purchase(purchase(10, "100.00"))           # pending
    LoyaltySettings.update(pending_days=0).execute()
    emit_purchase(purchase(20, "300.00"))           # target: no tier
    assert MemberTier.get_by_id(10).tier.code == "SILVER"
    _merge(loyalty_app, 10, 20)
    target = MemberBalance.get_by_id(20)
    assert (target.balance, target.pending, target.lifetime_earned) == (900, 100, 1000)
    assert MemberBalance.get_or_none(MemberBalance.member_id == 10) is None
    assert PointsLedgerEntry.select().where(PointsLedgerEntry.member_id == 10).count() == 0
    assert TierHistory.select().where(TierHistory.member_id == 10).count() == 0
    # 600 + 100 + 300 spent in the window: gold, re-evaluated on the merged ledger
    assert MemberTier.get_by_id(20).tier.code == "GOLD"
    assert TierHistory.select().where(TierHistory.reason == "merge").count() == 1
    assert check_all() == []


def test_a_merged_member_is_refunded_and_redeems_from_the_moved_points(loyalty_app):
    source = purchase(11, "400.00")
    emit_purchase(source)
    emit_purchase(purchase(21, "100.00"))
    _merge(loyalty_app, 11, 21)
    with write_transaction():
        reverse_for_refund(refund(source, "RF-11", amount="400.00"))
    assert balance_of(21) == 100
    assert redeem_points("R-21", 21, 100).status == 201 and balance_of(21) == 0
    assert check_all() == []


def test_a_debt_on_one_side_is_paid_from_the_other_sides_points(loyalty_app):
    spent = purchase(12, "200.00")
    emit_purchase(spent)
    redeem_points("R-12", 12, 200)
    with write_transaction():
        reverse_for_refund(refund(spent, "RF-12", amount="200.00"))   # source owes 200
    emit_purchase(purchase(22, "500.00"))
    assert balance_of(12) == -200
    _merge(loyalty_app, 12, 22)
    assert balance_of(22) == 300 and check_all() == []


def test_a_merge_keeps_one_place_per_event_and_never_pays_attendance_twice(loyalty_app):
    event = _event()
    sign_up(event.id, 13)
    check_in(event.id, 13)                           # the source attended
    sign_up(event.id, 23)                            # the target has a place too
    _merge(loyalty_app, 13, 23)
    places = list(EventSignup.select().where(EventSignup.event == event.id))
    assert [(p.member_id, p.attended_at is not None) for p in places] == [(23, True)]
    assert check_in(event.id, 23).repeated is True
    assert balance_of(23) == 100 and check_all() == []


def test_a_failing_merge_rolls_loyaltys_moves_back(loyalty_app):
    emit_purchase(purchase(14, "100.00"))
    try:
        with write_transaction():
            _host(loyalty_app).emit("merge_members", source_id=14, target_id=24)
            raise RuntimeError("the members plugin failed after loyalty moved its rows")
    except RuntimeError:
        pass
    assert balance_of(14) == 100 and balance_of(24) == 0 and check_all() == []
