"""Shared fixtures of the office plugin's tests (the rest come from zhanggui.testing)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def office_app(make_app):
    """Core and office only, migrated, inside an app context."""
    app = make_app(plugins=["office"])
    with app.app_context():
        yield app


@pytest.fixture
def staff(office_app):
    """Console users: a requester and approvers in several roles, by name → id."""
    from zhanggui.console.scope import UserStore
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    people = {}
    for name, role, stores in (("alice", "Store staff", ("SH01",)),
                               ("bob", "Store manager", ("SH01",)),
                               ("carol", "Store manager", ("SH01",)),
                               ("dave", "Head-office admin", ()),
                               ("erin", "Marketing", ()),
                               ("frank", "Store manager", ("BJ01",))):
        user = create_user(name, ADMIN_PASSWORD, role=role, email=f"{name}@example.com")
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)
        people[name] = user.id
    return SimpleNamespace(**people)


def workflow(kind, steps, condition=None, priority=100, name=None):
    """A workflow of ``kind`` with ``steps``: ``(mode, approvers, condition, extra)``."""
    from zhanggui_office.approvals.models import Workflow, WorkflowStep

    flow = Workflow.create(kind=kind, name=name or kind, priority=priority,
                           condition=condition)
    for position, step in enumerate(steps, 1):
        mode, approvers = step[0], step[1]
        extra = step[2] if len(step) > 2 else {}
        WorkflowStep.create(workflow=flow, position=position, name=f"step {position}",
                            mode=mode, approvers=approvers, **extra)
    return flow
