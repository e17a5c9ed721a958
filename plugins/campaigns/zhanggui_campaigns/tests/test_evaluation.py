"""A campaign's effect against its control group, checked against numbers worked out
by hand, and the demo campaign against the purchases themselves."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from .conftest import make_campaign, make_chain

LAUNCH = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.timezone.utc)


def _buy(member_id, store, total, days, refunded="0.00", n=[0]):
    from zhanggui_members.profile.models import Purchase

    n[0] += 1
    Purchase.create(pos_id=f"EVAL-{n[0]:06d}", store=store, member=member_id,
                    occurred_at=LAUNCH + dt.timedelta(days=days), channel="pos",
                    total=Decimal(total), refunded_amount=Decimal(refunded))


def test_response_uplift_revenue_and_roi_match_the_hand_computed_case(campaign_app):
    from zhanggui_members.profile.models import Store

    from zhanggui_campaigns.evaluation.service import evaluate
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.models import Campaign, Recipient

    ids = make_chain(15)
    campaign = make_campaign(cost=Decimal("200.00"))
    launch(campaign.id, start_jobs=False)
    target, control = ids[:10], ids[10:]
    Recipient.update(group="target", status="sent").where(Recipient.member_id.in_(target)).execute()
    Recipient.update(group="control", status="control").where(
        Recipient.member_id.in_(control)).execute()
    Campaign.update(launched_at=LAUNCH, response_days=14).execute()
    store = Store.get(Store.code == "SH01")
    _buy(target[0], store, "100.00", 1, refunded="50.00")   # net 50.00
    _buy(target[1], store, "200.00", 2)
    _buy(target[2], store, "120.00", 3)
    _buy(target[2], store, "180.00", 13)                     # one responder, 300.00
    _buy(target[3], store, "400.00", 0)
    _buy(target[4], store, "999.00", 14)                     # the day after the window
    _buy(target[5], store, "999.00", -1)                     # before the launch
    _buy(control[0], store, "150.00", 5)

    r = evaluate(campaign.id)
    assert (r.target.size, r.target.responders, r.target.revenue) == (10, 4, Decimal("950.00"))
    assert (r.control.size, r.control.responders, r.control.revenue) == (5, 1, Decimal("150.00"))
    assert r.target.revenue_per_member == Decimal("95.00")
    assert r.control.revenue_per_member == Decimal("30.00")
    assert r.uplift == pytest.approx(0.2)
    # 1.96 * sqrt(0.4*0.6/10 + 0.2*0.8/5) = 1.96 * sqrt(0.056) = 0.463821
    assert r.uplift_low == pytest.approx(0.2 - 0.463821, abs=1e-6)
    assert r.uplift_high == pytest.approx(0.2 + 0.463821, abs=1e-6)
    assert r.attributed_revenue == Decimal("650.00")              # (95 - 30) * 10
    assert r.roi == pytest.approx(2.25)                            # (650 - 200) / 200


def test_the_demo_campaign_is_evaluated_from_its_members_purchases(make_app):
    from peewee import fn
    from zhanggui_members.profile.models import Purchase

    from zhanggui.cli import demo_data_command
    from zhanggui_campaigns.evaluation.service import evaluate
    from zhanggui_campaigns.sending.models import Campaign, Recipient

    from .conftest import TEST_SETTINGS

    app = make_app(plugins=["members", "loyalty", "campaigns"], config=dict(TEST_SETTINGS))
    result = app.test_cli_runner().invoke(
        demo_data_command, ["--seed", "11", "--members", "200", "--as-of", "2026-06-30",
                            "--quiet"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with app.app_context():
        campaign = Campaign.get(Campaign.status == "sent")
        start = campaign.launched_at
        end = start + dt.timedelta(days=campaign.response_days)

        def expected(where):
            ids = [m for (m,) in Recipient.select(Recipient.member_id)
                   .where((Recipient.campaign == campaign.id) & where).tuples()]
            rows = (Purchase.select(Purchase.member, fn.SUM(Purchase.total
                                                             - Purchase.refunded_amount))
                    .where(Purchase.member.in_(ids) & (Purchase.occurred_at >= start)
                           & (Purchase.occurred_at < end))
                    .group_by(Purchase.member).tuples())
            spent = {m: Decimal(str(v)) for m, v in rows}
            return len(ids), len(spent), sum(spent.values(), Decimal("0")).quantize(
                Decimal("0.01"))

        r = evaluate(campaign.id)
        assert (r.target.size, r.target.responders, r.target.revenue) == \
            expected((Recipient.group == "target") & (Recipient.status == "sent"))
        assert (r.control.size, r.control.responders, r.control.revenue) == \
            expected(Recipient.status == "control")
        assert r.target.size >= 10 and r.control.size >= 2, "a believable campaign"
        assert r.opened > 0 and r.cost == Decimal("800.00")
