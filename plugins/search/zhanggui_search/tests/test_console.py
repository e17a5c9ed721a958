"""The navbar box, the results page (grouped, highlighted, three languages), the API."""
from __future__ import annotations

import pytest

from zhanggui.testing import ADMIN_PASSWORD
from zhanggui_search.queue.reindex import reindex

from .conftest import PLUGINS
from .helpers import member, store, ticket


@pytest.fixture
def admin(make_app, login, tmp_path):
    from zhanggui.users import create_user

    # requests run outside a held app context: the language is chosen per request
    app = make_app(plugins=PLUGINS, config={"SEARCH_INDEX_DIR": str(tmp_path / "ix")})
    with app.app_context():
        create_user("boss", ADMIN_PASSWORD, role="Head-office admin")
        sh = store("SH01", "南京东路店")
        member("张伟", card="8800001234", home=sh)
        ticket("张伟投诉面霜质量", "顾客投诉面霜有质量问题", "SH01")
        reindex()
    client = app.test_client()
    assert login(client, "boss", ADMIN_PASSWORD).status_code == 302
    return client


def test_results_are_grouped_by_type_and_highlighted(admin):
    html = admin.get("/search/", query_string={"q": "张伟", "lang": "zh_CN"}).get_data(
        as_text=True)
    assert 'data-type="members.members"' in html and 'data-type="callcenter.tickets"' in html
    assert "<mark>张伟</mark>" in html
    assert "/memberview/show/" in html


def test_a_traditional_query_highlights_the_simplified_record(admin):
    html = admin.get("/search/", query_string={"q": "張偉"}).get_data(as_text=True)
    assert "<mark>张伟</mark>" in html


@pytest.mark.parametrize("lang,text", [("zh_CN", "搜索"), ("zh_TW", "搜尋"),
                                       ("en", "Search")])
def test_the_page_and_the_navbar_box_speak_three_languages(admin, lang, text):
    html = admin.get("/search/", query_string={"q": "无此人", "lang": lang}).get_data(
        as_text=True)
    assert f"<h2>{text}</h2>" in html
    assert 'class="navbar-form navbar-left zg-search"' in html
    assert "zg-search-none" in html


def test_the_navbar_box_is_on_every_console_page(admin):
    assert 'action="/search/"' in admin.get("/").get_data(as_text=True)


def test_a_query_too_long_is_a_form_message_not_an_error(admin):
    response = admin.get("/search/", query_string={"q": "字" * 201})
    assert response.status_code == 200
    assert "zg-search-error" in response.get_data(as_text=True)


def test_the_api_answers_with_its_schema(admin):
    body = admin.get("/api/v1/search/", query_string={"q": "8800001234"}).get_json()
    assert body["count"] == 1
    assert body["results"][0]["type"] == "members.members"
    assert set(body["results"][0]) == {"type", "key", "title", "body", "url", "score"}


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "x" * 201}, {"q": "a", "limit": 0},
                                    {"q": "a", "limit": "many"}])
def test_bad_api_input_is_a_422_with_field_messages(admin, params):
    response = admin.get("/api/v1/search/", query_string=params)
    assert response.status_code == 422
    assert response.get_json()["message"]


def test_the_api_is_in_the_openapi_document(admin):
    spec = admin.get("/api/v1/_openapi").get_json()
    params = spec["paths"]["/api/v1/search/"]["get"]["parameters"]
    assert {p["name"] for p in params} == {"q", "limit", "type"}
