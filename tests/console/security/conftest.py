"""Security, store scope and audit tests run on the real Zhanggui app (core only plus
throwaway plugins), not on the data interface's tiny shop app of ../conftest.py."""
from __future__ import annotations

import datetime as dt

import re

import peewee
import pytest

from zhanggui import Migration, Model, RoleGrant
from zhanggui.console.datamodel import ModelRestApi, ModelView, PeeweeInterface
from zhanggui.console.scope import StoreScopedMixin
from zhanggui.registry import AdminView, ApiEndpoint
from zhanggui.testing import ADMIN_PASSWORD

PASSWORD = ADMIN_PASSWORD


class ShopStore(Model):
    code = peewee.CharField(max_length=20, unique=True)
    name = peewee.CharField(max_length=60)

    class Meta:
        table_name = "sectest_store"

    def __str__(self):
        return self.code


class ShopCustomer(Model):
    name = peewee.CharField(max_length=60)
    phone = peewee.CharField(max_length=20)
    home_store = peewee.ForeignKeyField(ShopStore, backref="customers")

    class Meta:
        table_name = "sectest_customer"


class ShopReceipt(Model):
    store_code = peewee.CharField(max_length=20)
    amount = peewee.IntegerField(default=0)

    class Meta:
        table_name = "sectest_receipt"


class CustomerView(StoreScopedMixin, ModelView):
    route_base = "/sectest/customers"
    datamodel = PeeweeInterface(ShopCustomer)
    store_field = "home_store"
    list_columns = show_columns = ["name", "phone", "home_store"]
    add_columns = edit_columns = ["name", "phone", "home_store"]


class CustomerApi(StoreScopedMixin, ModelRestApi):
    resource_name = "sectest_customer"
    allow_browser_login = True
    datamodel = PeeweeInterface(ShopCustomer)
    store_field = "home_store"
    list_columns = show_columns = ["name", "phone", "home_store"]
    add_columns = edit_columns = ["name", "phone", "home_store"]


class ReceiptApi(StoreScopedMixin, ModelRestApi):
    resource_name = "sectest_receipt"
    datamodel = PeeweeInterface(ShopReceipt)
    store_field = "store_code"
    list_columns = show_columns = ["store_code", "amount"]


def _create(ctx):
    ctx.create_tables([ShopStore, ShopCustomer, ShopReceipt])


CUSTOMER_PERMS = tuple(f"{p} on CustomerView" for p in
                       ("can_list", "can_show", "can_add", "can_edit", "can_delete"))
API_PERMS = tuple(f"{p} on CustomerApi" for p in ("can_get", "can_post", "can_put", "can_delete")) \
    + ("can_get on ReceiptApi",)


@pytest.fixture
def shop_plugin(make_plugin):
    return make_plugin(
        "sectest",
        zhanggui_migrations=lambda: [Migration("0001_shop", _create)],
        zhanggui_admin_views=lambda: [AdminView("Customers", CustomerView)],
        zhanggui_api_endpoints=lambda: [ApiEndpoint("sectest_customer", CustomerApi),
                                        ApiEndpoint("sectest_receipt", ReceiptApi)],
        zhanggui_default_roles=lambda: [RoleGrant("Store staff", CUSTOMER_PERMS + API_PERMS),
                                        RoleGrant("Marketing", CUSTOMER_PERMS + API_PERMS)],
        zhanggui_stores=lambda: list(ShopStore.select(ShopStore.code, ShopStore.name)
                                     .order_by(ShopStore.code).tuples()),
    )


@pytest.fixture
def app(make_app, shop_plugin):
    """The core alone plus the throwaway shop plugin (overrides ../conftest.py)."""
    return make_app(plugins=[], extra_plugins=[shop_plugin])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def shop(app):
    """Two stores, SH001 and BJ001, with two customers and receipts each."""
    with app.app_context():
        sh = ShopStore.create(code="SH001", name="Shanghai")
        bj = ShopStore.create(code="BJ001", name="Beijing")
        rows = {
            "sh_a": ShopCustomer.create(name="Wang Fang", phone="13800000001", home_store=sh),
            "sh_b": ShopCustomer.create(name="Li Na", phone="13800000002", home_store=sh),
            "bj_a": ShopCustomer.create(name="Zhao Lei", phone="13900000001", home_store=bj),
            "bj_b": ShopCustomer.create(name="Sun Li", phone="13900000002", home_store=bj),
        }
        for code in ("SH001", "SH001", "BJ001"):
            ShopReceipt.create(store_code=code, amount=10)
        return {"sh": sh.id, "bj": bj.id, **{k: v.id for k, v in rows.items()}}


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


@pytest.fixture
def signed_in(app, create_user, login):
    """``signed_in(username, role, stores=())``: a new user's signed-in test client."""

    def factory(username, role, stores=()):
        create_user(username, role)
        if stores:
            assign_stores(app, username, stores)
        client = app.test_client()
        assert login(client, username, PASSWORD).status_code == 302
        return client

    return factory


def assign_stores(app, username, stores):
    from zhanggui.console.scope import UserStore

    with app.app_context():
        user = app.appbuilder.sm.find_user(username=username)
        for code in stores:
            UserStore.create(user_id=user.id, store_code=code)


def jwt_for(client, username, password=PASSWORD, refresh=False):
    response = client.post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db", "refresh": refresh})
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


@pytest.fixture
def sec(app):
    """Helpers and the throwaway models, for test modules (which cannot import this
    conftest under --import-mode=importlib)."""
    import types

    return types.SimpleNamespace(
        csrf_token=csrf_token, jwt_for=jwt_for, PASSWORD=PASSWORD,
        assign_stores=lambda username, stores: assign_stores(app, username, stores),
        Store=ShopStore, Customer=ShopCustomer, Receipt=ShopReceipt)


# ------------------------------------------------ the generated route tests' world
MATRIX_PASSWORD = "matrix-Passw0rd-2026"


@pytest.fixture(scope="module")
def route_world(tmp_path_factory, _pg_worker_database):
    """The full app (every installed plugin) on a database of this module's own, with
    the demo chain, one signed-in user per default role (store-scoped roles assigned
    to one store) and each role's permissions read back from the database.  Built
    once per module: the generated tests only read it (their writes are refused)."""
    import types

    from zhanggui.app import create_app
    from zhanggui.cli import demo_data_command, migrate_command
    from zhanggui.console.routemap import routes
    from zhanggui.testing import _close, _pg_admin_conn
    from zhanggui.users import create_user

    tmp = tmp_path_factory.mktemp("matrix")
    admin_conn, pg_name = None, None
    if _pg_worker_database:
        from urllib.parse import urlparse, urlunparse

        parsed = urlparse(_pg_worker_database)
        pg_name = parsed.path.lstrip("/") + "_matrix"
        admin_conn = _pg_admin_conn(_pg_worker_database)
        with admin_conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            cur.execute(f'CREATE DATABASE "{pg_name}"')
        url = urlunparse(parsed._replace(path="/" + pg_name))
    else:
        url = f"sqlite:///{tmp / 'matrix.db'}"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(tmp / "instance"),
                      "QUEUE_URL": "immediate://", "TESTING": True,
                      "SECRET_KEY": "matrix-secret-key",
                      # the matrix sends ten thousand requests with tokens taken at the
                      # start: on a loaded machine that outlasts the 15-minute default
                      "JWT_ACCESS_TOKEN_EXPIRES": dt.timedelta(hours=4)})
    runner = app.test_cli_runner()
    with app.app_context():
        for args in ([], ["--seed", "7", "--members", "40", "--as-of", "2026-06-30", "--quiet"]):
            command = demo_data_command if args else migrate_command
            result = runner.invoke(command, args, catch_exceptions=False)
            assert result.exit_code == 0, result.output
    state = app.extensions["zhanggui"]
    all_routes = list(routes(app))
    world = types.SimpleNamespace(app=app, routes=all_routes, users={}, clients={},
                                  jwts={}, pairs={}, scoped_roles=set(), store=None)
    with app.app_context():
        sm = state.appbuilder.sm
        roles = sorted({r.name for r in sm.get_all_roles()} - {sm.auth_role_public})
        world.public_pairs = _pairs_of(sm.find_role(sm.auth_role_public))
        world.store = _pick_store(app, all_routes)
        from zhanggui.console.scope import ALL_STORES, UserStore
        from zhanggui.console.security import CORE_PERMISSION_VIEW

        for number, role in enumerate(roles):
            username = f"matrix{number}"
            user = create_user(username, MATRIX_PASSWORD, role=role)
            world.users[role] = user.id
            world.pairs[role] = _pairs_of(sm.find_role(role))
            if role != sm.auth_role_admin and \
                    (ALL_STORES, CORE_PERMISSION_VIEW) not in world.pairs[role]:
                world.scoped_roles.add(role)
                UserStore.create(user_id=user.id, store_code=world.store)
    from zhanggui.testing import _csrf_token

    for role, user_id in world.users.items():
        client = app.test_client()
        username = f"matrix{roles.index(role)}"
        token = _csrf_token(client.get("/login/").get_data(as_text=True))
        response = client.post("/login/", data={"username": username, "csrf_token": token,
                                                "password": MATRIX_PASSWORD})
        assert response.status_code == 302, f"{role} could not sign in"
        world.clients[role] = client
        answer = app.test_client().post("/api/v1/security/login", json={
            "username": username, "password": MATRIX_PASSWORD, "provider": "db"})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        world.jwts[role] = answer.json["access_token"]
    world.anonymous = app.test_client()
    world.csrf_token = lambda client: _session_csrf_token(app, client)
    world.scoped_ids = lambda route: scoped_ids(app, route, {world.store})
    world.all_ids = all_ids
    yield world
    _close(app)
    if admin_conn is not None:
        with admin_conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        admin_conn.close()


def _pairs_of(role) -> set[tuple[str, str]]:
    if role is None:
        return set()
    return {(pv.permission.name, pv.view_menu.name) for pv in role.permissions
            if pv.permission is not None and pv.view_menu is not None}


def _session_csrf_token(app, client) -> str:
    """The CSRF token a page would carry for this client's session (Flask-WTF's own
    recipe), without needing a page the role may open."""
    import secrets

    from itsdangerous import URLSafeTimedSerializer

    with client.session_transaction() as session:
        raw = session.get("csrf_token")
        if not raw:
            raw = session["csrf_token"] = secrets.token_hex(20)
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


def _store_codes(route) -> set[str]:
    """Store codes of a scoped view's records, where its rule names a store field."""
    import peewee

    view, model = route.view, route.model
    rule = getattr(type(view), "store_field", None)
    if not isinstance(rule, str):
        return set()
    name, _, column = rule.partition(".")
    field = model._meta.fields[name]
    if isinstance(field, peewee.ForeignKeyField):
        code = field.rel_model._meta.fields[column or view.store_code_column]
        return {row[0] for row in field.rel_model.select(code).tuples()}
    return {row[0] for row in model.select(field).distinct().tuples()}


def scoped_ids(app, route, codes) -> set:
    """Primary keys of ``route``'s model that a user of the stores ``codes`` reaches,
    through the view's own ``scope_query``."""
    from flask import g

    model = route.model
    with app.test_request_context():
        g._zg_store_codes = set(codes)
        query = route.view.scope_query(model.select(model._meta.primary_key))
        return {row[0] for row in query.tuples()}


def all_ids(route) -> set:
    model = route.model
    return {row[0] for row in model.select(model._meta.primary_key).tuples()}


def _pick_store(app, all_routes) -> str | None:
    """The store whose staff reach the most records of every scoped screen, yet not
    all of them (so there is always another store's record to try)."""
    scoped = {r.view: r for r in all_routes if r.is_scoped and r.model is not None}.values()
    codes = set().union(*(_store_codes(r) for r in scoped)) if scoped else set()
    codes.discard(None)  # a record of no store (a nullable store column)
    best, best_score = None, -1
    for code in sorted(codes):
        counts = []
        for route in scoped:
            mine, every = scoped_ids(app, route, {code}), all_ids(route)
            counts.append(len(mine) if mine != every else 0)
        score = min(counts) if counts else 0
        if score > best_score:
            best, best_score = code, score
    return best
