"""Console hardening a user (or an attacker) can observe with a browser."""
from __future__ import annotations

import pytest


def test_deleting_with_get_is_refused_and_post_needs_the_csrf_token(app, signed_in, shop, sec):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    staff.get(f"/sectest/customers/delete/{shop['sh_a']}")
    staff.post(f"/sectest/customers/delete/{shop['sh_a']}")  # no token
    with app.app_context():
        assert sec.Customer.get_or_none(id=shop["sh_a"]) is not None
    token = sec.csrf_token(staff.get("/sectest/customers/list/").get_data(as_text=True))
    staff.post(f"/sectest/customers/delete/{shop['sh_a']}", data={"csrf_token": token})
    with app.app_context():
        assert sec.Customer.get_or_none(id=shop["sh_a"]) is None


def test_a_form_posted_without_its_csrf_token_changes_nothing(app, signed_in, shop, sec):
    staff = signed_in("sh_staff", "Store staff", stores=["SH001"])
    response = staff.post("/sectest/customers/add", data={
        "name": "Forged", "phone": "1", "home_store": str(shop["sh"])})
    assert response.status_code == 400
    with app.app_context():
        assert sec.Customer.get_or_none(name="Forged") is None


def test_logins_beyond_the_rate_limit_get_429(make_app, shop_plugin, create_user):
    app = make_app(plugins=[], extra_plugins=[shop_plugin],
                   config={"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    browser = app.test_client()
    codes = [browser.post("/login/", data={"username": "x", "password": "wrong"}).status_code
             for _ in range(4)]
    assert 429 not in codes[:3] and codes[3] == 429
    # the API door shares the console's count (test_login_limit.py)
    api = app.test_client()
    assert api.post("/api/v1/security/login", json={
        "username": "x", "password": "wrong", "provider": "db"}).status_code == 429


def test_passwords_are_stored_as_scrypt_hashes(app, create_user):
    create_user("mgr", "Store manager", password="Sh0p-manager-secret")
    with app.app_context():
        stored = app.appbuilder.sm.find_user(username="mgr").password
    assert stored.startswith("scrypt:") and "Sh0p-manager-secret" not in stored


def test_the_session_cookie_is_httponly_and_samesite(app, create_user, login):
    create_user("mgr", "Store manager")
    response = login(app.test_client(), "mgr", "admin-Passw0rd-for-tests")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_the_login_page_is_not_cacheable(client):
    response = client.get("/login/")
    assert "no-store" in response.headers["Cache-Control"]


def test_signing_in_starts_a_new_session(app, create_user, login):
    create_user("mgr", "Store manager")
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["planted_by_attacker"] = "x"
    assert login(browser, "mgr", "admin-Passw0rd-for-tests").status_code == 302
    with browser.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session.get("_user_id")


@pytest.mark.parametrize("target", ["http://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "https:evil.example"])
def test_login_never_redirects_to_another_host(app, create_user, target):
    from zhanggui.testing import _csrf_token

    create_user("mgr", "Store manager")
    browser = app.test_client()
    headers = {"Host": "evil.example"}
    page = browser.get("/login/", headers=headers).get_data(as_text=True)
    response = browser.post("/login/", query_string={"next": target}, headers=headers, data={
        "username": "mgr", "password": "admin-Passw0rd-for-tests",
        "csrf_token": _csrf_token(page)})
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_login_follows_next_to_a_page_of_this_site(app, create_user, login):
    from zhanggui.testing import _csrf_token

    create_user("mgr", "Store manager")
    browser = app.test_client()
    page = browser.get("/login/").get_data(as_text=True)
    response = browser.post("/login/?next=/plugins/", data={
        "username": "mgr", "password": "admin-Passw0rd-for-tests",
        "csrf_token": _csrf_token(page)})
    assert response.headers["Location"] == "/plugins/"


def _change_own_password(browser, sec, new):
    page = browser.get("/resetmypassword/form").get_data(as_text=True)
    return browser.post("/resetmypassword/form", data={
        "csrf_token": sec.csrf_token(page), "password": new, "conf_password": new})


def test_changing_a_password_ends_the_users_other_sessions(app, create_user, login, sec):
    create_user("mgr", "Store manager")
    office, phone = app.test_client(), app.test_client()
    for browser in (office, phone):
        assert login(browser, "mgr", sec.PASSWORD).status_code == 302
    assert phone.get("/users/userinfo/").status_code == 200
    _change_own_password(office, sec, "A-new-Passw0rd-2026")
    assert office.get("/users/userinfo/").status_code == 200, "the changing session carries on"
    assert phone.get("/users/userinfo/").status_code == 302, "the other session must be dead"


def test_an_admin_reset_ends_the_users_session(app, admin_client, create_user, login, sec):
    create_user("mgr", "Store manager")
    browser = app.test_client()
    login(browser, "mgr", sec.PASSWORD)
    assert browser.get("/users/userinfo/").status_code == 200
    with app.app_context():
        user_id = app.appbuilder.sm.find_user(username="mgr").id
    page = admin_client.get(f"/resetpassword/form?pk={user_id}").get_data(as_text=True)
    admin_client.post(f"/resetpassword/form?pk={user_id}", data={
        "csrf_token": sec.csrf_token(page), "password": "Reset-by-admin-1",
        "conf_password": "Reset-by-admin-1"})
    assert browser.get("/users/userinfo/").status_code == 302


# -------------------------------------------------------------- no self-escalation
@pytest.fixture
def regional_admin(app, signed_in):
    """A role that may edit users but holds little else."""
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.add_role("Regional admin")
        for perm in ("can_list", "can_show", "can_edit", "can_add"):
            sm.add_permission_role(role, sm.find_permission_view_menu(perm, "UserDBModelView"))
        for perm in ("can_list", "can_show", "can_edit", "can_add"):
            sm.add_permission_role(role, sm.find_permission_view_menu(perm, "RoleModelView"))
    return signed_in("regional", "Regional admin")


def _roles_of(app, username):
    with app.app_context():
        return sorted(r.name for r in app.appbuilder.sm.find_user(username=username).roles)


def _edit_user_roles(app, browser, sec, username, roles):
    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.find_user(username=username)
        role_ids = [str(sm.find_role(name).id) for name in roles]
        data = {"first_name": user.first_name, "last_name": user.last_name,
                "username": user.username, "email": user.email, "active": "y",
                "roles": role_ids}
        user_id = user.id
    page = browser.get(f"/users/edit/{user_id}").get_data(as_text=True)
    data["csrf_token"] = sec.csrf_token(page)
    return browser.post(f"/users/edit/{user_id}", data=data, follow_redirects=True)


def test_a_user_editor_cannot_make_themselves_head_office_admin(app, regional_admin, sec):
    response = _edit_user_roles(app, regional_admin, sec, "regional",
                                ["Regional admin", "Head-office admin"])
    assert "Head-office admin" in response.get_data(as_text=True)  # named in the refusal
    assert _roles_of(app, "regional") == ["Regional admin"]


def test_a_user_editor_cannot_grant_others_a_role_they_lack(app, regional_admin, create_user, sec):
    create_user("clerk", "Store staff")
    _edit_user_roles(app, regional_admin, sec, "clerk", ["Store staff", "Auditor"])
    assert _roles_of(app, "clerk") == ["Store staff"]


def test_a_user_editor_may_grant_a_role_within_their_own_rights(app, regional_admin,
                                                                create_user, sec):
    create_user("clerk", "Store staff")
    _edit_user_roles(app, regional_admin, sec, "clerk", ["Store staff", "Regional admin"])
    assert _roles_of(app, "clerk") == ["Regional admin", "Store staff"]


def test_a_role_editor_cannot_add_permissions_they_lack(app, regional_admin, sec):
    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("Regional admin")
        own = [str(pv.id) for pv in role.permissions]
        extra = sm.find_permission_view_menu("can_list", "AuditLogView")
        role_id, extra_id = role.id, str(extra.id)
    page = regional_admin.get(f"/roles/edit/{role_id}").get_data(as_text=True)
    regional_admin.post(f"/roles/edit/{role_id}", data={
        "csrf_token": sec.csrf_token(page), "name": "Regional admin",
        "permissions": own + [extra_id]})
    with app.app_context():
        names = {str(pv) for pv in app.appbuilder.sm.find_role("Regional admin").permissions}
    assert not any("AuditLogView" in n for n in names)


def test_only_head_office_admins_manage_users_and_roles(signed_in):
    manager = signed_in("mgr", "Store manager", stores=["SH001"])
    for url in ("/users/list/", "/users/add", "/roles/list/", "/roles/add"):
        assert manager.get(url).status_code in (302, 403), url


def test_workers_sharing_the_queues_redis_share_the_sign_in_count(make_app, shop_plugin):
    """Two web workers (two apps) on a Redis queue: the attempts made at either count
    towards one limit, so a guesser gains nothing from being spread over workers."""
    import redis

    url = "redis://127.0.0.1:6379/14"
    try:
        redis.Redis.from_url(url).flushdb()  # database 14 belongs to this test
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not answering on 127.0.0.1:6379 (.ci/run starts it)")
    config = {"QUEUE_URL": url, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}
    workers = [make_app(plugins=[], extra_plugins=[shop_plugin], config=config)
               for _ in range(2)]
    assert workers[0].config["RATELIMIT_STORAGE_URI"] == url
    codes = [workers[i % 2].test_client().post("/login/", data={
        "username": "x", "password": "wrong"}).status_code for i in range(4)]
    redis.Redis.from_url(url).flushdb()
    assert 429 not in codes[:3] and codes[3] == 429, codes
