"""Tasks: assignees told, reminded once before the due time, comments and completion
only by those involved."""
import datetime as dt

import pytest

from zhanggui import utcnow
from zhanggui.notifications.models import Notification
from zhanggui_office.tasks.models import Task, TaskComment
from zhanggui_office.tasks.service import CreateTask, TaskError, comment, complete, remind_due


def test_assignees_are_told_and_reminded_once_before_the_due_time(office_app, staff):
    now = utcnow()
    task = CreateTask(staff.dave, "Count the stockroom", [staff.bob, staff.carol],
                      due_at=now + dt.timedelta(hours=30), store_code="SH01").run()
    assert {n.user_id for n in Notification.select()} == {staff.bob, staff.carol}
    assert remind_due(now) == 0                          # due in 30 h: not yet
    later = now + dt.timedelta(hours=8)
    assert remind_due(later) == 1
    assert remind_due(later) == 0
    assert Notification.select().where(Notification.urgent).count() == 2
    assert Task.get_by_id(task.id).reminded_at is not None


def test_only_those_involved_comment_and_complete(office_app, staff):
    task = CreateTask(staff.dave, "Window display", [staff.bob]).run()
    with pytest.raises(TaskError):
        comment(task.id, staff.frank, "me too")
    with pytest.raises(TaskError):
        complete(task.id, staff.frank)
    comment(task.id, staff.bob, "On it")
    assert complete(task.id, staff.bob).status == "done"
    assert [c.body for c in TaskComment.select()] == ["On it"]


def test_bad_tasks_are_refused(office_app, staff):
    with pytest.raises(TaskError) as exc:
        CreateTask(staff.dave, "", [987654], due_at=dt.date(2026, 1, 1),
                   description="x\x00").run()
    assert set(exc.value.messages) == {"title", "assignees", "due_at", "description"}
    assert Task.select().count() == 0
