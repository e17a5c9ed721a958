"""Property-based: whatever happens, the ledger and the balance agree.

A hypothesis state machine earns, redeems, adjusts, expires, unlocks and refunds
(partial, whole, replayed) for two members under both refund policies.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import (Bundle, RuleBasedStateMachine, initialize, invariant,
                                 rule, run_state_machine_as_test)
from peewee import fn

from zhanggui import utcnow
from zhanggui_loyalty.ledger.expiry import expire_due, unlock_due
from zhanggui_loyalty.ledger.postings import check_member
from zhanggui_loyalty.ledger.redemption import LoyaltyError, adjust_points, redeem_points
from zhanggui_loyalty.ledger.refunds import reverse_for_refund
from zhanggui_loyalty.models import MemberBalance, PointsLedgerEntry

from .conftest import wipe
from .helpers import emit_purchase, purchase, refund, setup_program

MEMBERS = (1, 2)
amounts = st.integers(min_value=1, max_value=50000).map(lambda c: Decimal(c) / 100)


class LedgerMachine(RuleBasedStateMachine):
    purchases = Bundle("purchases")

    def __init__(self):
        super().__init__()
        wipe(self.app)
        self.counter = 0
        self.refunds_done: list = []
        self.policy = "negative"

    @initialize(policy=st.sampled_from(["negative", "review"]),
                pending=st.sampled_from([0, 7]))
    def program(self, policy, pending):
        self.policy = policy
        setup_program(refund_policy=policy, pending_days=pending,
                      expiry_policy="after_days", expiry_period=30)

    def _next(self) -> int:
        self.counter += 1
        return self.counter

    @rule(target=purchases, member=st.sampled_from(MEMBERS),
          lines=st.lists(amounts, min_size=1, max_size=3), age=st.integers(0, 60))
    def earn(self, member, lines, age):
        p = purchase(member, *lines, purchase_id=self._next(),
                     when=utcnow() - dt.timedelta(days=age))
        emit_purchase(p)
        return p

    @rule(member=st.sampled_from(MEMBERS), points=st.integers(1, 600))
    def redeem(self, member, points):
        try:
            redeem_points(f"R{self._next()}", member, points)
        except LoyaltyError as exc:
            assert exc.code == "insufficient_points"

    @rule(member=st.sampled_from(MEMBERS), points=st.integers(-300, 300).filter(bool))
    def adjust(self, member, points):
        try:
            adjust_points(f"A{self._next()}", member, points, "test", user_id=1)
        except LoyaltyError as exc:
            assert exc.code == "insufficient_points" and points < 0

    @rule(days=st.integers(0, 40))
    def expire(self, days):
        expire_due(utcnow() + dt.timedelta(days=days))

    @rule(days=st.integers(0, 10))
    def unlock(self, days):
        unlock_due(utcnow() + dt.timedelta(days=days))

    @rule(p=purchases, share=st.integers(1, 100), by_line=st.booleans())
    def refund_part(self, p, share, by_line):
        rid = f"RF{self._next()}"
        if by_line:
            line = p.lines[0]
            amount = max(Decimal("0.01"), (line.amount * share / 100).quantize(Decimal("0.01")))
            event = refund(p, rid, lines=[(0, amount)])
        else:
            amount = max(Decimal("0.01"), (p.total * share / 100).quantize(Decimal("0.01")))
            event = refund(p, rid, amount=amount)
        reverse_for_refund(event)
        self.refunds_done.append(event)

    @rule(data=st.data())
    def replay_refund(self, data):
        if self.refunds_done:
            reverse_for_refund(data.draw(st.sampled_from(self.refunds_done)))

    @invariant()
    def balance_equals_the_ledger(self):
        for member in MEMBERS:
            check = check_member(member)
            assert check.ok, check.problems

    @invariant()
    def never_negative_unless_the_refund_policy_allows_it(self):
        low = MemberBalance.select(fn.MIN(MemberBalance.balance)).scalar() or 0
        assert low >= 0 or self.policy == "negative"
        assert (MemberBalance.select(fn.MIN(MemberBalance.pending)).scalar() or 0) >= 0

    @invariant()
    def each_refund_reverses_once_and_never_more_than_earned(self):
        E = PointsLedgerEntry
        per_refund = (E.select(E.source_id, fn.COUNT(E.id)).where(E.kind == "reverse")
                      .group_by(E.source_id).having(fn.COUNT(E.id) > 1).tuples())
        assert list(per_refund) == []
        for earn in E.select().where(E.kind == "earn"):
            taken = (E.select(fn.COALESCE(fn.SUM(E.points + E.pending_points), 0))
                     .where((E.related_entry == earn.id) & (E.kind == "reverse")).scalar())
            assert -int(taken) <= earn.points + earn.pending_points


def test_the_ledger_holds_under_any_sequence_of_operations(loyalty_app):
    LedgerMachine.app = loyalty_app
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          suppress_health_check=list(HealthCheck)))
