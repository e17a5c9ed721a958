"""Sign-in attempts are limited once for both doors (console form and API), per client
address and per account, with a back-off per account after repeated failures; every
refused or failed attempt is in the audit log."""
from __future__ import annotations

import json
import uuid

import pytest

from zhanggui.console.login_limit import BACKOFF_AFTER

PASSWORD = "admin-Passw0rd-for-tests"


def _app(make_app, shop_plugin, **config):
    return make_app(plugins=[], extra_plugins=[shop_plugin],
                    config={"RATELIMIT_ENABLED": True, **config})


def _console(client, username, password="wrong", address="127.0.0.1"):
    return client.post("/login/", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _api(client, username, password="wrong", address="127.0.0.1"):
    return client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db"},
        environ_base={"REMOTE_ADDR": address})


def test_the_console_and_the_api_share_one_count_per_address(make_app, shop_plugin):
    app = _app(make_app, shop_plugin, LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    assert _console(client, "a").status_code != 429
    assert _api(client, "b").status_code == 401
    assert _console(client, "c").status_code != 429
    refused = _api(client, "d")
    assert refused.status_code == 429 and refused.json["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert _console(client, "e").status_code == 429
    assert _api(client, "f", address="10.0.0.9").status_code == 401  # another client


def test_one_account_is_limited_across_addresses(make_app, shop_plugin, create_user):
    app = _app(make_app, shop_plugin, LOGIN_RATE_LIMIT="100 per minute",
               LOGIN_ACCOUNT_RATE_LIMIT="3 per minute")
    create_user("mgr", "Store manager")
    client = app.test_client()
    codes = [_api(client, "MGR" if i % 2 else "mgr", address=f"10.0.0.{i}").status_code
             for i in range(4)]
    assert codes == [401, 401, 401, 429]
    assert _api(client, "someone-else", address="10.0.0.1").status_code == 401


def test_repeated_failures_make_the_account_wait_even_with_the_right_password(
        make_app, shop_plugin, create_user):
    from zhanggui.console.audit import AuditEntry

    app = _app(make_app, shop_plugin, LOGIN_RATE_LIMIT="100 per minute",
               LOGIN_ACCOUNT_RATE_LIMIT="100 per minute")
    create_user("mgr", "Store manager")
    client = app.test_client()
    for i in range(BACKOFF_AFTER - 1):
        assert _api(client, "mgr", address=f"10.0.1.{i}").status_code == 401
    assert _api(client, "mgr", PASSWORD).status_code == 200  # success forgets the failures
    for i in range(BACKOFF_AFTER):
        assert _api(client, "mgr", address=f"10.0.2.{i}").status_code == 401
    waiting = _api(client, "mgr", PASSWORD, address="10.0.3.1")
    assert waiting.status_code == 429 and 0 < int(waiting.headers["Retry-After"]) <= 30
    assert _console(client, "mgr", PASSWORD, address="10.0.3.2").status_code == 429
    assert _api(client, "other", address="10.0.3.3").status_code == 401
    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username="mgr").id
        refused = [e.fields for e in AuditEntry.select().where(
            (AuditEntry.action == "login-failed") & (AuditEntry.record_pk == str(user_id)))]
    assert refused.count("password") == 2 * BACKOFF_AFTER - 1
    assert refused.count("throttled") == 2


def test_the_back_off_doubles_up_to_fifteen_minutes(make_app, shop_plugin):
    from zhanggui.console.login_limit import login_limit

    app = _app(make_app, shop_plugin)
    limit = login_limit(app)
    waits = [limit.backoff_seconds(n) for n in range(1, 13)]
    assert waits[:BACKOFF_AFTER - 1] == [0] * (BACKOFF_AFTER - 1)
    assert waits[BACKOFF_AFTER - 1:BACKOFF_AFTER + 2] == [30, 60, 120]
    assert max(waits) == 15 * 60


def test_with_redis_every_app_process_shares_the_counts(make_app, shop_plugin):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0").ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    config = {"QUEUE_URL": "redis://127.0.0.1:6379/0", "LOGIN_RATE_LIMIT": "2 per minute"}
    one, two = (_app(make_app, shop_plugin, **config) for _ in range(2))
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    account = f"user-{uuid.uuid4().hex}"
    assert _api(one.test_client(), account, address=address).status_code == 401
    assert _console(two.test_client(), account, address=address).status_code != 429
    assert _api(two.test_client(), account, address=address).status_code == 429
    assert _api(one.test_client(), account, address=address).status_code == 429


@pytest.mark.parametrize("username, password", [("a\x00b", "x"), ("mgr", "pw\x00"),
                                                ("a\ud800", "x"), ("mgr", "\udfff")])
def test_a_sign_in_with_a_nul_or_a_lone_surrogate_is_refused_not_a_crash(
        app, create_user, username, password):
    create_user("mgr", "Store manager")
    body = json.dumps({"username": username, "password": password, "provider": "db"})
    response = app.test_client().post("/api/v1/security/login", data=body,
                                      content_type="application/json")
    assert response.status_code == 401
    browser = app.test_client()
    if "\x00" in username + password:
        assert browser.post("/login/", data={"username": username, "password": password}
                            ).status_code in (200, 302, 400)
