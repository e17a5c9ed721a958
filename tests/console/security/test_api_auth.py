"""REST API authentication: JWT for apps, API keys for POS terminals, and no
session-cookie call without a CSRF token."""
from __future__ import annotations

import re


def _create_key_in_console(app, admin_client, sec, username, name="POS SH001-01"):
    page = admin_client.get("/apikeys/add").get_data(as_text=True)
    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username=username).id
    return admin_client.post("/apikeys/add", data={
        "csrf_token": sec.csrf_token(page), "name": name, "user_id": str(user_id)})


def test_an_admin_creates_a_key_that_is_shown_once_and_stored_hashed(app, admin_client,
                                                                     create_user, sec):
    create_user("pos-sh001", "Store staff")
    created = _create_key_in_console(app, admin_client, sec, "pos-sh001")
    assert created.status_code == 200
    assert "no-store" in created.headers["Cache-Control"]
    key = re.search(r'class="zg-new-key">([^<]+)<', created.get_data(as_text=True)).group(1)
    listing = admin_client.get("/apikeys/").get_data(as_text=True)
    assert "POS SH001-01" in listing and key not in listing
    with app.app_context():
        stored = app.appbuilder.sm.session.query(app.appbuilder.sm.api_key_model).one()
        columns = [str(getattr(stored, c)) for c in ("key_hash", "lookup_hash", "key_prefix",
                                                      "name", "scopes")]
    # a salted hash, cheap to check on every till request (the key is 256 random bits)
    assert stored.key_hash.startswith("pbkdf2:sha256:1$")
    assert all(key not in value for value in columns)


def test_a_key_acts_with_its_users_permissions_until_revoked(app, admin_client, create_user,
                                                              sec, shop, client):
    create_user("pos-sh001", "Store staff")
    sec.assign_stores("pos-sh001", ["SH001"])
    page = _create_key_in_console(app, admin_client, sec, "pos-sh001").get_data(as_text=True)
    key = re.search(r'class="zg-new-key">([^<]+)<', page).group(1)
    auth = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/sectest_customer/", headers=auth).status_code == 200
    assert client.get("/api/v1/audit_log/", headers=auth).status_code == 403
    with app.app_context():
        uuid = app.appbuilder.sm.session.query(app.appbuilder.sm.api_key_model).one().uuid
    token = sec.csrf_token(admin_client.get("/apikeys/").get_data(as_text=True))
    assert admin_client.post(f"/apikeys/revoke/{uuid}", data={"csrf_token": token}).status_code == 302
    assert client.get("/api/v1/sectest_customer/", headers=auth).status_code == 401
    assert client.get("/api/v1/sectest_customer/",
                      headers={"Authorization": "Bearer sst_not-a-key"}).status_code == 401


def test_only_head_office_admins_manage_api_keys(signed_in, sec):
    manager = signed_in("mgr", "Store manager", stores=["SH001"])
    assert manager.get("/apikeys/").status_code == 403
    assert manager.get("/apikeys/add").status_code == 403
    assert manager.post("/apikeys/add", data={"name": "mine"}).status_code in (400, 403)


def test_an_app_signs_in_for_a_jwt_and_calls_the_api_with_it(signed_in, shop, sec, client):
    signed_in("mkt", "Marketing")
    tokens = sec.jwt_for(client, "mkt", refresh=True)
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/sectest_customer/", headers=auth).status_code == 200
    assert client.get("/api/v1/sectest_customer/").status_code == 401
    assert client.post("/api/v1/security/login", json={
        "username": "mkt", "password": "wrong", "provider": "db"}).status_code == 401


def test_tokens_issued_before_a_password_change_are_refused(app, signed_in, shop, sec, client):
    signed_in("mkt", "Marketing")
    tokens = sec.jwt_for(client, "mkt", refresh=True)
    with app.test_request_context():
        sm = app.appbuilder.sm
        sm.reset_password(sm.find_user(username="mkt").id, "Changed-Passw0rd-1")
    access = {"Authorization": f"Bearer {tokens['access_token']}"}
    refresh = {"Authorization": f"Bearer {tokens['refresh_token']}"}
    assert client.get("/api/v1/sectest_customer/", headers=access).status_code == 401
    assert client.post("/api/v1/security/refresh", headers=refresh).status_code == 401
    fresh = sec.jwt_for(client, "mkt", password="Changed-Passw0rd-1")["access_token"]
    assert client.get("/api/v1/sectest_customer/",
                      headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_session_cookie_alone_cannot_change_data_through_the_api(app, signed_in, shop, sec):
    browser = signed_in("mkt", "Marketing")
    body = {"name": "Cross-site", "phone": "1", "home_store": shop["sh"]}
    assert browser.get("/api/v1/sectest_customer/").status_code == 200  # reads are fine
    forged = browser.post("/api/v1/sectest_customer/", json=body)
    assert forged.status_code == 400
    assert browser.delete(f"/api/v1/sectest_customer/{shop['sh_a']}").status_code == 400
    with app.app_context():
        assert sec.Customer.get_or_none(name="Cross-site") is None
        assert sec.Customer.get_or_none(id=shop["sh_a"]) is not None
    token = sec.csrf_token(browser.get("/sectest/customers/list/").get_data(as_text=True))
    allowed = browser.post("/api/v1/sectest_customer/", json=body,
                           headers={"X-CSRFToken": token})
    assert allowed.status_code == 201


def test_a_key_made_before_keys_were_hashed_with_sha256_still_works(app, create_user, client,
                                                                     sec, shop):
    """Keys created while the stored hash was scrypt keep working after the change."""
    user = create_user("pos-old", "Store staff")
    sec.assign_stores("pos-old", ["SH001"])
    with app.test_request_context():
        app.config["FAB_API_KEY_HASH_METHOD"] = "scrypt"
        try:
            made = app.appbuilder.sm.create_api_key(user, "old till")
        finally:
            app.config["FAB_API_KEY_HASH_METHOD"] = "pbkdf2:sha256:1"
        stored = app.appbuilder.sm.session.query(app.appbuilder.sm.api_key_model).one()
        assert stored.key_hash.startswith("scrypt:")
    auth = {"Authorization": f"Bearer {made['key']}"}
    assert client.get("/api/v1/sectest_customer/", headers=auth).status_code == 200
