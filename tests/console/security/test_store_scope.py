"""Store-scoped roles see and change only their own stores' records, everywhere."""
from __future__ import annotations

import re


def test_store_staff_lists_only_their_stores_customers(signed_in, shop):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    page = staff.get("/sectest/customers/list/").get_data(as_text=True)
    assert "Wang Fang" in page and "Li Na" in page
    assert "Zhao Lei" not in page and "Sun Li" not in page


def test_a_chain_wide_role_sees_every_store(signed_in, shop):
    marketing = signed_in("mkt", "Marketing")
    page = marketing.get("/sectest/customers/list/").get_data(as_text=True)
    assert "Wang Fang" in page and "Zhao Lei" in page


def test_store_staff_without_an_assignment_see_nothing(signed_in, shop):
    staff = signed_in("nobody", "Store staff")
    page = staff.get("/sectest/customers/list/").get_data(as_text=True)
    assert "Wang Fang" not in page and "Zhao Lei" not in page
    assert staff.get(f"/api/v1/sectest_customer/{shop['sh_a']}").status_code == 404


def test_another_stores_record_is_not_found_for_show_edit_and_delete(signed_in, shop, sec, app):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    assert staff.get(f"/sectest/customers/show/{shop['sh_a']}").status_code == 200
    assert staff.get(f"/sectest/customers/show/{shop['bj_a']}").status_code == 404
    assert staff.get(f"/sectest/customers/edit/{shop['bj_a']}").status_code == 404
    token = sec.csrf_token(staff.get("/sectest/customers/list/").get_data(as_text=True))
    staff.post(f"/sectest/customers/delete/{shop['bj_a']}", data={"csrf_token": token})
    with app.app_context():
        assert sec.Customer.get_or_none(id=shop["bj_a"]) is not None


def test_store_staff_cannot_move_a_customer_to_another_store(signed_in, shop, sec, app):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    page = staff.get(f"/sectest/customers/edit/{shop['sh_a']}").get_data(as_text=True)
    staff.post(f"/sectest/customers/edit/{shop['sh_a']}", data={
        "csrf_token": sec.csrf_token(page), "name": "Wang Fang", "phone": "13800000001",
        "home_store": str(shop["bj"])})
    with app.app_context():
        assert sec.Customer.get_by_id(shop["sh_a"]).home_store_id == shop["sh"]


def test_the_api_applies_the_same_rule_for_a_jwt_user(signed_in, shop, sec, client):
    signed_in("sh_staff", "Store staff", stores=["SH001"])
    token = sec.jwt_for(client, "sh_staff")["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    listed = client.get("/api/v1/sectest_customer/", headers=auth)
    assert listed.status_code == 200
    assert sorted(r["name"] for r in listed.json["result"]) == ["Li Na", "Wang Fang"]
    assert client.get(f"/api/v1/sectest_customer/{shop['bj_a']}", headers=auth).status_code == 404
    moved = client.post("/api/v1/sectest_customer/", headers=auth, json={
        "name": "Intruder", "phone": "1", "home_store": shop["bj"]})
    assert moved.status_code in (404, 422)
    assert client.delete(f"/api/v1/sectest_customer/{shop['bj_a']}", headers=auth).status_code == 404


def test_a_store_code_column_scopes_too_for_an_api_key_user(signed_in, shop, app, client):
    signed_in("pos-bj", "Store staff", stores=["BJ001"])
    with app.app_context():
        sm = app.appbuilder.sm
        key = sm.create_api_key(sm.find_user(username="pos-bj"), "POS BJ001-01")["key"]
    listed = client.get("/api/v1/sectest_receipt/", headers={"Authorization": f"Bearer {key}"})
    assert listed.status_code == 200
    assert [r["store_code"] for r in listed.json["result"]] == ["BJ001"]


def test_user_store_codes_answers_none_or_the_assigned_codes(app, create_user, sec):
    from flask import g

    from zhanggui.console.scope import user_store_codes

    create_user("hq", "Head-office admin")
    create_user("mgr", "Store manager")
    sec.assign_stores("mgr", ["SH001", "SH002"])
    with app.test_request_context():
        sm = app.appbuilder.sm
        g.user = sm.find_user(username="hq")
        assert user_store_codes() is None
    with app.test_request_context():
        g.user = sm.find_user(username="mgr")
        assert user_store_codes() == {"SH001", "SH002"}


def test_an_admin_assigns_a_user_to_a_store_in_the_console(app, admin_client, create_user, sec,
                                                          shop):
    from zhanggui.console.audit import AuditEntry
    from zhanggui.console.scope import UserStore

    create_user("mgr", "Store manager")
    page = admin_client.get("/userstores/add").get_data(as_text=True)
    assert "mgr" in page
    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username="mgr").id
    response = admin_client.post("/userstores/add", data={
        "csrf_token": sec.csrf_token(page), "user_id": str(user_id), "store_code": "SH001"})
    assert response.status_code == 302
    with app.app_context():
        assert [r.store_code for r in UserStore.select().where(UserStore.user_id == user_id)] \
            == ["SH001"]
        assert AuditEntry.select().where(AuditEntry.action == "permission-change",
                                         AuditEntry.resource == "zhanggui_user_store").count() == 1


def test_store_managers_cannot_manage_store_assignments(signed_in):
    manager = signed_in("mgr", "Store manager", stores=["SH001"])
    assert manager.get("/userstores/add").status_code in (302, 403)
    assert manager.get("/userstores/list/").status_code in (302, 403)


def test_a_store_assignment_is_a_choice_among_the_chains_stores(app, admin_client, create_user,
                                                                 sec, shop):
    from zhanggui.console.scope import UserStore

    create_user("mgr", "Store manager")
    page = admin_client.get("/userstores/add").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="([^"]*)"', page.split('name="store_code"')[1]
                         .split("</select>")[0])
    assert options == ["BJ001", "SH001"]
    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username="mgr").id
    for typo in ("TP99", "SH001 ", "", "a\x00b"):
        response = admin_client.post("/userstores/add", data={
            "csrf_token": sec.csrf_token(page), "user_id": str(user_id), "store_code": typo})
        assert response.status_code == 200, typo   # the form again, with its message
        assert "has-error" in response.get_data(as_text=True) or \
            "invalid-feedback" in response.get_data(as_text=True) or \
            "help-block" in response.get_data(as_text=True)
    with app.app_context():
        assert UserStore.select().where(UserStore.user_id == user_id).count() == 0
