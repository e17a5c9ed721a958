"""Each worker caches who may do what, and every other worker sees a change at once.

Two app instances on one database stand for two gunicorn workers (or two hosts):
each has its own cache, with a lifetime far longer than the test, so only the
version stamp can make the second one notice what the first one changed.
"""
from __future__ import annotations

import pytest

from zhanggui.testing import ADMIN_PASSWORD

LONG = {"SECURITY_CACHE_SECONDS": 3600}


@pytest.fixture
def workers(make_app):
    from zhanggui_members.tests.helpers import make_store

    first = make_app(plugins=["members"], config=LONG)
    with first.app_context():
        make_store("SH01")
        make_store("BJ01")
    second = make_app(plugins=["members"], config=LONG, migrate=False)
    return first, second


def _till(app, username="pos-sh01", role="POS terminal", stores=("SH01",)):
    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    with app.app_context():
        user = create_user(username, ADMIN_PASSWORD, role=role)
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)
        created = app.appbuilder.sm.create_api_key(user, f"key of {username}")
        return user.id, {"Authorization": f"Bearer {created['key']}"}


def _sale(number: int, store: str = "SH01") -> dict:
    from zhanggui_members.tests.helpers import sale_body

    return sale_body(pos_id=f"{store}-20251111-{number:04d}", store=store,
                     member={"phone": "13800138000"})


def _post(app, headers, body):
    return app.test_client().post("/api/v1/pos/transactions", json=body, headers=headers)


def test_a_role_taken_away_in_one_worker_is_refused_by_another_at_once(workers):
    first, second = workers
    user_id, headers = _till(first)
    assert _post(second, headers, _sale(1)).status_code == 201  # second worker caches
    assert _post(second, headers, _sale(2)).status_code == 201
    with first.app_context():
        sm = first.appbuilder.sm
        user = sm.get_user_by_id(user_id)
        user.roles = [sm.find_role("Marketing")]  # may not record sales
        sm.update_user(user)
    refused = _post(second, headers, _sale(3))
    assert refused.status_code == 403
    with first.app_context():
        sm = first.appbuilder.sm
        user = sm.get_user_by_id(user_id)
        user.roles = [sm.find_role("POS terminal")]
        sm.update_user(user)
    assert _post(second, headers, _sale(3)).status_code == 201


def test_a_store_taken_away_or_a_key_revoked_in_one_worker_counts_in_another(workers):
    from zhanggui.console.scope import UserStore

    first, second = workers
    user_id, headers = _till(first, stores=("SH01", "BJ01"))
    assert _post(second, headers, _sale(1, "BJ01")).status_code == 201
    with first.app_context():
        UserStore.delete().where((UserStore.user_id == user_id) &
                                 (UserStore.store_code == "BJ01")).execute()
    assert _post(second, headers, _sale(2, "BJ01")).status_code == 403
    assert _post(second, headers, _sale(3, "SH01")).status_code == 201
    with first.app_context():
        sm = first.appbuilder.sm
        key = sm.find_api_keys_for_user(user_id)[0]
        assert sm.revoke_api_key(key.uuid)
    assert _post(second, headers, _sale(4, "SH01")).status_code == 401


def test_a_user_deactivated_in_one_worker_cannot_use_a_session_in_another(workers, login):
    from zhanggui.users import create_user

    first, second = workers
    with first.app_context():
        user_id = create_user("clerk", ADMIN_PASSWORD, role="Store staff").id
    client = second.test_client()
    login(client, "clerk", ADMIN_PASSWORD)
    assert client.get("/memberview/list/").status_code == 200
    with first.app_context():
        sm = first.appbuilder.sm
        user = sm.get_user_by_id(user_id)
        user.active = False
        sm.update_user(user)
    assert client.get("/memberview/list/").status_code != 200


def test_a_keys_last_use_is_written_once_a_minute_not_per_request(workers):
    import datetime as dt

    first, second = workers
    user_id, headers = _till(first)
    for number in range(1, 4):
        assert _post(second, headers, _sale(number)).status_code == 201
    with first.app_context():
        sm = first.appbuilder.sm
        key = sm.find_api_keys_for_user(user_id)[0]
        sm.session.refresh(key)
        used = key.last_used_on
        assert used is not None and dt.datetime.now() - used < dt.timedelta(minutes=1)
    assert _post(second, headers, _sale(4)).status_code == 201
    with first.app_context():
        sm = first.appbuilder.sm
        key = sm.find_api_keys_for_user(user_id)[0]
        sm.session.refresh(key)
        assert key.last_used_on == used  # the same minute: not written again
