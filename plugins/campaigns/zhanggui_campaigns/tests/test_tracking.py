"""Opens, clicks, one-click unsubscribe, bounces and SMS replies, each through a
token that names no member."""
from __future__ import annotations

import re

from .conftest import make_campaign, make_chain

DSN = """From: MAILER-DAEMON@mx.example.com
To: marketing@localhost
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain

The mail could not be delivered.
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; m0@example.com
Action: failed
Status: {status}
Diagnostic-Code: smtp; 550 No such user

--b1
Content-Type: text/rfc822-headers

X-Zhanggui-Token: {token}
Subject: hello

--b1--
"""

AUTO_REPLY = """From: m0@example.com
To: marketing@localhost
Subject: Out of office
Auto-Submitted: auto-replied
Content-Type: text/plain

I am away. X-Zhanggui-Token: {token}
"""


def _sent(campaign_app, n=2, **chain):
    from zhanggui_campaigns.sending.launch import launch
    from zhanggui_campaigns.sending.models import Recipient
    from zhanggui_campaigns.sending.worker import send_campaign

    ids = make_chain(n, **chain)
    campaign = make_campaign()
    launch(campaign.id, start_jobs=False)
    send_campaign(campaign.id)
    rows = {r.member_id: r for r in Recipient.select().where(Recipient.campaign == campaign.id)}
    return ids, campaign, rows


def test_an_open_and_a_click_are_counted_and_the_click_lands_on_the_campaigns_link(
        campaign_app, smtp_sink):
    from zhanggui_campaigns.sending.models import CampaignLink, Recipient

    ids, campaign, rows = _sent(campaign_app)
    token = rows[ids[0]].token
    client = campaign_app.test_client()
    pixel = client.get(f"/c/o/{token}.gif")
    assert pixel.status_code == 200 and pixel.mimetype == "image/gif"
    assert pixel.headers["Cache-Control"] == "no-store"
    link = CampaignLink.get(CampaignLink.campaign == campaign.id)
    click = client.get(f"/c/l/{token}/{link.id}")
    assert click.status_code == 302 and click.headers["Location"] == "https://shop.example.com/day"
    row = Recipient.get_by_id(rows[ids[0]].id)
    assert (row.opens, row.clicks) == (1, 1) and row.opened_at is not None
    assert CampaignLink.get_by_id(link.id).clicks == 1
    assert client.get(f"/c/l/{token}/{link.id + 99}").status_code == 404
    assert client.get("/c/o/not-a-real-token-at-all.gif").status_code == 200  # says nothing
    assert Recipient.select().where(Recipient.opens > 0).count() == 1


def test_one_click_unsubscribe_withdraws_email_only_and_needs_no_sign_in(campaign_app,
                                                                         smtp_sink):
    from zhanggui_members.consent.service import consent_states

    ids, campaign, rows = _sent(campaign_app, sms_every=1)
    token = rows[ids[0]].token
    client = campaign_app.test_client()
    page = client.get(f"/c/u/{token}?lang=zh_CN")
    assert page.status_code == 200 and "退订" in page.get_data(as_text=True) or \
        "取消" in page.get_data(as_text=True) or "Unsubscribe" in page.get_data(as_text=True)
    assert consent_states(ids[0])["email"].granted, "a GET changes nothing"
    answer = client.post(f"/c/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    states = consent_states(ids[0])
    assert states["email"].granted is False and states["sms"].granted is True
    assert consent_states(ids[1])["email"].granted
    assert client.post("/c/u/aaaaaaaaaaaaaaaaaaaaaa").status_code == 404


def test_a_hard_bounce_suppresses_the_address_and_an_auto_reply_is_no_bounce(campaign_app,
                                                                            smtp_sink):
    from zhanggui_campaigns.sending.models import Recipient, Suppression
    from zhanggui_campaigns.tracking.service import record_bounce

    ids, campaign, rows = _sent(campaign_app)
    token = rows[ids[0]].token
    assert record_bounce(AUTO_REPLY.format(token=token).encode()) is None
    assert record_bounce(DSN.format(status="4.2.2", token=token).encode()) == "soft"
    assert Suppression.select().count() == 0
    assert record_bounce(DSN.format(status="5.1.1", token=token).encode()) == "hard"
    assert Recipient.get_by_id(rows[ids[0]].id).bounced == "hard"
    assert Suppression.select().count() == 1


def test_the_bounce_command_reads_files_and_names_what_it_found(campaign_app, smtp_sink,
                                                                tmp_path):
    from zhanggui_campaigns.cli import campaigns

    ids, campaign, rows = _sent(campaign_app)
    folder = tmp_path / "bounces"
    folder.mkdir()
    (folder / "a.eml").write_text(DSN.format(status="5.1.1", token=rows[ids[0]].token))
    (folder / "b.eml").write_text(AUTO_REPLY.format(token=rows[ids[1]].token))
    runner = campaign_app.test_cli_runner()
    result = runner.invoke(campaigns, ["bounces", str(folder)])
    assert result.exit_code == 0, result.output
    assert [int(n) for n in re.findall(r"\d+", result.output)] == [2, 1, 0, 1]
    missing = runner.invoke(campaigns, ["bounces", str(folder / "nope.eml")])
    assert missing.exit_code != 0 and "nope.eml" in missing.output


def test_an_sms_stop_reply_withdraws_sms_consent_only(campaign_app, smtp_sink):
    from zhanggui_members.consent.service import consent_states

    from zhanggui_campaigns.tracking.service import sms_reply

    ids = make_chain(1, sms_every=1)
    assert sms_reply("13900000000", "hello") is False
    assert sms_reply("13900000000", "退订") is True
    states = consent_states(ids[0])
    assert states["sms"].granted is False and states["email"].granted is True
