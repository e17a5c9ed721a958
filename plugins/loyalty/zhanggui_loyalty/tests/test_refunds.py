"""Refunds take back exactly the points their lines earned, once."""
from __future__ import annotations

from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.ledger.redemption import redeem_points
from zhanggui_loyalty.ledger.refunds import reverse_for_refund
from zhanggui_loyalty.models import PointsLedgerEntry, RefundReview

from .helpers import balance_of, emit_purchase, purchase, refund, setup_program


def _reversed(member_id):
    return [e.points + e.pending_points for e in PointsLedgerEntry.select().where(
        (PointsLedgerEntry.member_id == member_id) & (PointsLedgerEntry.kind == "reverse"))
        .order_by(PointsLedgerEntry.id)]


def test_a_refund_of_one_line_takes_back_that_lines_points(loyalty_app):
    p = purchase(3, "200.00", "100.00")
    emit_purchase(p)
    reverse_for_refund(refund(p, "RF1", lines=[(1, "100.00")]))
    assert balance_of(3) == 200 and _reversed(3) == [-100]


def test_a_refund_is_reversed_once_however_often_it_is_announced(loyalty_app):
    p = purchase(3, "200.00")
    emit_purchase(p)
    for _ in range(3):
        reverse_for_refund(refund(p, "RF1", amount="50.00"))
    assert balance_of(3) == 150 and _reversed(3) == [-50]


def test_partial_refunds_adding_up_to_the_purchase_take_back_exactly_what_it_earned(loyalty_app):
    p = purchase(3, "10.00", "10.00", "10.00")   # 30 points
    emit_purchase(p)
    for i in range(3):
        reverse_for_refund(refund(p, f"RF{i}", amount="3.33"))
    reverse_for_refund(refund(p, "RF-last", amount="20.01"))
    assert sum(_reversed(3)) == -30 and balance_of(3) == 0
    assert check_member(3).ok


def test_spent_points_make_the_balance_negative_under_the_default_policy(loyalty_app):
    p = purchase(3, "100.00")
    emit_purchase(p)
    redeem_points("R1", 3, 100)
    reverse_for_refund(refund(p, "RF1", amount="100.00"))
    assert balance_of(3) == -100 and check_member(3).ok
    emit_purchase(purchase(3, "150.00"))     # the next points pay the debt first
    assert balance_of(3) == 50 and check_member(3).ok


def test_spent_points_are_flagged_for_review_under_the_review_policy(loyalty_app):
    setup_program(refund_policy="review")
    p = purchase(3, "100.00")
    emit_purchase(p)
    emit_purchase(purchase(3, "30.00"))
    redeem_points("R1", 3, 110)
    reverse_for_refund(refund(p, "RF1", amount="100.00"))
    assert balance_of(3) == 0                 # took the 20 left, never below zero
    review = RefundReview.get()
    assert (review.points_due, review.points_taken, review.status) == (100, 20, "open")
    assert check_member(3).ok


def test_a_refund_inside_the_return_window_takes_back_pending_points(loyalty_app):
    setup_program(pending_days=7)
    p = purchase(3, "100.00")
    emit_purchase(p)
    assert balance_of(3) == 0
    reverse_for_refund(refund(p, "RF1", amount="40.00"))
    from zhanggui_loyalty.models import MemberBalance

    assert MemberBalance.get_by_id(3).pending == 60 and check_member(3).ok


def test_a_refund_of_a_purchase_loyalty_never_saw_changes_nothing(loyalty_app):
    reverse_for_refund(refund(purchase(3, "100.00"), "RF1", amount="100.00"))
    assert PointsLedgerEntry.select().count() == 0
