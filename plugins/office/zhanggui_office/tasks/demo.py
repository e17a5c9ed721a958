"""Demo tasks in two stores and one for the whole chain, with a comment."""
from __future__ import annotations

import datetime as dt

from zhanggui import utcnow, write_transaction

from .models import Task, TaskComment

TASKS = (("盘点化妆品专柜库存", "SH01", 2), ("整理仓库货架", "SH01", 3),
         ("核对促销价签", "SH01", 4), ("更换橱窗陈列", "BJ01", 5),
         ("提交季度安全检查表", None, 10))


def build_demo_tasks(ctx) -> None:
    if Task.select().exists():
        return
    now = utcnow()
    with write_transaction():
        for title, store, days in TASKS:
            task = Task.create(title=title, store_code=store, created_by_id=-3,
                               created_by_name="总部行政", due_at=now + dt.timedelta(days=days))
            TaskComment.create(task=task, user_id=-3, user_name="总部行政", body="请按时完成。")
    ctx.count("tasks", len(TASKS))
