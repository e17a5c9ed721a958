"""The 360° view shows consent per channel and withdraws it in one click."""
import datetime as dt
import re

import pytest

from zhanggui.testing import ADMIN_PASSWORD

from zhanggui_members.consent.models import ConsentRecord
from zhanggui_members.consent.service import consent_states, ensure_texts, record_consent
from zhanggui_members.profile.services import register_member
from zhanggui_members.tests.helpers import make_store


def signed_in(app, username, role, store=None):
    """A console client signed in through the login form (CSRF on)."""
    from zhanggui.console.scope import UserStore
    from zhanggui.users import create_user

    with app.app_context():
        user = create_user(username, ADMIN_PASSWORD, role=role)
        if store:
            UserStore.create(user_id=user.id, store_code=store)
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    data = {"username": username, "password": ADMIN_PASSWORD}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if token:
        data["csrf_token"] = token.group(1)
    assert client.post("/login/", data=data).status_code == 302
    return client


def csrf(client, url):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def app360(make_app):
    app = make_app(plugins=["members"])
    with app.app_context():
        sh, bj = make_store("SH01"), make_store("BJ01")
        ensure_texts([(c, "v1", "我同意", "我同意", "I agree",
                       dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
                      for c in ("sms", "email", "phone", "app_push")])
        wang = register_member(name="王秀英", phone="13800138000", home_store=sh)
        record_consent(wang.id, "sms", True, "pos", "v1", recorded_by="pos-sh01")
        app.wang = wang.id
        today = dt.date.today()
        app.child = register_member(name="李小明", phone="13900139000", home_store=sh,
                                    birthday=dt.date(today.year - 10, 1, 1)).id
        app.beijing = register_member(name="张浩然", phone="13700137000", home_store=bj).id
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def test_the_360_view_shows_consent_per_channel_and_its_history(app360):
    client = signed_in(app360, "staff", "Store staff", store="SH01")
    html = client.get(f"/memberview/show/{app360.wang}").get_data(as_text=True)
    assert 'data-panel="members.consent"' in html
    assert re.search(r'data-channel="sms" data-granted="yes"', html)
    assert re.search(r'data-channel="email" data-granted="no"', html)
    assert "pos-sh01" in html and "v1" in html


def test_store_staff_withdraw_sms_with_one_button(app360):
    client = signed_in(app360, "staff", "Store staff", store="SH01")
    url = f"/memberview/show/{app360.wang}"
    token = csrf(client, url)
    response = client.post(f"/memberconsent/{app360.wang}/record",
                           data={"csrf_token": token, "channel": "sms", "granted": "0"})
    assert response.status_code == 302 and url in response.headers["Location"]
    with app360.app_context():
        assert consent_states(app360.wang)["sms"].granted is False
        assert ConsentRecord.select().order_by(ConsentRecord.id.desc()).first().source \
            == "console"
    assert re.search(r'data-channel="sms" data-granted="no"',
                     client.get(url).get_data(as_text=True))


def test_withdraw_all_marketing_and_the_guardian_form(app360):
    client = signed_in(app360, "staff", "Store staff", store="SH01")
    token = csrf(client, f"/memberview/show/{app360.child}")
    child = client.get(f"/memberview/show/{app360.child}").get_data(as_text=True)
    assert "zg-minor" in child
    refused = client.post(f"/memberconsent/{app360.child}/record", follow_redirects=True,
                          data={"csrf_token": token, "channel": "email", "granted": "1"})
    assert "guardian" in refused.get_data(as_text=True) or "监护人" in \
        refused.get_data(as_text=True)
    client.post(f"/memberconsent/{app360.child}/guardian",
                data={"csrf_token": token, "guardian_name": "李娜", "relation": "母亲"})
    client.post(f"/memberconsent/{app360.child}/record",
                data={"csrf_token": token, "channel": "email", "granted": "1"})
    with app360.app_context():
        assert consent_states(app360.child)["email"].granted is True
    client.post(f"/memberconsent/{app360.child}/withdraw-all", data={"csrf_token": token})
    with app360.app_context():
        assert not any(s and s.granted for s in consent_states(app360.child).values())


def test_another_stores_member_and_a_role_without_the_right_are_refused(app360):
    staff = signed_in(app360, "staff", "Store staff", store="SH01")
    token = csrf(staff, f"/memberview/show/{app360.wang}")
    other = staff.post(f"/memberconsent/{app360.beijing}/withdraw-all",
                       data={"csrf_token": token})
    assert other.status_code == 404
    marketing = signed_in(app360, "mkt", "Marketing")
    html = marketing.get(f"/memberview/show/{app360.wang}").get_data(as_text=True)
    assert 'data-panel="members.consent"' in html and "withdraw-all" not in html
    token = csrf(marketing, "/resetmypassword/form")
    refused = marketing.post(f"/memberconsent/{app360.wang}/withdraw-all",
                             data={"csrf_token": token})
    assert refused.status_code in (302, 403)
    with app360.app_context():
        assert consent_states(app360.wang)["sms"].granted is True
    no_token = staff.post(f"/memberconsent/{app360.wang}/withdraw-all")
    assert no_token.status_code == 400


def test_head_office_adds_a_consent_text_version_that_tills_can_then_use(app360):
    admin = signed_in(app360, "admin", "Head-office admin")
    token = csrf(admin, "/consenttextview/add")
    response = admin.post("/consenttextview/add", data={
        "csrf_token": token, "channel": "email", "version": "v2",
        "effective_from": "2024-01-01 00:00:00", "text_zh_cn": "我同意接收邮件",
        "text_zh_tw": "我同意接收郵件", "text_en": "I agree to emails"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert "v2" in admin.get("/consenttextview/list/").get_data(as_text=True)
    with app360.app_context():
        record_consent(app360.wang, "email", True, "pos", "v2")
    staff = signed_in(app360, "staff", "Store staff", store="SH01")
    assert staff.get("/consenttextview/list/").status_code in (302, 403)
