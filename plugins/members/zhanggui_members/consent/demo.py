"""Consent for the demo chain's members: texts, grants at joining, some withdrawals.

Runs after :func:`zhanggui_members.demo.chain.build_demo_chain` in the same transaction and
reads the members it made as plain tuples, writing records and states in bulk
(:class:`~.bulk.BulkWriter`), so a million members cost seconds, not hours.  The
choices come from a generator seeded with the demo seed: the same seed gives the same
answers.
"""
from __future__ import annotations

import datetime as dt
import random

from zhanggui import _

from ..bulk import BulkWriter
from ..profile.models import Member
from .models import ConsentRecord, ConsentState
from .service import ensure_texts

RECORD_COLUMNS = ("id", "member_id", "channel", "granted", "source", "text_version",
                  "recorded_at", "recorded_by")
STATE_COLUMNS = ("member_id", "channel", "granted", "changed_at", "record_id")
#: share of members who agree, per channel, when they join
GRANT_SHARE = {"sms": 0.72, "email": 0.38, "phone": 0.22, "app_push": 0.55}
WITHDRAW_SHARE = 0.06
SOURCE_OF_JOIN = {"store": "store", "wechat": "app", "app": "app", "ecommerce": "app",
                  "callcenter": "callcenter", "import": "import", "pos": "pos"}
CHUNK = 20000

TEXTS = (
    ("sms", "v1", "我同意接收会员活动、积分和优惠短信，可回复TD退订。",
     "我同意接收會員活動、積分與優惠簡訊，可回覆TD取消訂閱。",
     "I agree to receive text messages about member events, points and offers; reply TD "
     "to stop."),
    ("sms", "v2", "我同意接收会员活动、积分到期和优惠短信（每月不超过8条），可回复TD退订。",
     "我同意接收會員活動、積分到期與優惠簡訊（每月不超過8則），可回覆TD取消訂閱。",
     "I agree to receive text messages about member events, expiring points and offers "
     "(at most 8 a month); reply TD to stop."),
    ("email", "v1", "我同意接收会员电子报和活动邮件。", "我同意接收會員電子報與活動郵件。",
     "I agree to receive the member newsletter and event emails."),
    ("phone", "v1", "我同意接听会员服务与活动邀请电话。", "我同意接聽會員服務與活動邀請電話。",
     "I agree to receive calls about member services and event invitations."),
    ("app_push", "v1", "我同意接收App推送的活动和积分通知。", "我同意接收App推播的活動與積分通知。",
     "I agree to receive app notifications about events and points."),
)


def _text(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def build_demo_consents(ctx) -> None:
    """Consent texts and every demo member's answers (see the module docstring)."""
    anchor = getattr(ctx, "as_of", None) or (
        dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))
    end = dt.datetime.combine(anchor, dt.time(12), tzinfo=dt.timezone.utc)
    v2_from = end - dt.timedelta(days=90)
    long_ago = dt.datetime(2015, 1, 1, tzinfo=dt.timezone.utc)
    ensure_texts([(c, v, zc, zt, en, v2_from if v == "v2" else long_ago)
                  for c, v, zc, zt, en in TEXTS])
    rng = random.Random(f"zhanggui-demo-consent/{ctx.seed}")
    writer = BulkWriter()
    next_record = writer.next_id(ConsentRecord)
    total = Member.select().where(Member.erased_at.is_null()).count()
    progress = ctx.progress(_("Demo members' marketing consent"), total)
    records: list[tuple] = []
    states: list[tuple] = []
    written = 0
    members = (Member.select(Member.id, Member.join_channel, Member.joined_at)
               .where(Member.erased_at.is_null()).order_by(Member.id).tuples())
    try:
        for count, (member_id, channel, joined_at) in enumerate(members.iterator(), 1):
            if isinstance(joined_at, str):
                joined_at = dt.datetime.fromisoformat(joined_at)
            if joined_at.tzinfo is None:
                joined_at = joined_at.replace(tzinfo=dt.timezone.utc)
            source = SOURCE_OF_JOIN.get(channel, "store")
            for code, share in GRANT_SHARE.items():
                if code == "app_push" and source != "app":
                    continue
                if rng.random() >= share:
                    continue
                version = "v2" if code == "sms" and joined_at >= v2_from else "v1"
                records.append((next_record, member_id, code, 1, source, version,
                                _text(joined_at), source))
                last_id, last_at, granted = next_record, joined_at, 1
                next_record += 1
                span = (end - joined_at).total_seconds()
                if span > 86400 and rng.random() < WITHDRAW_SHARE:
                    last_at = joined_at + dt.timedelta(seconds=rng.uniform(3600, span))
                    records.append((next_record, member_id, code, 0,
                                    rng.choice(("app", "callcenter", "store")), None,
                                    _text(last_at), "demo"))
                    last_id, granted = next_record, 0
                    next_record += 1
                states.append((member_id, code, granted, _text(last_at), last_id))
            if len(records) >= CHUNK:
                writer.write(ConsentRecord, RECORD_COLUMNS, records)
                writer.write(ConsentState, STATE_COLUMNS, states)
                written += len(records)
                records, states = [], []
                progress.advance(count - progress.done)
        writer.write(ConsentRecord, RECORD_COLUMNS, records)
        writer.write(ConsentState, STATE_COLUMNS, states)
        written += len(records)
        writer.finish()
    except BaseException:
        writer.abort()
        raise
    progress.close()
    ctx.count(_("marketing consent records"), written)
