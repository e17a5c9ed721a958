"""Tasks: create (assignees told), complete, comment, and the reminder job.

Only the creator and the assignees complete or comment a task.  The job
``office.remind_tasks`` reminds the assignees of open tasks due within a day, once
(a conditional ``UPDATE ... WHERE reminded_at IS NULL``), however often it runs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from zhanggui import _, utcnow, write_transaction

from .. import people
from .models import Task, TaskAssignee, TaskComment

KIND = "office.task"
REMIND_BEFORE = dt.timedelta(hours=24)


class TaskError(ValueError):
    def __init__(self, messages: dict[str, list[str]]):
        super().__init__("; ".join(" ".join(v) for v in messages.values()))
        self.messages = messages


@dataclass
class CreateTask:
    created_by: Any
    title: Any
    assignees: Any
    due_at: Any = None
    description: Any = ""
    store_code: Any = None

    def validate(self) -> list[int]:
        messages: dict[str, list[str]] = {}
        if not isinstance(self.title, str) or not self.title.strip() \
                or len(self.title) > 200 or "\x00" in self.title:
            messages["title"] = [_("Give a title of at most 200 characters.")]
        if not isinstance(self.description, str) or len(self.description) > 10000 \
                or "\x00" in self.description:
            messages["description"] = [_("The description may have at most 10,000 "
                                         "characters.")]
        ids = []
        for value in self.assignees or []:
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                ids.append(0)
        if not ids or len(ids) > 50 or not all(people.is_active(i) for i in ids):
            messages["assignees"] = [_("Choose one to fifty active users.")]
        if self.due_at is not None and (not isinstance(self.due_at, dt.datetime)
                                        or self.due_at.tzinfo is None
                                        or self.due_at.year > 2100):
            messages["due_at"] = [_("Give the due date and time.")]
        if self.store_code not in (None, "") and (not isinstance(self.store_code, str)
                                                 or len(self.store_code) > 32):
            messages["store_code"] = [_("Give the store's code.")]
        if messages:
            raise TaskError(messages)
        return sorted(set(ids))

    def run(self) -> Task:
        from zhanggui.notifications import notify

        ids = self.validate()
        with write_transaction():
            task = Task.create(title=self.title.strip(), description=self.description.strip(),
                               store_code=self.store_code or None,
                               created_by_id=int(self.created_by),
                               created_by_name=people.user_name(self.created_by),
                               due_at=self.due_at)
            for user_id in ids:
                TaskAssignee.create(task=task, user_id=user_id)
            notify(ids, KIND, _("New task: %(title)s", title=task.title), task.description,
                   url=f"/taskview/show/{task.id}")
        return task


def _involved(task: Task, user_id: int) -> bool:
    return task.created_by_id == user_id or TaskAssignee.select().where(
        (TaskAssignee.task == task) & (TaskAssignee.user_id == user_id)).exists()


def complete(task_id: int, user_id: int) -> Task:
    with write_transaction():
        task = Task.get_or_none(Task.id == task_id)
        if task is None or not _involved(task, user_id):
            raise TaskError({"task": [_("Only its creator and assignees complete a task.")]})
        Task.update(status="done", done_at=utcnow()) \
            .where((Task.id == task.id) & (Task.status == "open")).execute()
    return Task.get_by_id(task_id)


def comment(task_id: int, user_id: int, body: Any) -> TaskComment:
    if not isinstance(body, str) or not body.strip() or len(body) > 5000 or "\x00" in body:
        raise TaskError({"body": [_("A comment has 1 to 5,000 characters.")]})
    task = Task.get_or_none(Task.id == task_id)
    if task is None or not _involved(task, user_id):
        raise TaskError({"task": [_("Only its creator and assignees comment on a task.")]})
    with write_transaction():
        return TaskComment.create(task=task, user_id=user_id,
                                  user_name=people.user_name(user_id), body=body.strip())


def remind_due(now: dt.datetime | None = None) -> int:
    """Remind the assignees of open tasks due within a day; returns tasks reminded."""
    from zhanggui.notifications import notify

    now = now or utcnow()
    reminded = 0
    due = Task.select(Task.id).where((Task.status == "open") & Task.reminded_at.is_null()
                                     & Task.due_at.is_null(False)
                                     & (Task.due_at <= now + REMIND_BEFORE))
    for (task_id,) in due.tuples():
        with write_transaction():
            if not Task.update(reminded_at=now).where(
                    (Task.id == task_id) & Task.reminded_at.is_null()).execute():
                continue
            task = Task.get_by_id(task_id)
            notify([a.user_id for a in task.assignees], KIND,
                   _("Task due soon: %(title)s", title=task.title),
                   url=f"/taskview/show/{task.id}", urgent=True, now=now)
            reminded += 1
    return reminded
