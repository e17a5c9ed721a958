"""Approvers deciding at the same moment, one thread (one connection, one
transaction) each, as with several gunicorn workers: the request's row lock lets
exactly the right decisions through (SQLite and PostgreSQL)."""
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from zhanggui_office.approvals.models import ApprovalRequest, Decision
from zhanggui_office.approvals.service import ApprovalError, Decide, OpenRequest

from .conftest import workflow

ROUNDS = 8


@pytest.fixture
def racing_app(make_app, make_plugin):
    events = Counter()
    listener = make_plugin(
        "listener", zhanggui_approval_decided=lambda kind, reference, approved, decided_by,
        comment: events.update([reference]))
    app = make_app(plugins=["office"], extra_plugins=[listener])
    with app.app_context():
        from zhanggui.console.scope import UserStore
        from zhanggui.users import create_user

        ids = {}
        for name, role in (("asker", "Store staff"), ("m1", "Store manager"),
                           ("m2", "Store manager"), ("hq", "Head-office admin")):
            ids[name] = create_user(name, "x" * 12, role=role).id
            UserStore.create(user_id=ids[name], store_code="SH01")
    return app, ids, events


def _race(app, calls):
    """Run ``[(request_id, user_id, verdict)]`` at once; ``ok`` or ``refused`` each."""
    barrier = threading.Barrier(len(calls))
    db = app.extensions["zhanggui"].db

    def decide(call):
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                Decide(*call, comment="x", channel="api").run()
                return "ok"
            except ApprovalError:
                return "refused"
            finally:
                db.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(decide, calls))


def _requests(app, ids, n):
    with app.app_context():
        return [OpenRequest("office.expense", f"claim {i}", ids["asker"],
                            {"store": "SH01", "amount": "10"}).run().id for i in range(n)]


def test_two_approvers_of_an_any_of_step_at_once_decide_it_once(racing_app):
    app, ids, events = racing_app
    with app.app_context():
        workflow("office.expense", [("any", "role:Store manager")])
    for request_id in _requests(app, ids, ROUNDS):
        results = _race(app, [(request_id, ids["m1"], "approve"),
                              (request_id, ids["m2"], "reject")])
        assert sorted(results) == ["ok", "refused"]
    with app.app_context():
        assert Decision.select().count() == ROUNDS
        assert ApprovalRequest.select().where(ApprovalRequest.status == "pending").count() == 0
    assert sorted(events.values()) == [1] * ROUNDS


def test_one_approver_clicking_twice_at_once_decides_once(racing_app):
    app, ids, events = racing_app
    with app.app_context():
        workflow("office.expense", [("all", "role:Store manager\nrole:Head-office admin")])
    for request_id in _requests(app, ids, ROUNDS):
        results = _race(app, [(request_id, ids["m1"], "approve")] * 3)
        assert sorted(results) == ["ok", "refused", "refused"]
        with app.app_context():
            assert ApprovalRequest.get_by_id(request_id).status == "pending"
    assert not events


def test_both_approvers_of_an_all_of_step_at_once_finish_it_once(racing_app):
    app, ids, events = racing_app
    with app.app_context():
        workflow("office.expense", [("all", "role:Store manager\nrole:Head-office admin")])
    for request_id in _requests(app, ids, ROUNDS):
        results = _race(app, [(request_id, ids["m1"], "approve"),
                              (request_id, ids["hq"], "approve"),
                              (request_id, ids["m2"], "approve")])
        assert sorted(results) == ["ok", "ok", "refused"]   # m2's role slot is taken
        with app.app_context():
            assert ApprovalRequest.get_by_id(request_id).status == "approved"
    assert sorted(events.values()) == [1] * ROUNDS
