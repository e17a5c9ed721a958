"""A person signs in and walks the console shell in each language."""
import pytest

from zhanggui.testing import ADMIN_PASSWORD

LANGS = {"en": "Dashboard", "zh_CN": "工作台", "zh_TW": "儀表板"}


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_an_admin_signs_in_and_sees_the_dashboard_and_plugins(
        live_server, page, create_user, sign_in, screenshot, lang):
    create_user("admin", "Head-office admin")
    sign_in(page, live_server, "admin", ADMIN_PASSWORD)
    page.goto(f"{live_server}/?lang={lang}")
    assert page.locator("h2").first.inner_text() == LANGS[lang]
    assert page.locator(".zg-widget").count() >= 1
    screenshot(page, f"dashboard-{lang}")
    page.goto(f"{live_server}/plugins/?lang={lang}")
    assert page.locator("tr[data-plugin]").count() >= 8
    screenshot(page, f"plugins-{lang}")


def test_a_wrong_password_keeps_the_person_on_the_sign_in_page(
        live_server, page, create_user, sign_in, screenshot):
    create_user("clerk", "Store staff")
    sign_in(page, live_server, "clerk", "wrong-password-here")
    assert "/login/" in page.url
    screenshot(page, "login-refused")


def test_the_console_loads_nothing_from_another_host(live_server, page, create_user, sign_in):
    """What a real browser fetches on the main kinds of page: dashboard, a list, a
    show page, forms with date pickers and selects, the user menu, Swagger UI.
    tests/console/security/test_no_foreign_hosts.py reads every file besides."""
    create_user("admin", "Head-office admin")
    foreign = []
    page.on("request", lambda r: foreign.append(r.url)
            if not r.url.startswith(live_server) and not r.url.startswith("data:") else None)
    sign_in(page, live_server, "admin", ADMIN_PASSWORD)
    for path in ("/", "/plugins/", "/users/userinfo/", "/users/list/", "/users/show/1",
                 "/users/add", "/roles/add", "/auditlog/list/", "/apikeys/add",
                 "/resetmypassword/form", "/swagger/v1"):
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
    assert page.locator("#swagger-ui .opblock").count() > 0, "Swagger UI drew the API"
    assert foreign == []
