"""A small chain for the campaigns tests: stores, members with phones, e-mail
addresses and consent, and a real SMTP server (aiosmtpd) that keeps what it gets."""
from __future__ import annotations

import datetime as dt
import threading
from email import message_from_bytes, policy

import pytest

TEST_SETTINGS = {"MARKETING_QUIET_HOURS": "", "MARKETING_RATE_EMAIL": 0,
                 "MARKETING_RATE_SMS": 0, "MARKETING_FREQUENCY_CAPS": "email=3/7,sms=2/7",
                 "MARKETING_BASE_URL": "http://crm.example.test"}


class Sink:
    """What the SMTP server received, message by message."""

    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()
        self.on_message = None  # called with the message count, before 250 is answered

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
            number = len(self.messages)
        if self.on_message is not None:
            self.on_message(number)
        return "250 Message accepted for delivery"

    def tokens(self) -> list[str]:
        return [m["X-Zhanggui-Token"] for _to, m in self.messages]

    def addresses(self) -> list[str]:
        return [to for tos, _m in self.messages for to in tos]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.url = f"smtp://127.0.0.1:{port}"
    yield sink
    controller.stop()


@pytest.fixture
def campaign_app(make_app, smtp_sink):
    app = make_app(plugins=["members", "campaigns"],
                   config={**TEST_SETTINGS, "MARKETING_SMTP_URL": smtp_sink.url})
    with app.app_context():
        yield app


def make_chain(n: int, *, email_share: float = 1.0, consent_every: int = 1,
               sms_every: int = 2) -> list[int]:
    """``n`` members of SH01 (odd) and BJ01 (even); every member has a phone, an
    address when ``i % int(1/email_share)`` allows, e-mail consent when
    ``i % consent_every == 0`` and SMS consent when ``i % sms_every == 0``."""
    from zhanggui import write_transaction
    from zhanggui_members.consent.service import ensure_texts, record_consent
    from zhanggui_members.marketing.emails import set_member_email
    from zhanggui_members.profile.models import Store
    from zhanggui_members.profile.services import register_member

    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    ensure_texts([("email", "v1", "同意", "同意", "I agree", long_ago),
                  ("sms", "v1", "同意", "同意", "I agree", long_ago)])
    stores = {code: Store.get_or_none(Store.code == code) or Store.create(
        code=code, name=code, city="上海", region="华东") for code in ("SH01", "BJ01")}
    every_email = max(1, round(1 / email_share)) if email_share else 0
    ids = []
    with write_transaction():
        for i in range(n):
            member = register_member(name=f"会员{i}", phone=f"139{i:08d}",
                                     home_store=stores["SH01" if i % 2 else "BJ01"],
                                     birthday=dt.date(1990, 1, 1))
            ids.append(member.id)
            if every_email and i % every_email == 0:
                set_member_email(member.id, f"m{i}@example.com")
            if i % consent_every == 0:
                record_consent(member.id, "email", True, "store", text_version="v1")
            if i % sms_every == 0:
                record_consent(member.id, "sms", True, "store", text_version="v1")
    return ids


def make_campaign(definition=None, channel="email", holdout=0, **fields):
    import json

    from zhanggui_campaigns.audiences.models import Audience
    from zhanggui_campaigns.sending.models import Campaign, CampaignMessage

    tree = definition or {"all": [{"criterion": "members.store", "op": "in",
                                   "value": ["SH01", "BJ01"]}]}
    audience = Audience.create(name=f"audience {Audience.select().count() + 1}",
                               definition=json.dumps(tree))
    campaign = Campaign.create(name="会员日", channel=channel, audience=audience,
                               holdout_percent=holdout, seed=7, **fields)
    CampaignMessage.create(campaign=campaign, language="zh_CN", subject="会员日双倍积分",
                           body="{name}您好！会员日双倍积分 https://shop.example.com/day")
    return campaign
