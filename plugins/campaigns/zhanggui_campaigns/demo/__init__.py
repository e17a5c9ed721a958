"""The demo chain's marketing: three audiences, a past e-mail campaign that was sent
and can be evaluated, and a draft SMS campaign ready to launch."""
from __future__ import annotations

import datetime as dt
import json
import random

from zhanggui import _, plugins

from ..audiences.definition import count, parse
from ..audiences.models import Audience
from ..sending.launch import launch
from ..sending.models import Campaign, CampaignMessage, Recipient

AUDIENCES = [
    ("活跃会员", "最近购买过的会员",
     {"all": [{"criterion": "members.lifecycle", "op": "in", "value": ["active"]}]}),
    ("高价值忠诚与成长会员", "价值分组：高价值忠诚或成长",
     {"any": [{"criterion": "members.value_group", "op": "in", "value": ["loyal"]},
              {"criterion": "members.value_group", "op": "in", "value": ["growing"]}]}),
    ("沉睡待唤醒", "90天未购买、且非流失",
     {"all": [{"criterion": "members.not_bought_within", "op": "within", "value": 90},
              {"not": {"criterion": "members.lifecycle", "op": "in", "value": ["churned"]}}]}),
]

MESSAGES = {
    "zh_CN": ("春季会员日：全场双倍积分", "{name}您好！本周六会员日全场双倍积分，详情 http://127.0.0.1:5000/spring"),
    "zh_TW": ("春季會員日：全館雙倍積分", "{name}您好！本週六會員日全館雙倍積分，詳情 http://127.0.0.1:5000/spring"),
    "en": ("Spring member day: double points", "Hello {name}! Double points all day this Saturday: http://127.0.0.1:5000/spring"),
}


def build_demo_campaign(ctx) -> None:
    rng = random.Random(f"zhanggui-demo-campaigns/{ctx.seed}")
    anchor = ctx.as_of or (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=1))
    audiences = []
    for name, description, tree in AUDIENCES:
        parse(tree)
        audiences.append(Audience.create(name=name, description=description,
                                         definition=json.dumps(tree, ensure_ascii=False),
                                         last_count=count(tree), created_by="demo"))
    past = Campaign.create(name="春季会员日邮件", channel="email", audience=audiences[0],
                           holdout_percent=20, seed=ctx.seed, response_days=14, cost=800,
                           created_by="demo")
    for language, (subject, body) in MESSAGES.items():
        CampaignMessage.create(campaign=past, language=language, subject=subject, body=body)
    launch(past.id, start_jobs=False)
    launched = dt.datetime.combine(anchor - dt.timedelta(days=30), dt.time(2),
                                   tzinfo=dt.timezone.utc)
    # the demo does not talk to a mail server: the sends are recorded as done, to the
    # members who had an address and consent (the others as the send job would mark them)
    queued = list(Recipient.select().where((Recipient.campaign == past.id)
                                           & (Recipient.status == "queued")))
    reachable = set(plugins().call_first("zhanggui_marketing_contacts",
                                         member_ids=[r.member_id for r in queued],
                                         channel="email") or {})
    for row in queued:
        if row.member_id not in reachable:
            Recipient.update(status="no_consent").where(Recipient.id == row.id).execute()
            continue
        sent = launched + dt.timedelta(seconds=rng.randint(0, 3600))
        opened = rng.random() < 0.35
        Recipient.update(status="sent", sent_at=sent, attempts=1,
                         opened_at=sent + dt.timedelta(hours=rng.randint(1, 48)) if opened else None,
                         opens=rng.randint(1, 3) if opened else 0,
                         clicks=rng.randint(1, 2) if opened and rng.random() < 0.3 else 0) \
            .where(Recipient.id == row.id).execute()
    Campaign.update(status="sent", launched_at=launched,
                    finished_at=launched + dt.timedelta(hours=1)).where(Campaign.id == past.id).execute()
    draft = Campaign.create(name="唤醒沉睡会员短信", channel="sms", audience=audiences[2],
                            holdout_percent=10, seed=ctx.seed + 1, response_days=30, cost=300,
                            created_by="demo")
    CampaignMessage.create(campaign=draft, language="zh_CN", body="{name}您好，好久不见！凭本短信到店可领取小礼品。")
    CampaignMessage.create(campaign=draft, language="zh_TW", body="{name}您好，好久不見！憑本簡訊到店可領取小禮品。")
    ctx.count(_("campaigns"), 2)
