"""Head office and the call center merge duplicates on the console's merge screen."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from zhanggui.testing import ADMIN_PASSWORD

from zhanggui_members.merging.models import MemberMergeRecord
from zhanggui_members.profile.models import Member, Purchase
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_purchase, make_store


@pytest.fixture
def console_app(make_app):
    app = make_app(plugins=["members"])
    with app.app_context():
        store = make_store("SH01")
        a = register_member(name="王秀英", phone="13800138000", card_no="600001",
                            home_store=store, birthday=dt.date(1985, 3, 2))
        b = register_member(name="王秀英", phone="13900139000", card_no="700001",
                            home_store=store, birthday=dt.date(1985, 3, 2))
        register_member(name="张浩然", phone="13912348000", card_no="600002", home_store=store)
        make_purchase(a, store, pos_id="A-1")
        app.config["ids"] = (a.id, b.id)
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _client(app, username, role):
    from zhanggui.users import create_user

    with app.app_context():
        create_user(username, ADMIN_PASSWORD, role=role)
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    data = {"username": username, "password": ADMIN_PASSWORD}
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post("/login/", data=data).status_code == 302
    return client


def _csrf(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_the_agent_picks_two_members_compares_them_and_merges(console_app):
    a, b = console_app.config["ids"]
    agent = _client(console_app, "agent", "Call-center agent")
    page = agent.get(f"/membermergeview/merge/?source={a}&target={b}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "data-zg-autocomplete" in html
    found = agent.get("/membermergeview/autocomplete/source?q=王").get_json()["result"]
    assert {r["id"] for r in found} == {a, b}
    assert all(f"#{r['id']}" in r["text"] for r in found)   # namesakes told apart

    preview = agent.post("/membermergeview/merge/", data={
        "csrf_token": _csrf(html), "source": a, "target": b, "step": "preview"})
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "zg-merge-preview" in html
    assert re.search(r'data-table="members_purchase"><th>[^<]+</th><td[^>]*>1<', html)
    assert "138****8000" in html and "13800138000" not in html
    with console_app.app_context():
        assert Member.get_by_id(a).merged_into_id is None     # a preview changes nothing

    done = agent.post("/membermergeview/merge/", data={
        "csrf_token": _csrf(html), "source": a, "target": b, "step": "confirm"})
    assert done.status_code == 302 and "/membermergeview/show/" in done.headers["Location"]
    with console_app.app_context():
        assert Member.get_by_id(a).merged_into_id == b
        assert Purchase.get(Purchase.pos_id == "A-1").member_id == b
    listing = agent.get("/membermergeview/list/").get_data(as_text=True)
    assert "王秀英" in listing
    # the retired member is gone from the directory and the picker
    directory = agent.get("/memberview/list/").get_data(as_text=True)
    assert directory.count("王秀英") == 1
    found = agent.get("/membermergeview/autocomplete/source?q=王").get_json()["result"]
    assert [r["id"] for r in found] == [b]


def test_merging_a_member_into_itself_shows_a_form_message_and_changes_nothing(console_app):
    a, _b = console_app.config["ids"]
    admin = _client(console_app, "admin", "Head-office admin")
    html = admin.get("/membermergeview/merge/").get_data(as_text=True)
    page = admin.post("/membermergeview/merge/", data={
        "csrf_token": _csrf(html), "source": a, "target": a, "step": "confirm"})
    assert page.status_code == 200 and "zg-error" in page.get_data(as_text=True)
    with console_app.app_context():
        assert not MemberMergeRecord.select().exists()


def test_likely_duplicates_list_the_two_namesakes_with_one_birthday(console_app):
    a, b = console_app.config["ids"]
    admin = _client(console_app, "admin", "Head-office admin")
    html = admin.get("/membermergeview/duplicates/").get_data(as_text=True)
    assert f"#{a}" in html and f"#{b}" in html and "张浩然" not in html
    assert f"source={b}" in html and f"target={a}" in html


def test_store_staff_cannot_reach_the_merge_screen(console_app):
    a, b = console_app.config["ids"]
    staff = _client(console_app, "staff", "Store staff")
    for url in ("/membermergeview/merge/", "/membermergeview/duplicates/",
                "/membermergeview/list/"):
        assert staff.get(url).status_code in (302, 403), url
    html = staff.get("/memberview/list/").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    response = staff.post("/membermergeview/merge/", data={
        "csrf_token": token.group(1) if token else "", "source": a, "target": b,
        "step": "confirm"})
    assert response.status_code in (302, 400, 403)   # no CSRF token or no permission
    with console_app.app_context():
        assert not MemberMergeRecord.select().exists()
