"""Demo routed documents in every state, in two stores and for the whole chain."""
from __future__ import annotations

from zhanggui import utcnow, write_transaction

from .models import RoutedDocument, RoutingEvent, RoutingStop

DOCUMENTS = (("关于调整营业时间的通知", "SH01", "signed"),
             ("化妆品专柜促销方案", "SH01", "routing"),
             ("SH01 消防演练方案", "SH01", "returned"),
             ("专柜装修申请", "BJ01", "routing"),
             ("BJ01 排班调整", "BJ01", "signed"),
             ("年度采购计划（草案）", None, "returned"))


def build_demo_documents(ctx) -> None:
    if RoutedDocument.select().exists():
        return
    now = utcnow()
    with write_transaction():
        for title, store, status in DOCUMENTS:
            document = RoutedDocument.create(
                title=title, body=title + "，请审阅。", store_code=store, sender_id=-3,
                sender_name="总部行政", status=status,
                current_position=1 if status == "routing" else None,
                finished_at=None if status == "routing" else now)
            RoutingStop.create(document=document, position=1, user_id=-2)
            if status != "routing":
                RoutingEvent.create(document=document, position=1, user_id=-2,
                                    user_name="演示店长", at=now,
                                    action="sign" if status == "signed" else "return",
                                    comment="" if status == "signed" else "预算需细化")
    ctx.count("routed documents", len(DOCUMENTS))
