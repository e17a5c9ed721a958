"""The console's pages, signed in as a head-office admin, carry no English interface
words in zh_CN or zh_TW: navigation, headings, column labels, buttons, tooltips."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from .conftest import ROOT, catalog_folders, read_catalog

# shown as they are in every language
NOT_WORDS = {"zhanggui", "english", "json", "ip", "id", "csrf", "ldap", "openid", "oid",
             "db", "api", "pip", "e", "s", "pos", "csv", "xlsx", "utf",
             # trade abbreviations Chinese retail staff write in Latin letters too
             "rfm", "clv", "sku"}
CHROME_TAGS = {"th", "label", "button", "h1", "h2", "h3", "h4", "h5", "legend", "title"}
CHROME_ATTRS = {"title", "placeholder", "data-placeholder", "aria-label"}
DATA_TAGS = {"td", "code", "option", "select", "textarea", "script", "style"}
# flashed messages, form errors and field descriptions
MESSAGE_CLASSES = {"alert", "help-block"}


def english_ui_words(folders=None) -> set[str]:
    """Words of the English msgids the catalogs translate (the core's, or those of
    ``folders``)."""
    words = set()
    for folder in folders or [ROOT / "locale"]:
        for message in read_catalog(folder, "zh_TW"):
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
            # class "zg-data" marks data inside chrome (a user's name in a panel line)
            self.stack.append("data" if tag in DATA_TAGS or "navbar-brand" in classes
                              or "zg-data" in classes
                              or (tag == "a" and "dropdown-toggle" in classes
                                  and "data" in self.stack)
                              else "message" if MESSAGE_CLASSES & set(classes) else tag)
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
        if set(self.stack) & (CHROME_TAGS | {"a", "li", "message"}):
            self.texts.append(data.strip())


def english_left(html: str, words: set[str], allowed: set[str]) -> list[str]:
    # the signed-in user's name in the user menu is data
    html = re.sub(r'(?s)<span class="fa fa-user"></span>[^<]*', "", html)
    parser = ChromeText()
    parser.feed(html)
    return sorted({text for text in parser.texts
                   # a code such as SH001-03 is not a word
                   for w in re.findall(r"(?<![A-Za-z0-9])[A-Za-z]{2,}(?![A-Za-z0-9])", text)
                   if w.lower() in words and text not in allowed})


def test_the_check_sees_english_in_flashed_messages_and_form_errors():
    html = '<div class="alert alert-success"><button>×</button>Changed Row</div>' \
           '<span class="help-block">Leave empty</span><td>Wang Fang</td>'
    assert english_left(html, {"changed", "row", "leave", "empty", "wang"}, set()) == [
        "Changed Row", "Leave empty"]


def test_the_check_sees_english_in_chrome_but_not_in_data():
    html = '<h2>List Users</h2><table><tr><th>名稱</th><td>Store manager</td></tr></table>' \
           '<a title="Edit record" href="#">x</a><button>保存</button>' \
           '<ul><li>手動 · <span class="zg-data">Store manager</span></li></ul>'
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


# console pages that are not screens to read (or that would end the session)
NOT_PAGES = (".logout", ".delete", ".autocomplete", ".download", ".action", ".back",
             "static", "LocaleView.index", "AuthDBView.login")


def registered_pages(app) -> list[str]:
    """Every console page of every registered view, generated from the live app: the
    dashboard, lists, show pages and edit forms of a real record, add forms, the
    plugins' own pages."""
    from zhanggui.console.routemap import example_url, routes

    with app.app_context():
        urls = {example_url(r) for r in routes(app)
                if r.method == "GET" and not r.is_api and r.view is not None
                and not r.endpoint.endswith(NOT_PAGES)
                and (r.permission is None or r.in_base_permissions)}
    return sorted(u for u in urls if u)


class FormFields(HTMLParser):
    """The named fields of the page's model form, with their current values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select = self._textarea = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "model_form":
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, self._text))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text += data


def _save_unchanged(client, url) -> str:
    """Post an edit form back as it came: the page after it carries the flashed
    message (or the form's own messages, when the record does not validate)."""
    parser = FormFields()
    parser.feed(client.get(url).get_data(as_text=True))
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    response = client.post(url, data=data, follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def demo_admin(make_app, login):
    """Every installed plugin with its demo data, and a head-office admin's browser."""
    from zhanggui.cli import demo_data_command
    from zhanggui.testing import ADMIN_PASSWORD
    from zhanggui.users import create_user

    app = make_app()
    with app.app_context():
        result = app.test_cli_runner().invoke(demo_data_command,
                                              ["--members", "20", "--quiet"])
        assert result.exit_code == 0, result.output
        create_user("admin", ADMIN_PASSWORD, role="Head-office admin")
    client = app.test_client()
    assert login(client, "admin", ADMIN_PASSWORD).status_code == 302
    return app, client


@pytest.mark.parametrize("lang", ["zh_CN", "zh_TW"])
def test_every_plugins_pages_read_in_chinese(demo_admin, lang):
    """Every installed plugin: menus, dashboard, list, show, add and edit pages of each
    registered view, and the message flashed after saving an edit form."""
    app, client = demo_admin
    words = english_ui_words(catalog_folders())
    client.get(f"/lang/{lang}")
    pages = registered_pages(app)
    for kind in ("/list/", "/show/", "/edit/", "/add"):
        assert any(kind in url for url in pages), (kind, pages)
    problems, flashed = {}, 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        html = response.get_data(as_text=True)
        if "/edit/" in url and 'id="model_form"' in html:
            html = _save_unchanged(client, url)
            flashed += 'class="alert' in html
            url += " (saved)"
        left = english_left(html, words, set())
        if left:
            problems[url] = left
    assert flashed, "no edit form was saved"
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
