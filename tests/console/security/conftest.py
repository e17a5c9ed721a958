"""Security, store scope and audit tests run on the real Zhanggui app (core only plus
throwaway plugins), not on the data interface's tiny shop app of ../conftest.py."""
from __future__ import annotations

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
