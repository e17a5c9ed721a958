"""The console's pages, signed in as a head-office admin, carry no English interface
words in zh_CN or zh_TW: navigation, headings, column labels, buttons, tooltips."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .conftest import ROOT, read_catalog

# shown as they are in every language
NOT_WORDS = {"zhanggui", "english", "json", "ip", "id", "csrf", "ldap", "openid", "oid",
             "db", "api", "pip", "e", "s"}
CHROME_TAGS = {"th", "label", "button", "h1", "h2", "h3", "h4", "h5", "legend", "title"}
CHROME_ATTRS = {"title", "placeholder", "data-placeholder", "aria-label"}
DATA_TAGS = {"td", "code", "option", "select", "textarea", "script", "style"}


def english_ui_words() -> set[str]:
    """Words of the English msgids the core's catalog translates."""
    words = set()
    for message in read_catalog(ROOT / "locale", "zh_TW"):
        if message.id and isinstance(message.id, str):
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{2,}", message.id)}
    return words - NOT_WORDS


class ChromeText(HTMLParser):
    """Text of headings, labels, buttons, links and menus, outside data cells."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag not in {"br", "hr", "img", "input", "meta", "link"}:
            self.stack.append("data" if tag in DATA_TAGS or "navbar-brand" in classes
                              or (tag == "a" and "dropdown-toggle" in classes
                                  and "data" in self.stack) else tag)
        if "data" in self.stack:
            return
        self.texts += [v for k, v in attrs.items() if k in CHROME_ATTRS and v]
        if tag == "input" and attrs.get("type") in {"submit", "button"}:
            self.texts.append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if "data" in self.stack or not data.strip():
            return
        if set(self.stack) & (CHROME_TAGS | {"a", "li"}):
            self.texts.append(data.strip())


def english_left(html: str, words: set[str], allowed: set[str]) -> list[str]:
    # the signed-in user's name in the user menu is data
    html = re.sub(r'(?s)<span class="fa fa-user"></span>[^<]*', "", html)
    parser = ChromeText()
    parser.feed(html)
    return sorted({text for text in parser.texts
                   for w in re.findall(r"[A-Za-z]{2,}", text)
                   if w.lower() in words and text not in allowed})


def test_the_check_sees_english_in_chrome_but_not_in_data():
    html = '<h2>List Users</h2><table><tr><th>名稱</th><td>Store manager</td></tr></table>' \
           '<a title="Edit record" href="#">x</a><button>保存</button>'
    assert english_left(html, {"list", "users", "edit", "record", "store"}, set()) == [
        "Edit record", "List Users"]


def _pages(app, client) -> list[str]:
    with app.app_context():
        sm = app.extensions["zhanggui"].appbuilder.sm
        admin = sm.find_user(username="admin")
        role = sm.find_role("Store staff")
    pages = ["/", "/plugins/", "/users/userinfo/", "/users/add", f"/users/show/{admin.id}",
             f"/users/edit/{admin.id}", f"/roles/show/{role.id}", "/roles/add",
             "/resetmypassword/form", "/userinfoeditview/form"]
    lists = sorted({str(rule) for rule in app.url_map.iter_rules()
                    if str(rule).endswith("/list/") and "GET" in rule.methods})
    return pages + lists


def _english_on_pages(app, client, lang) -> dict[str, list[str]]:
    words = english_ui_words()
    assert {"users", "search", "edit", "delete", "logout", "profile"} <= words
    client.get(f"/lang/{lang}")
    problems = {}
    for url in _pages(app, client):
        response = client.get(url)
        assert response.status_code == 200, url
        left = english_left(response.get_data(as_text=True), words, set())
        if left:
            problems[url] = left
    return problems


def _report(problems) -> str:
    return "\n".join(f"{url}: {left}" for url, left in problems.items())


@pytest.mark.parametrize("lang", ["zh_CN", "zh_TW"])
def test_the_core_consoles_pages_read_in_chinese(make_app, create_user, login, lang):
    """The core alone: dashboard, plugins, user info and every security screen."""
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user as make_user

    app = make_app(plugins=[])
    with app.app_context():
        make_user("admin", ADMIN_PASSWORD, role="Head-office admin")
    client = app.test_client()
    login(client, "admin", ADMIN_PASSWORD)
    problems = _english_on_pages(app, client, lang)
    assert problems == {}, _report(problems)


@pytest.mark.parametrize("lang", ["zh_CN", "zh_TW"])
def test_every_plugins_pages_read_in_chinese(app, admin_client, lang):
    """Every installed plugin too: menus, list screens, column labels."""
    problems = _english_on_pages(app, admin_client, lang)
    assert problems == {}, _report(problems)


@pytest.mark.parametrize("lang", ["zh_CN", "zh_TW"])
def test_the_sign_in_page_reads_in_chinese(client, lang):
    html = client.get(f"/login/?lang={lang}").get_data(as_text=True)
    assert english_left(html, english_ui_words(), set()) == []
    assert ("登录" if lang == "zh_CN" else "登入") in html


def test_english_readers_get_english(admin_client):
    admin_client.get("/lang/en")
    html = admin_client.get("/users/list/").get_data(as_text=True)
    assert "List Users" in html and "Logout" in html
