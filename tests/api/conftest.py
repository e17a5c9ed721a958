"""The whole app (every installed plugin) with a small demo chain, for the tests that
drive every operation of the OpenAPI document and every console form.

Built once per test module on a database of the module's own (SQLite file, or a
PostgreSQL database next to the worker's when the suite runs on PostgreSQL), with a
head-office admin who signs in by JWT, by API key and in the console.
"""
from __future__ import annotations

import types
from urllib.parse import urlparse, urlunparse

import pytest

ADMIN = "fuzz-admin"
PASSWORD = "fuzz-Passw0rd-2026"


def _database(tmp, pg_base, suffix):
    if not pg_base:
        return f"sqlite:///{tmp / 'world.db'}", None
    from zhanggui.testing import _pg_admin_conn

    parsed = urlparse(pg_base)
    name = parsed.path.lstrip("/") + "_" + suffix
    conn = _pg_admin_conn(pg_base)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()

    return urlunparse(parsed._replace(path="/" + name)), drop


@pytest.fixture(scope="module")
def api_world(request, tmp_path_factory, _pg_worker_database):
    from zhanggui.app import create_app
    from zhanggui.cli import demo_data_command, migrate_command
    from zhanggui.testing import _close, _csrf_token
    from zhanggui.users import create_user

    suffix = request.module.__name__.rpartition(".")[2].replace("test_", "")[:20]
    tmp = tmp_path_factory.mktemp("apiworld")
    url, drop = _database(tmp, _pg_worker_database, suffix)
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"),
                      "QUEUE_URL": "immediate://", "TESTING": True,
                      "SECRET_KEY": "api-world-secret-key-0123456789abcdef"})
    runner = app.test_cli_runner()
    with app.app_context():
        for command, args in ((migrate_command, []),
                              (demo_data_command, ["--seed", "11", "--members", "30",
                                                   "--quiet"])):
            result = runner.invoke(command, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
        user = create_user(ADMIN, PASSWORD, role="Head-office admin")
    with app.test_request_context():
        key = app.appbuilder.sm.create_api_key(app.appbuilder.sm.get_user_by_id(user.id),
                                               "schema tests")["key"]
    client = app.test_client()
    answer = client.post("/api/v1/security/login", json={
        "username": ADMIN, "password": PASSWORD, "provider": "db"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    browser = app.test_client()
    token = _csrf_token(browser.get("/login/").get_data(as_text=True))
    signed = browser.post("/login/", data={"username": ADMIN, "password": PASSWORD,
                                           "csrf_token": token})
    assert signed.status_code == 302
    world = types.SimpleNamespace(
        app=app, browser=browser,
        auth={"jwt": {"Authorization": f"Bearer {answer.json['access_token']}"},
              "api_key": {"Authorization": f"Bearer {key}"}})
    world.document = client.get("/api/v1/_openapi", headers=world.auth["jwt"]).json
    yield world
    _close(app)
    if drop:
        drop()
