"""A user finds only the records of their stores and of the screens their role opens."""
from __future__ import annotations

import pytest

from zhanggui.testing import ADMIN_PASSWORD
from zhanggui_search.queue.reindex import reindex

from .helpers import member, store


@pytest.fixture
def chain(search_app):
    from zhanggui_suppliers.directory.models import Supplier

    sh, bj = store("SH01", "南京东路店"), store("BJ01", "王府井店")
    # four Beijing 张伟 are created first, so they would fill a short page
    beijing = [member("张伟", card=f"BJ{i:04d}", home=bj) for i in range(4)]
    shanghai = member("张伟", card="SH0001", home=sh)
    supplier = Supplier.create(code="S001", name="张伟化妆品有限公司")
    reindex()
    return {"sh": shanghai.id, "bj": [m.id for m in beijing], "supplier": supplier.id}


def _client(app, login, username, role, stores=()):
    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    user = create_user(username, ADMIN_PASSWORD, role=role)
    for code in stores:
        UserStore.create(user_id=user.id, store_code=code)
    client = app.test_client()
    assert login(client, username, ADMIN_PASSWORD).status_code == 302
    return client


def _found(client, q, limit=20):
    response = client.get("/api/v1/search/", query_string={"q": q, "limit": limit})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(r["type"], int(r["key"])) for r in response.get_json()["results"]]


def test_store_staff_find_members_of_their_store_only(search_app, chain, login):
    staff = _client(search_app, login, "sh_staff", "Store staff", stores=["SH01"])
    assert _found(staff, "张伟") == [("members.members", chain["sh"])]
    assert _found(staff, "zw") == [("members.members", chain["sh"])]


def test_the_store_filter_is_inside_the_query_not_after_the_page(search_app, chain, login):
    # with one result per page, a filter applied after the page would leave it empty
    staff = _client(search_app, login, "sh_staff", "Store staff", stores=["SH01"])
    assert _found(staff, "张伟", limit=1) == [("members.members", chain["sh"])]


def test_a_user_without_a_store_finds_no_member(search_app, chain, login):
    staff = _client(search_app, login, "nowhere", "Store staff")
    assert _found(staff, "张伟") == []


def test_a_buyer_finds_suppliers_but_not_members(search_app, chain, login):
    buyer = _client(search_app, login, "buyer", "Buyer")
    assert _found(buyer, "张伟") == [("suppliers.suppliers", chain["supplier"])]


def test_store_staff_do_not_find_suppliers(search_app, chain, login):
    staff = _client(search_app, login, "sh_staff", "Store staff", stores=["SH01"])
    assert ("suppliers.suppliers", chain["supplier"]) not in _found(staff, "化妆品")


def test_head_office_finds_every_store(search_app, chain, login):
    admin = _client(search_app, login, "boss", "Head-office admin")
    found = _found(admin, "张伟")
    assert {k for t, k in found if t == "members.members"} == {chain["sh"], *chain["bj"]}
    assert ("suppliers.suppliers", chain["supplier"]) in found
