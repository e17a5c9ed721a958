"""A request body beyond ``ZHANGGUI_MAX_CONTENT_LENGTH`` is refused with 413 before it is
read (a JSON message from the API) and changes nothing."""
from __future__ import annotations

import pytest

from zhanggui.config import ConfigError, load_settings


def test_the_limit_is_a_setting_with_a_documented_default():
    assert load_settings({}, environ={})["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024
    assert load_settings({}, environ={"ZHANGGUI_MAX_CONTENT_LENGTH": "512KB"})[
        "MAX_CONTENT_LENGTH"] == 512 * 1024
    with pytest.raises(ConfigError, match="MAX_CONTENT_LENGTH"):
        load_settings({}, environ={"ZHANGGUI_MAX_CONTENT_LENGTH": "lots"})


def test_an_api_body_beyond_the_limit_is_413_with_a_json_message(make_app, shop_plugin,
                                                                 create_user, sec):
    app = make_app(plugins=[], extra_plugins=[shop_plugin],
                   config={"MAX_CONTENT_LENGTH": "64KB"})
    client = app.test_client()
    with app.app_context():
        store = sec.Store.create(code="SH001", name="Shanghai")
    create_user("adm", "Head-office admin")
    token = sec.jwt_for(client, "adm")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    body = {"name": "x" * 70_000, "phone": "1", "home_store": store.id}
    response = client.post("/api/v1/sectest_customer/", json=body, headers=headers)
    assert response.status_code == 413
    assert response.is_json and "MB" in response.json["message"]
    with app.app_context():
        assert sec.Customer.select().count() == 0
    small = client.post("/api/v1/sectest_customer/", headers=headers,
                        json={"name": "Li", "phone": "1", "home_store": store.id})
    assert small.status_code == 201


def test_a_console_form_beyond_the_limit_is_413(make_app, shop_plugin, create_user, login):
    app = make_app(plugins=[], extra_plugins=[shop_plugin],
                   config={"MAX_CONTENT_LENGTH": "64KB"})
    create_user("adm", "Head-office admin")
    browser = app.test_client()
    login(browser, "adm", "admin-Passw0rd-for-tests")
    response = browser.post("/sectest/customers/add", data={"name": "x" * 70_000})
    assert response.status_code == 413
