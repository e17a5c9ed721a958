"""Sending through a real SMTP server: one message per consenting member, nothing to
anyone else, unsubscribe headers, caps, quiet hours, suppression, cancelled sends."""
from __future__ import annotations

import datetime as dt

import pytest

from .conftest import make_campaign, make_chain


def _statuses(campaign):
    from zhanggui_campaigns.sending.models import Recipient

    return {r.member_id: r.status for r in Recipient.select().where(
        Recipient.campaign == campaign.id)}


def test_each_consenting_member_with_an_address_gets_exactly_one_message(campaign_app,
                                                                         smtp_sink):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.worker import send_campaign

    ids = make_chain(30, email_share=0.5, consent_every=3)
    # addresses: even i; consent: i % 3 == 0 -> reachable: i % 6 == 0
    reachable = {f"m{i}@example.com" for i in range(30) if i % 6 == 0}
    campaign = make_campaign()
    assert launch(campaign.id, start_jobs=False) == 30
    counts = send_campaign(campaign.id, chunk=7)
    assert sorted(smtp_sink.addresses()) == sorted(reachable)
    assert counts["sent"] == len(reachable) and counts["no_consent"] == 30 - len(reachable)
    statuses = _statuses(campaign)
    assert sum(1 for s in statuses.values() if s == "sent") == len(reachable)
    assert send_campaign(campaign.id) == {}, "a second run finds nothing to send"
    assert len(smtp_sink.messages) == len(reachable)
    campaign = type(campaign).get_by_id(campaign.id)
    assert campaign.status == "sent" and campaign.finished_at is not None
    assert ids


def test_the_message_greets_tracks_and_offers_one_click_unsubscribe(campaign_app, smtp_sink):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.worker import send_campaign

    make_chain(1)
    campaign = make_campaign()
    launch(campaign.id, start_jobs=False)
    send_campaign(campaign.id)
    [(to, message)] = smtp_sink.messages
    token = message["X-Zhanggui-Token"]
    assert to == ["m0@example.com"]
    assert message["Subject"] == "会员日双倍积分"
    assert message["List-Unsubscribe"] == f"<http://crm.example.test/c/u/{token}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert text.startswith("会员0您好")
    assert f"http://crm.example.test/c/l/{token}/" in text
    assert "https://shop.example.com/day" not in text.split("--")[0], "links are tracked"
    assert f"/c/o/{token}.gif" in html
    # the token is random and opaque: neither the member's nor the campaign's id
    from zhanggui_campaigns.sending.models import Recipient

    row = Recipient.get(Recipient.token == token)
    assert len(token) >= 16 and token not in (str(row.member_id), str(row.campaign_id))
    assert not token.isdigit()


def test_the_control_group_is_held_out_and_never_sent_to(campaign_app, smtp_sink):
    from zhanggui_campaigns.sending.launch import in_control, launch
    from zhanggui_campaigns.sending.worker import send_campaign

    ids = make_chain(40)
    campaign = make_campaign(holdout=25)
    launch(campaign.id, start_jobs=False)
    send_campaign(campaign.id)
    control = {m for m in ids if in_control(7, m, campaign.holdout_percent)}
    statuses = _statuses(campaign)
    assert control and {m for m, s in statuses.items() if s == "control"} == control
    sent_to = {int(a[1:].split("@")[0]) for a in smtp_sink.addresses()}
    assert len(sent_to) == 40 - len(control)


def test_the_frequency_cap_stops_a_member_after_the_third_email_in_a_week(campaign_app,
                                                                          smtp_sink):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.worker import send_campaign

    make_chain(2)
    results = []
    for _ in range(4):
        campaign = make_campaign()
        launch(campaign.id, start_jobs=False)
        results.append(send_campaign(campaign.id))
    assert [r.get("sent", 0) for r in results] == [2, 2, 2, 0]
    assert results[3]["capped"] == 2
    assert len(smtp_sink.messages) == 6


def test_quiet_hours_defer_a_member_until_morning_in_the_members_time_zone(campaign_app):
    from zhanggui_campaigns.sending.worker import quiet_until

    settings = campaign_app.extensions["zhanggui"].settings
    settings["MARKETING_QUIET_HOURS"] = (21, 8)
    late = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.timezone.utc)  # 22:30 in Shanghai
    assert quiet_until("Asia/Shanghai", late) == dt.datetime(2026, 3, 3, 0, 0,
                                                             tzinfo=dt.timezone.utc)
    noon = dt.datetime(2026, 3, 2, 4, 0, tzinfo=dt.timezone.utc)
    assert quiet_until("Asia/Shanghai", noon) is None
    early = dt.datetime(2026, 3, 2, 20, 0, tzinfo=dt.timezone.utc)  # 04:00 in Taipei
    assert quiet_until("Asia/Taipei", early) == dt.datetime(2026, 3, 3, 0, 0,
                                                           tzinfo=dt.timezone.utc)


def test_a_deferred_member_stays_queued_and_is_not_sent(campaign_app, smtp_sink):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.models import Recipient
    from zhanggui_campaigns.sending.worker import send_campaign

    make_chain(3)
    # quiet around the clock for this test: every hour is quiet from 0 to 23
    campaign_app.extensions["zhanggui"].settings["MARKETING_QUIET_HOURS"] = (0, 23)
    campaign = make_campaign()
    launch(campaign.id, start_jobs=False)
    counts = send_campaign(campaign.id)
    rows = list(Recipient.select().where(Recipient.campaign == campaign.id))
    hour = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).hour
    if hour < 23:
        assert counts["deferred"] == 3 and not smtp_sink.messages
        assert all(r.status == "queued" and r.not_before is not None for r in rows)
    else:  # 23:00-23:59 in Shanghai is outside that window
        assert counts["sent"] == 3


def test_a_withdrawal_cancels_what_is_still_queued_for_that_channel_only(campaign_app,
                                                                         smtp_sink):
    from zhanggui_members.consent.service import record_consent

    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.worker import send_campaign

    ids = make_chain(4, sms_every=1)
    email = make_campaign()
    sms = make_campaign(channel="sms")
    launch(email.id, start_jobs=False)
    launch(sms.id, start_jobs=False)
    record_consent(ids[0], "email", False, "console")
    assert _statuses(email)[ids[0]] == "cancelled"
    assert _statuses(sms)[ids[0]] == "queued", "SMS consent still stands"
    send_campaign(email.id)
    assert "m0@example.com" not in smtp_sink.addresses()
    assert len(smtp_sink.messages) == 3


def test_a_refused_recipient_is_a_hard_bounce_and_suppressed_for_the_next_campaign(
        campaign_app, smtp_sink):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.models import Recipient, Suppression
    from zhanggui_campaigns.sending.worker import send_campaign

    make_chain(2)

    async def refuse(server, session, envelope, address, rcpt_options):
        if address == "m0@example.com":
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    smtp_sink.handle_RCPT = refuse
    campaign = make_campaign()
    launch(campaign.id, start_jobs=False)
    assert send_campaign(campaign.id) == {"sent": 1, "failed": 1, "no_consent": 0,
                                          "capped": 0, "suppressed": 0, "deferred": 0}
    failed = Recipient.get((Recipient.campaign == campaign.id) & (Recipient.status == "failed"))
    assert failed.bounced == "hard" and "550" in failed.error
    assert Suppression.select().count() == 1
    again = make_campaign()
    launch(again.id, start_jobs=False)
    assert send_campaign(again.id)["suppressed"] == 1


def test_an_sms_campaign_goes_through_the_file_gateway_with_the_opt_out(make_app, tmp_path):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.worker import send_campaign

    from .conftest import TEST_SETTINGS

    app = make_app(plugins=["members", "campaigns"],
                   config={**TEST_SETTINGS, "MARKETING_SMS_GATEWAY": f"file://{tmp_path}/sms"})
    with app.app_context():
        make_chain(4, sms_every=2)
        campaign = make_campaign(channel="sms")
        launch(campaign.id, start_jobs=False)
        assert send_campaign(campaign.id)["sent"] == 2
    import json

    [log] = list((tmp_path / "sms").iterdir())
    lines = [json.loads(line) for line in log.read_text("utf-8").splitlines()]
    assert sorted(line["to"] for line in lines) == ["+8613900000000", "+8613900000002"] or \
        sorted(line["to"] for line in lines) == ["13900000000", "13900000002"]
    assert all(line["text"].endswith("回T退订") for line in lines)


def test_a_campaign_without_a_message_in_simplified_chinese_does_not_launch(campaign_app):
    from zhanggui_campaigns.sending.launch import LaunchError, launch
    from zhanggui_campaigns.sending.models import CampaignMessage

    make_chain(1)
    campaign = make_campaign()
    CampaignMessage.update(language="en").execute()
    with pytest.raises(LaunchError) as caught:
        launch(campaign.id, start_jobs=False)
    assert "messages" in caught.value.errors
