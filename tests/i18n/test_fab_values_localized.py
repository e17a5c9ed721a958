"""Flask-AppBuilder's own records (users, API keys) read in the user's language: no
``True``/``None`` and no raw server times on the user and API-key pages."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from zhanggui.testing import ADMIN_PASSWORD

RAW_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}")


@pytest.fixture
def core_admin(make_app, login):
    from zhanggui.users import create_user

    app = make_app(plugins=[])
    with app.app_context():
        create_user("admin", ADMIN_PASSWORD, role="Head-office admin")
        create_user("clerk", ADMIN_PASSWORD, role="Store staff")
    client = app.test_client()
    assert login(client, "admin", ADMIN_PASSWORD).status_code == 302
    return app, client


def _cells(html: str) -> list[str]:
    """The text of the data cells (``<td>``) of a page."""
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"(?s)<td[^>]*>(.*?)</td>", html)]


@pytest.mark.parametrize("lang,yes,date", [("zh_TW", "是", r"\d{4}年\d{1,2}月\d{1,2}日"),
                                           ("zh_CN", "是", r"\d{4}年\d{1,2}月\d{1,2}日"),
                                           ("en", "Yes", r"[A-Z][a-z]{2} \d{1,2}, \d{4}")])
def test_a_users_page_shows_yes_a_dash_and_local_times(core_admin, lang, yes, date):
    app, client = core_admin
    with app.app_context():
        clerk = app.appbuilder.sm.find_user(username="clerk").id
    client.get(f"/lang/{lang}")
    for url in (f"/users/show/{clerk}", "/users/list/", "/users/userinfo/"):
        html = client.get(url).get_data(as_text=True)
        cells = _cells(html)
        assert cells, url
        assert not {"True", "False", "None", "[]"} & set(cells), (url, cells)
        assert not any(RAW_TIME.search(c) for c in cells), (url, cells)
    show = _cells(client.get(f"/users/show/{clerk}").get_data(as_text=True))
    assert yes in show and "—" in show  # active; never signed in, created by a script
    assert any(re.match(date, c) for c in show), show  # created on


def test_the_api_keys_page_shows_local_dates_in_the_users_language(core_admin):
    app, client = core_admin
    with app.app_context():
        sm = app.appbuilder.sm
        sm.create_api_key(sm.find_user(username="clerk"), "POS SH001-01",
                          expires_on=dt.datetime(2027, 3, 1, 12, 0))
    client.get("/lang/zh_TW")
    cells = _cells(client.get("/apikeys/").get_data(as_text=True))
    assert not any(RAW_TIME.search(c) for c in cells), cells
    assert "2027年3月1日" in " ".join(cells)
    client.get("/lang/en")
    cells = _cells(client.get("/apikeys/").get_data(as_text=True))
    assert "Mar 1, 2027" in " ".join(cells) and "—" in cells  # never used yet
