"""Shared helpers for the members plugin's tests (fixtures come from zhanggui.testing)."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def members_app(make_app):
    """An app with only the members plugin, its tables migrated, inside an app context."""
    app = make_app(plugins=["members"])
    with app.app_context():
        yield app


@pytest.fixture
def sqlite_files(database_url):
    """Bytes of the SQLite database file and its WAL after a checkpoint, or ``None``
    on PostgreSQL (where the tests look at the rows instead)."""
    if not database_url.startswith("sqlite"):
        return None

    def read() -> bytes:
        from zhanggui import database

        database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(database_url.split("sqlite:///", 1)[1])
        data = path.read_bytes()
        for extra in (Path(f"{path}-wal"), Path(f"{path}-journal")):
            if extra.exists():
                data += extra.read_bytes()
        return data

    return read


class PosClient:
    """A test client that calls the API as a till does: a bearer token, JSON bodies.

    The token is a JWT minted for a user with the role ``POS terminal`` (what an API
    key for a till will act as); ``FAB_ADD_SECURITY_API`` is off, so tests mint it
    directly instead of calling ``/api/v1/security/login``.
    """

    def __init__(self, app, token):
        self.app, self.client = app, app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def post(self, path, body, **kwargs):
        return self.client.post(path, json=body, headers=self.headers, **kwargs)

    def get(self, path, **kwargs):
        return self.client.get(path, headers=self.headers, **kwargs)

    def sale(self, body):
        return self.post("/api/v1/pos/transactions", body)


def api_token(app, username, role, stores=("SH01", "BJ01")):
    """A JWT for a new user with ``role``, assigned to the store codes ``stores``."""
    from flask_jwt_extended import create_access_token

    from zhanggui.console.scope import UserStore
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    with app.app_context():
        user = create_user(username, ADMIN_PASSWORD, role=role)
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)
        return create_access_token(identity=str(user.id))


@pytest.fixture
def pos_app(make_app):
    """The members plugin alone, with one store (SH01) and a till's API client."""
    app = make_app(plugins=["members"])
    with app.app_context():
        from zhanggui_members.tests.helpers import make_store

        make_store("SH01")
        make_store("BJ01")
    return app


@pytest.fixture
def till(pos_app):
    return PosClient(pos_app, api_token(pos_app, "pos-sh01", "POS terminal"))
