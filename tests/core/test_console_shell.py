"""The console shell: sign-in, dashboard, plugins page and role limits."""


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login/" in response.headers["Location"]


def test_the_plugins_page_lists_every_installed_plugin(admin_client):
    html = admin_client.get("/plugins/").get_data(as_text=True)
    for name in ("members", "loyalty", "campaigns", "callcenter", "suppliers", "office", "search"):
        assert f'data-plugin="{name}"' in html


def test_store_staff_may_not_open_the_plugins_page(app, create_user, login):
    create_user("clerk", "Store staff")
    client = app.test_client()
    assert login(client, "clerk", "admin-Passw0rd-for-tests").status_code == 302
    response = client.get("/plugins/")
    assert response.status_code in (302, 403)
    assert "data-plugin=" not in response.get_data(as_text=True)


def test_auditors_may_open_the_plugins_page(app, create_user, login):
    create_user("auditor", "Auditor")
    client = app.test_client()
    login(client, "auditor", "admin-Passw0rd-for-tests")
    assert client.get("/plugins/").status_code == 200


def test_the_console_speaks_the_language_asked_for(admin_client):
    html = admin_client.get("/plugins/?lang=zh_TW").get_data(as_text=True)
    assert "外掛" in html
    html = admin_client.get("/plugins/?lang=zh_CN").get_data(as_text=True)
    assert "插件" in html


def test_a_wrong_password_does_not_sign_in(app, create_user, login):
    create_user("clerk", "Store staff")
    client = app.test_client()
    login(client, "clerk", "not-the-password")
    assert client.get("/").status_code == 302


def test_the_database_connection_is_closed_after_each_request(admin_client, app):
    admin_client.get("/")
    assert app.extensions["zhanggui"].db.is_closed()
