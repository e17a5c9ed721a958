"""Error pages read like the console: the user's language, the navbar, a way back;
the API answers JSON; the browser's icon request is answered."""
from __future__ import annotations

import pytest

PAGES = {
    "zh_CN": ("页面不存在", "掌柜"),
    "zh_TW": ("頁面不存在", "掌櫃"),
    "en": ("Page not found", "Zhanggui"),
}


@pytest.mark.parametrize("lang", sorted(PAGES))
def test_a_missing_page_is_the_consoles_own_in_the_users_language(admin_client, lang):
    admin_client.get(f"/lang/{lang}")
    response = admin_client.get("/no/such/page/")
    html = response.get_data(as_text=True)
    title, brand = PAGES[lang]
    assert response.status_code == 404
    assert title in html and f"{brand}</a>" in html, "the brand in the navbar, translated"
    assert 'class="navbar' in html, "the console's navbar frames the page"
    assert "The requested URL was not found" not in html


def test_an_unknown_record_of_a_screen_is_a_console_404_too(admin_client):
    admin_client.get("/lang/zh_CN")
    response = admin_client.get("/users/show/987654321")
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


def test_a_wrong_method_is_a_translated_405_that_names_the_allowed_ones(admin_client):
    admin_client.get("/lang/zh_TW")
    response = admin_client.delete("/plugins/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert "Method Not Allowed" not in response.get_data(as_text=True)


def test_the_api_answers_a_missing_route_in_json(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.is_json and response.json["message"]


def test_the_browser_icon_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data
