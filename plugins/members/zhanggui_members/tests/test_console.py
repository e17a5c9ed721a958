"""Head office and store staff work with members, purchases and stores in the console."""
import re

import pytest

from zhanggui import MemberPanel
from zhanggui.testing import ADMIN_PASSWORD

from zhanggui_members.profile.models import MemberIdentity, Store
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_purchase, make_store


@pytest.fixture
def console_app(make_app, make_plugin):
    panel = make_plugin("tierpanel", requires=("members",),
                        zhanggui_member_panels=lambda member_id: [
                            MemberPanel(name="loyalty.tier", title="Tier",
                                        html=f"<p class='tier'>Gold #{member_id}</p>")])
    app = make_app(plugins=["members"], extra_plugins=[panel])
    with app.app_context():
        store = make_store("SH01")
        wang = register_member(name="王秀英", phone="13800138000", card_no="600001",
                               home_store=store, lifecycle_stage="active")
        register_member(name="张浩然", phone="13912348000", card_no="600002")
        register_member(name="李娜", phone="13700001111", card_no="600003")
        MemberIdentity.create(member=wang, kind="wechat_openid", value="oOpenId123")
        make_purchase(wang, store)
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


def _assign(app, username, store_code):
    from zhanggui.console.scope import UserStore

    with app.app_context():
        user = app.extensions["zhanggui"].appbuilder.sm.find_user(username)
        UserStore.create(user_id=user.id, store_code=store_code)


def _member_id(app, name):
    from zhanggui_members.profile.models import Member

    with app.app_context():
        return Member.get(Member.name == name).id


def test_an_admin_sees_the_member_list_with_masked_phones(console_app):
    admin = _client(console_app, "admin", "Head-office admin")
    html = admin.get("/memberview/list/").get_data(as_text=True)
    for name in ("王秀英", "张浩然", "李娜"):
        assert name in html
    assert "138****8000" in html and "600001" in html and "上海南京西路店" in html
    assert "13800138000" not in html


@pytest.mark.parametrize("arg, value, expected", [
    ("phone_hash", "+86 138 0013 8000", {"王秀英"}),        # exact number, any spelling
    ("phone_last4", "8000", {"王秀英", "张浩然"}),
    ("card_no", "600003", {"李娜"}),
    ("phone_hash", "12345", set()),                         # malformed: nobody
])
def test_members_are_searched_by_phone_last_four_and_card(console_app, arg, value, expected):
    admin = _client(console_app, "admin", "Head-office admin")
    html = admin.get(f"/memberview/list/?_flt_0_{arg}={value}").get_data(as_text=True)
    assert {n for n in ("王秀英", "张浩然", "李娜") if n in html} == expected


def test_the_360_view_shows_profile_identities_purchases_and_panels(console_app):
    admin = _client(console_app, "admin", "Head-office admin")
    member_id = _member_id(console_app, "王秀英")
    html = admin.get(f"/memberview/show/{member_id}").get_data(as_text=True)
    assert "王秀英" in html and "138****8000" in html and "13800138000" not in html
    assert "oOpenId123" in html                                     # identities
    assert "SH01-250101-000000001" in html and "修护精华液" in html  # timeline with lines
    assert f"Gold #{member_id}" in html                             # another plugin's panel


def test_revealing_a_phone_needs_the_permission_and_is_audited(console_app):
    from zhanggui.console.audit import AuditEntry

    member_id = _member_id(console_app, "王秀英")
    agent = _client(console_app, "agent", "Call-center agent")
    page = agent.get(f"/memberview/show/{member_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    html = agent.post(f"/memberview/phone/{member_id}",
                      data={"csrf_token": token}).get_data(as_text=True)
    assert "13800138000" in html
    with console_app.app_context():
        entry = AuditEntry.select().where(AuditEntry.fields == "phone").get()
        assert (entry.user_name, entry.action, entry.record_pk) == ("agent", "view",
                                                                     str(member_id))

    clerk = _client(console_app, "clerk", "Store staff")
    _assign(console_app, "clerk", "SH01")
    page = clerk.get(f"/memberview/show/{member_id}").get_data(as_text=True)
    assert "138****8000" in page and "/memberview/phone/" not in page
    console_app.config["WTF_CSRF_ENABLED"] = False   # so that only the permission decides
    response = clerk.post(f"/memberview/phone/{member_id}")
    assert response.status_code == 403
    assert "13800138000" not in response.get_data(as_text=True)


def test_purchases_are_listed_and_show_their_lines(console_app):
    admin = _client(console_app, "admin", "Head-office admin")
    html = admin.get("/purchaseview/list/").get_data(as_text=True)
    assert "SH01-250101-000000001" in html
    with console_app.app_context():
        from zhanggui_members.profile.models import Purchase

        pk = Purchase.get().id
    html = admin.get(f"/purchaseview/show/{pk}").get_data(as_text=True)
    assert "修护精华液" in html and "COS011" in html


def test_stores_are_added_and_a_bad_time_zone_is_a_form_message(console_app):
    admin = _client(console_app, "admin", "Head-office admin")
    page = admin.get("/storeview/add").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"csrf_token": token, "code": "GZ01", "name": "广州天河店", "city": "广州",
            "region": "华南", "currency": "CNY", "country": "CN", "timezone": "Mars/Olympus"}
    html = admin.post("/storeview/add", data=form).get_data(as_text=True)
    assert "Asia/Shanghai" in html
    with console_app.app_context():
        assert not Store.select().where(Store.code == "GZ01").exists()
    form["timezone"] = "Asia/Shanghai"
    admin.post("/storeview/add", data=form)
    with console_app.app_context():
        assert Store.get(Store.code == "GZ01").name == "广州天河店"


def test_the_menu_is_translated(console_app):
    admin = _client(console_app, "admin", "Head-office admin")
    assert "会员名录" in admin.get("/memberview/list/?lang=zh_CN").get_data(as_text=True)
    assert "會員名錄" in admin.get("/memberview/list/?lang=zh_TW").get_data(as_text=True)


def test_store_staff_see_only_the_members_and_purchases_of_their_stores(console_app):
    clerk = _client(console_app, "clerk", "Store manager")
    _assign(console_app, "clerk", "SH01")
    html = clerk.get("/memberview/list/").get_data(as_text=True)
    assert "王秀英" in html and "张浩然" not in html               # no home store: not theirs
    assert clerk.get(f"/memberview/show/{_member_id(console_app, '张浩然')}").status_code == 404
    assert "SH01-250101-000000001" in clerk.get("/purchaseview/list/").get_data(as_text=True)
