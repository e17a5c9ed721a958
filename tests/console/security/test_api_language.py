"""The REST API answers its field messages in the request's language (Accept-Language
or ?lang=), whatever language the console or a saved preference uses."""
from __future__ import annotations

import pytest


@pytest.fixture
def bearer(app, signed_in, shop, sec, client):
    signed_in("hq", "Head-office admin")
    return {"Authorization": f"Bearer {sec.jwt_for(client, 'hq')['access_token']}"}


@pytest.mark.parametrize("language,required,not_text", [
    ("zh-TW", "此欄位為必填", "不是有效的字串"),
    ("zh-CN", "此字段为必填项", "不是有效的字符串"),
    ("en", "Missing data for required field.", "Not a valid string."),
])
def test_a_422_names_each_bad_field_in_the_requests_language(client, bearer, shop, sec, app,
                                                             language, required, not_text):
    response = client.post("/api/v1/sectest_customer/", json={"name": 42},
                           headers={**bearer, "Accept-Language": language})
    assert response.status_code == 422
    message = response.json["message"]
    assert required in " ".join(message["phone"])
    assert not_text in " ".join(message["name"])
    with app.app_context():
        assert sec.Customer.select().count() == 4  # nothing written


def test_a_formatted_message_keeps_its_number_in_the_translation(client, bearer, shop):
    response = client.post("/api/v1/sectest_customer/", headers={
        **bearer, "Accept-Language": "zh-TW"}, json={
        "name": "王" * 61, "phone": "13800000009", "home_store": shop["sh"]})
    assert response.status_code == 422
    assert response.json["message"]["name"] == ["超過長度上限 60。"]


def test_a_body_that_is_not_json_is_refused_in_the_requests_language(client, bearer):
    response = client.post("/api/v1/sectest_customer/?lang=zh_CN", data="name=x",
                           headers=bearer)
    assert response.status_code == 400
    assert response.json["message"] == "请求正文不是 JSON。"
