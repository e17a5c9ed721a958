"""Malformed query arguments of the REST API answer 400 with a JSON message, never a
500: rison that does not parse, pages below zero or beyond what a database can count;
and what ``_info`` and ``/menu/`` answer matches what the OpenAPI document declares."""
from __future__ import annotations

import pytest


@pytest.fixture
def admin_api(app, signed_in, sec, client):
    signed_in("adm", "Head-office admin")
    token = sec.jwt_for(client, "adm")["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    return lambda url: client.get(url, headers=headers)


@pytest.mark.parametrize("url", [
    "/api/v1/audit_log/?q=(page:-1,page_size:10)",
    "/api/v1/audit_log/?q=(page:99999999999999999999,page_size:10)",
    "/api/v1/audit_log/?q=(page:9223372036854775807,page_size:100)",
    "/api/v1/audit_log/?q=-3.0e%2B16",
    "/api/v1/audit_log/_info?q=-3.0e%2B16",
    "/api/v1/audit_log/1?q=-3.0e%2B16",
    "/api/v1/audit_log/?q=(page:1.5)",
])
def test_bad_paging_or_rison_is_400_with_a_message(admin_api, url):
    response = admin_api(url)
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.is_json and response.json["message"]


def test_good_paging_still_answers(admin_api):
    first = admin_api("/api/v1/audit_log/?q=(page:0,page_size:1)")
    assert first.status_code == 200 and len(first.json["result"]) == 1
    assert admin_api("/api/v1/audit_log/?q=(page:100000,page_size:1)").json["result"] == []
    # a page size above the maximum is cut to it, as Flask-AppBuilder documents
    huge = admin_api("/api/v1/audit_log/?q=(page:0,page_size:99999999999999999999)")
    assert huge.status_code == 200 and huge.json["result"]


@pytest.mark.parametrize("page", ["-1", "99999999999999999999", "x"])
def test_a_console_list_page_out_of_range_shows_the_list(app, signed_in, page):
    browser = signed_in("adm", "Head-office admin")
    response = browser.get(f"/auditlog/list/?page_AuditLogView={page}")
    assert response.status_code in (200, 400)


def test_info_has_no_catalog_header_as_a_description(admin_api):
    for url in ("/api/v1/audit_log/_info", "/api/v1/sectest_customer/_info"):
        text = admin_api(url + "?lang=zh_CN").get_data(as_text=True)
        assert "Project-Id-Version" not in text and "Content-Type: text/plain" not in text


def test_an_empty_message_translates_to_nothing(app):
    from zhanggui import _

    for lang in ("zh_CN", "zh_TW", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            assert _("") == ""


def test_the_menu_answer_matches_its_declared_schema(admin_api):
    import jsonschema

    document = admin_api("/api/v1/_openapi").json
    declared = document["paths"]["/api/v1/menu/"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    answer = admin_api("/api/v1/menu/").json
    assert "-" in [child for entry in answer["result"] for child in entry.get("childs", [])]
    jsonschema.validate(answer, {"components": document["components"], **declared})


def test_audit_log_ids_are_declared_as_integers(admin_api):
    document = admin_api("/api/v1/_openapi").json
    get = document["paths"]["/api/v1/audit_log/{pk}"]["get"]
    pk = next(p for p in get["parameters"] if p["name"] == "pk")
    assert pk["schema"]["type"] == "integer"
    listed = document["paths"]["/api/v1/audit_log/"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]["properties"]
    assert listed["ids"]["items"]["type"] == "integer"
    shown = get["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    assert shown["id"]["type"] == "integer"
    first = admin_api("/api/v1/audit_log/?q=(page:0,page_size:1)").json
    assert isinstance(first["ids"][0], int)


@pytest.mark.parametrize("url", ["/api/v1/audit_log/-1", "/api/v1/no_such_api/",
                                 "/api/v1/audit_log/99999999999999999999999"])
def test_an_api_url_no_route_matches_answers_json(admin_api, url):
    response = admin_api(url)
    assert response.status_code in (404, 405)
    assert response.is_json and response.json["message"]
