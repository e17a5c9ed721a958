"""Tasks, their assignees and comments (comments are append-only)."""
from __future__ import annotations

import peewee

from zhanggui import Model, UTCDateTimeField, _l, utcnow

TASK_STATES = (("open", _l("Open")), ("done", _l("Done")), ("cancelled", _l("Cancelled")))


class Task(Model):
    title = peewee.CharField(max_length=200, verbose_name=_l("Task"))
    description = peewee.TextField(default="", verbose_name=_l("Description"))
    store_code = peewee.CharField(max_length=32, null=True, index=True, verbose_name=_l("Store"))
    created_by_id = peewee.IntegerField(verbose_name=_l("Created by"))
    created_by_name = peewee.CharField(max_length=120, default="", verbose_name=_l("Created by"))
    due_at = UTCDateTimeField(null=True, verbose_name=_l("Due"))
    status = peewee.CharField(max_length=10, choices=TASK_STATES, default="open",
                              verbose_name=_l("Status"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))
    done_at = UTCDateTimeField(null=True, verbose_name=_l("Done at"))
    reminded_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "office_task"

    def __str__(self):
        return self.title


class TaskAssignee(Model):
    task = peewee.ForeignKeyField(Task, backref="assignees", on_delete="CASCADE")
    user_id = peewee.IntegerField(index=True)

    class Meta:
        table_name = "office_task_assignee"
        indexes = ((("task", "user_id"), True),)


class TaskComment(Model):
    task = peewee.ForeignKeyField(Task, backref="comments", on_delete="CASCADE")
    user_id = peewee.IntegerField()
    user_name = peewee.CharField(max_length=120, default="")
    body = peewee.TextField()
    created_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "office_task_comment"


MODELS = (Task, TaskAssignee, TaskComment)


def migrate_tasks(ctx) -> None:
    """Migration ``office:0004_tasks`` (frozen copies)."""

    class T(Model):
        title = peewee.CharField(max_length=200)
        description = peewee.TextField(default="")
        store_code = peewee.CharField(max_length=32, null=True, index=True)
        created_by_id = peewee.IntegerField()
        created_by_name = peewee.CharField(max_length=120, default="")
        due_at = UTCDateTimeField(null=True)
        status = peewee.CharField(max_length=10, default="open")
        created_at = UTCDateTimeField()
        done_at = UTCDateTimeField(null=True)
        reminded_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "office_task"

    class A(Model):
        task = peewee.ForeignKeyField(T, on_delete="CASCADE")
        user_id = peewee.IntegerField(index=True)

        class Meta:
            table_name = "office_task_assignee"
            indexes = ((("task", "user_id"), True),)

    class C(Model):
        task = peewee.ForeignKeyField(T, on_delete="CASCADE")
        user_id = peewee.IntegerField()
        user_name = peewee.CharField(max_length=120, default="")
        body = peewee.TextField()
        created_at = UTCDateTimeField()

        class Meta:
            table_name = "office_task_comment"

    ctx.create_tables([T, A, C])
