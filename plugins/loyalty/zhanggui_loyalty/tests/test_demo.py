"""The demo chain shows loyalty at work, built set-based, with the ledger proof holding."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from peewee import fn

import json
from decimal import Decimal

from zhanggui import DemoContext, RefundEvent, write_transaction
from zhanggui_loyalty.ledger.expiry import expire_due
from zhanggui_loyalty.ledger.postings import check_all
from zhanggui_loyalty.ledger.redemption import redeem_points
from zhanggui_loyalty.ledger.refunds import reverse_for_refund
from zhanggui_loyalty.models import (EarningRule, EventSignup, MemberBalance, MemberTier,
                                     PointsLedgerEntry, Tier)

AS_OF = dt.date(2026, 11, 30)


def _kinds():
    E = PointsLedgerEntry
    return {k: n for k, n in E.select(E.kind, fn.COUNT(E.id)).group_by(E.kind).tuples()}


def test_the_demo_program_earns_expires_redeems_and_fills_events_and_the_books_balance(loyalty_app):
    EarningRule.delete().execute()
    ctx = DemoContext(seed=2026, members=400, as_of=AS_OF, quiet=True)
    loyalty_app.extensions["zhanggui"].plugins.demo_data(ctx)
    kinds = _kinds()
    assert kinds["earn"] > 400 and kinds["expire"] > 0 and kinds["redeem"] > 0
    assert Tier.select().count() == 3 and EarningRule.select().count() == 4
    assert MemberTier.select().where(MemberTier.tier.is_null(False)).count() > 0
    assert EventSignup.select().where(EventSignup.attended_at.is_null(False)).count() > 0
    assert PointsLedgerEntry.select().where(PointsLedgerEntry.source_type == "event").count() > 0
    assert check_all() == []
    assert kinds["redeem"] in ctx.created.values()      # the summary counts them
    # redemptions happen on many days and in several stores, after the points were earned
    from zhanggui_loyalty.models import Redemption

    redeemed = list(PointsLedgerEntry.select().where(PointsLedgerEntry.kind == "redeem"))
    assert len({e.occurred_at.date() for e in redeemed}) >= 10
    assert len({e.store_code for e in redeemed}) >= 3
    assert len({r.store_code for r in Redemption.select()}) >= 3
    earned_at = {e.id: e.occurred_at for e in PointsLedgerEntry.select().where(
        PointsLedgerEntry.id.in_([r.related_entry_id for r in redeemed]))}
    assert all(e.occurred_at >= earned_at[e.related_entry_id] for e in redeemed)
    # the real services carry on from the demo's figures
    built = dt.datetime.combine(AS_OF, dt.time(23, 0), ZoneInfo("Asia/Shanghai"))
    assert expire_due(built) == 0          # what was due then is expired already
    assert expire_due(built + dt.timedelta(hours=2)) > 0   # the month end after it is not
    assert check_all() == []
    earn = PointsLedgerEntry.select().where((PointsLedgerEntry.kind == "earn") &
                                            (PointsLedgerEntry.points >= 100) &
                                            (PointsLedgerEntry.source_type == "purchase")).first()
    total = Decimal(json.loads(earn.detail)["total_amount"])
    half = (total / 2).quantize(Decimal("0.01"))
    with write_transaction():
        entry = reverse_for_refund(RefundEvent(
            refund_id="RF-demo", purchase_id=int(earn.source_id), pos_id="x",
            member_id=earn.member_id, amount=half, fraction=half / total,
            lines=((999999999, half),), occurred_at=built.astimezone(dt.timezone.utc)))
    assert abs(-entry.points - earn.points / 2) <= 1
    rich = MemberBalance.select().order_by(MemberBalance.balance.desc()).first()
    redeem_points("after-demo", rich.member_id, 10)
    assert check_all() == []


def test_zhanggui_loyalty_check_passes_after_the_demo_and_names_a_tampered_balance(loyalty_app):
    from zhanggui_loyalty.ledger.cli import loyalty_group

    EarningRule.delete().execute()
    loyalty_app.extensions["zhanggui"].plugins.demo_data(
        DemoContext(seed=7, members=150, as_of=AS_OF, quiet=True))
    runner = loyalty_app.test_cli_runner()
    ok = runner.invoke(loyalty_group, ["check"])
    assert ok.exit_code == 0, ok.output
    victim = MemberBalance.select().order_by(MemberBalance.member_id).first()
    MemberBalance.update(balance=MemberBalance.balance + 1) \
        .where(MemberBalance.member_id == victim.member_id).execute()
    bad = runner.invoke(loyalty_group, ["check"])
    assert bad.exit_code == 1 and str(victim.member_id) in bad.output
