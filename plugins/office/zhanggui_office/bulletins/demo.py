"""Demo bulletins: one for the whole chain, one per store for two stores."""
from __future__ import annotations

from zhanggui import utcnow, write_transaction

from .models import Bulletin

BULLETINS = (("双十二大促排班通知", "各门店请于本周五前提交双十二当天排班表。", ""),
             ("SH01 消防检查", "本周三上午十点消防检查，请保持通道畅通。", ",SH01,"),
             ("SH01 停车场施工", "下周一起停车场 B 区施工，请引导顾客。", ",SH01,"),
             ("BJ01 收银系统升级", "周二闭店后升级收银系统，请提前结清当日交易。", ",BJ01,"))


def build_demo_bulletins(ctx) -> None:
    if Bulletin.select().exists():
        return
    with write_transaction():
        for title, body, stores in BULLETINS:
            Bulletin.create(title=title, body=body, stores=stores, author_id=-3,
                            author_name="总部行政", published_at=utcnow())
    ctx.count("bulletins", len(BULLETINS))
