"""The hooks campaigns asks and members answers, called by name as a plugin would."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .conftest import make_chain


def test_members_answers_every_marketing_hook(campaign_app, tmp_path):
    from zhanggui import plugins
    from zhanggui_members.consent.service import consent_states
    from zhanggui_members.profile.models import Purchase, Store

    host = plugins()
    ids = make_chain(4, email_share=0.5, consent_every=1, sms_every=2)
    names = {c.name for c in host.collect("zhanggui_audience_criteria")}
    assert {"members.store", "members.lifecycle", "members.value_group", "members.tag",
            "members.rfm", "members.spend_365"} <= names
    universe = host.call_first("zhanggui_audience_universe")
    assert sorted(row[0] for row in universe.tuples()) == sorted(ids)
    contacts = host.call_first("zhanggui_marketing_contacts", member_ids=ids, channel="email")
    assert {c.address for c in contacts.values()} == {"m0@example.com", "m2@example.com"}
    assert all(c.language == "zh_CN" and c.timezone == "Asia/Shanghai"
               for c in contacts.values())
    sms = host.call_first("zhanggui_marketing_contacts", member_ids=ids, channel="sms")
    assert sorted(sms) == [ids[0], ids[2]]
    store = Store.get(Store.code == "BJ01")
    at = dt.datetime(2026, 5, 1, tzinfo=dt.timezone.utc)
    Purchase.create(pos_id="HOOK-1", store=store, member=ids[0], occurred_at=at, channel="pos",
                    total=Decimal("88.00"), refunded_amount=Decimal("8.00"))
    spend = host.call_first("zhanggui_member_spend", member_ids=ids, start=at,
                            end=at + dt.timedelta(days=1))
    assert spend == {ids[0]: (1, Decimal("80.00"))}
    assert host.call_first("zhanggui_withdraw_consent", member_id=ids[0], channel="email",
                           source="unsubscribe") is True
    assert consent_states(ids[0])["email"].granted is False
    assert consent_states(ids[0])["sms"].granted is True


def test_the_sms_gateway_is_the_one_the_settings_name(make_app, tmp_path):
    from zhanggui import plugins

    from .conftest import TEST_SETTINGS

    app = make_app(plugins=["members", "campaigns"],
                   config={**TEST_SETTINGS, "MARKETING_SMS_GATEWAY": f"file://{tmp_path}"})
    with app.app_context():
        gateway = plugins().call_first("zhanggui_sms_gateway")
        assert gateway.send("+8613900000000", "测试", "ref-1") == "ref-1"
    assert "测试" in next(tmp_path.glob("sms-*.jsonl")).read_text("utf-8")
