"""Fixtures of the loyalty tests.

Building and migrating an application takes seconds (Flask-AppBuilder's permission
sync commits row by row), so each test module shares one app and every test starts
from emptied members and loyalty tables.  A module that calls the REST API sets
``NEEDS_SECURITY = True`` to get the console's roles and permissions too.
"""
from __future__ import annotations

import uuid

import pytest
from flask import g

from .helpers import setup_program


def _build_app(url: str, instance: str, security: bool):
    from zhanggui.app import create_app
    from zhanggui.cli import migrate_command
    from zhanggui.migrations import migrate

    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": instance,
                      "QUEUE_URL": "immediate://", "TESTING": True,
                      "SECRET_KEY": "loyalty-test-secret-key-long-enough-for-jwt", "PLUGINS": ["members", "loyalty"]})
    with app.app_context():
        if security:
            result = app.test_cli_runner().invoke(migrate_command, catch_exceptions=False)
            assert result.exit_code == 0, result.output
        else:
            migrate(app.extensions["zhanggui"].plugins.migrations())
        app.extensions["zhanggui"].db.close()
    return app


@pytest.fixture(scope="module")
def module_app(request, _pg_worker_database, tmp_path_factory):
    from zhanggui.testing import _close, _reset_pg

    folder = tmp_path_factory.mktemp("loyalty")
    if _pg_worker_database:
        _reset_pg(_pg_worker_database)
        url = _pg_worker_database
    else:
        url = f"sqlite:///{folder / 'loyalty-test.db'}"
    app = _build_app(url, str(folder / "instance"),
                     getattr(request.module, "NEEDS_SECURITY", False))
    app.config["LOYALTY_TEST_URL"] = url
    # Tests hold an app context around client requests, and Flask then reuses it, so
    # ``g`` (the signed-in user flask-login caches there) would leak from one request
    # to the next.  In production every request has its own app context: mimic that.
    app.before_request_funcs.setdefault(None, []).insert(0, lambda: g.__dict__.clear())
    yield app
    _close(app)


def wipe(app) -> None:
    """Empty every members and loyalty table."""
    from zhanggui import write_transaction

    models = app.extensions["zhanggui"].plugins.models()
    with write_transaction():
        for model in reversed(models):
            model.delete().execute()
        from zhanggui_loyalty.models import LoyaltySettings

        LoyaltySettings.insert(id=1).execute()


@pytest.fixture
def loyalty_app(module_app):
    """Members + loyalty with empty tables, a base rule of 1 point per yuan, never
    expiring, no return window, inside an app context."""
    db = module_app.extensions["zhanggui"].db
    with module_app.app_context():
        db.connect(reuse_if_open=True)
        wipe(module_app)
        setup_program()
        yield module_app
        if not db.is_closed():
            db.close()


@pytest.fixture
def bearer(loyalty_app):
    """``bearer(role, stores=("SH01",))``: an Authorization header for a new API user
    with that role, assigned to ``stores`` (which matter only to store-scoped roles)."""
    from flask_jwt_extended import create_access_token

    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    def factory(role="Head-office admin", stores=("SH01",)):
        user = create_user(f"api-{uuid.uuid4().hex[:10]}", "api-Passw0rd-for-tests", role=role)
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)
        return {"Authorization": f"Bearer {create_access_token(identity=str(user.id))}"}

    return factory
