"""A tiny shop console: FAB (security on SQLite) + peewee models on their own database.

Set ZHANGGUI_TEST_DATABASE_URL=postgresql://... to put the peewee models on PostgreSQL.
"""

from __future__ import annotations

import sys
from pathlib import Path

import peewee
import pytest
from flask import Flask, current_app
from playhouse.db_url import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "core"))

from zhanggui.db import UTCDateTimeField  # noqa: E402
from zhanggui.console.datamodel import (  # noqa: E402
    JSONField,
    ModelRestApi,
    ModelView,
    PeeweeInterface,
)

TIERS = [("silver", "Silver"), ("gold", "Gold"), ("vip", "VIP")]


class Store(peewee.Model):
    name = peewee.CharField(max_length=60, unique=True)

    def __str__(self):
        return self.name


class Tag(peewee.Model):
    name = peewee.CharField(max_length=30, unique=True)

    def __str__(self):
        return self.name


MemberTagThrough = peewee.DeferredThroughModel()


class Member(peewee.Model):
    name = peewee.CharField(max_length=40)
    phone = peewee.CharField(max_length=20, unique=True)
    store = peewee.ForeignKeyField(Store, backref="members", on_delete="RESTRICT")
    points = peewee.IntegerField(default=0)
    balance = peewee.DecimalField(max_digits=10, decimal_places=2, default=0)
    birthday = peewee.DateField(null=True)
    joined_at = UTCDateTimeField(null=True)
    active = peewee.BooleanField(default=True)
    tier = peewee.CharField(max_length=10, choices=TIERS, default="silver")
    prefs = JSONField(null=True)
    note = peewee.TextField(null=True)
    tags = peewee.ManyToManyField(Tag, backref="members", through_model=MemberTagThrough)

    def __str__(self):
        return f"{self.name} ({self.phone})"


class MemberTag(peewee.Model):
    member = peewee.ForeignKeyField(Member, on_delete="CASCADE")
    tag = peewee.ForeignKeyField(Tag, on_delete="CASCADE")


MemberTagThrough.set_model(MemberTag)
MODELS = [Store, Tag, Member, MemberTag]


def current_scope_store():
    return current_app.config.get("SCOPE_STORE_ID")


class StoreView(ModelView):
    datamodel = PeeweeInterface(Store)


class MemberView(ModelView):
    datamodel = PeeweeInterface(Member)
    autocomplete_fields = ["store"]
    list_columns = ["name", "phone", "store", "points", "balance", "active", "tier"]
    add_columns = edit_columns = [
        "name", "phone", "store", "points", "balance", "birthday", "joined_at",
        "active", "tier", "prefs", "tags",
    ]


class ScopedMemberView(MemberView):
    route_base = "/scopedmember"

    def scope_query(self, query):
        return query.where(Member.store == current_scope_store())


class MemberApi(ModelRestApi):
    resource_name = "member"
    allow_browser_login = True
    datamodel = PeeweeInterface(Member)
    list_columns = ["name", "phone", "store", "store.name", "points", "balance",
                    "birthday", "joined_at", "active", "tier", "prefs", "tags"]
    show_columns = list_columns
    add_columns = edit_columns = [
        "name", "phone", "store", "points", "balance", "birthday", "joined_at",
        "active", "tier", "prefs", "tags",
    ]


class ScopedMemberApi(MemberApi):
    resource_name = "scopedmember"

    def scope_query(self, query):
        return query.where(Member.store == current_scope_store())


@pytest.fixture(scope="module")
def shop_db(tmp_path_factory, _pg_worker_database):
    """The shop models' own database: an SQLite file, or on a PostgreSQL run a database
    of this module's own beside the worker's (whose schema other tests reset)."""
    from zhanggui.testing import _pg_admin_conn

    name = None
    if _pg_worker_database:
        from urllib.parse import urlparse, urlunparse

        parsed = urlparse(_pg_worker_database)
        name = parsed.path.lstrip("/") + "_shop"
        admin = _pg_admin_conn(_pg_worker_database)
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{name}"')
        database = connect(urlunparse(parsed._replace(path="/" + name)))
    else:
        database = peewee.SqliteDatabase(str(tmp_path_factory.mktemp("shop") / "shop.db"),
                                         pragmas={"foreign_keys": 1})
    database.bind(MODELS)
    database.connect(reuse_if_open=True)
    yield database
    database.drop_tables(MODELS, safe=True)
    database.close()
    if name:
        with admin.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def db(shop_db):
    """Empty shop tables for each test."""
    shop_db.drop_tables(MODELS, safe=True)
    shop_db.create_tables(MODELS)
    yield shop_db
    if not shop_db.in_transaction():
        shop_db.drop_tables(MODELS, safe=True)


@pytest.fixture(scope="module")
def app(tmp_path_factory, shop_db):
    from flask_appbuilder import AppBuilder
    from flask_appbuilder.models.sqla.base import SQLA

    fab_file = tmp_path_factory.mktemp("fab") / "fab.db"
    flask_app = Flask(__name__)
    flask_app.config.update(
        SECRET_KEY="test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{fab_file.resolve()}",
        WTF_CSRF_ENABLED=False,
        TESTING=True,
        FAB_API_SWAGGER_UI=True,
        FAB_API_MAX_PAGE_SIZE=100,
    )
    with flask_app.app_context():
        sqla = SQLA()
        sqla.init_app(flask_app)
        appbuilder = AppBuilder()
        appbuilder.init_app(flask_app, sqla.session)
        appbuilder.add_view(StoreView, "Stores")
        appbuilder.add_view(MemberView, "Members")
        appbuilder.add_view(ScopedMemberView, "Scoped members")
        appbuilder.add_api(MemberApi)
        appbuilder.add_api(ScopedMemberApi)
        sm = appbuilder.sm
        sm.add_user("admin", "Ada", "Admin", "admin@example.com",
                    sm.find_role(sm.auth_role_admin), password="secret-pass")
    flask_app.appbuilder_instance = appbuilder
    yield flask_app


@pytest.fixture
def client(app, db):
    """A logged-in admin's browser."""
    app.config["SCOPE_STORE_ID"] = None
    test_client = app.test_client()
    response = test_client.post(
        "/login/", data={"username": "admin", "password": "secret-pass"}
    )
    assert response.status_code == 302
    return test_client
