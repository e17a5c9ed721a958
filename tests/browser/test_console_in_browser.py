"""A person works in the console with a real browser: records, languages, permissions."""
import pytest

from zhanggui.demo import DemoContext
from zhanggui.testing import ADMIN_PASSWORD

MAIN_PAGES = ["/", "/plugins/", "/memberview/list/", "/purchaseview/list/",
              "/storeview/list/", "/auditlog/list/", "/apikeys/", "/users/list/"]
MEMBERS_MENU = {"en": "Members", "zh_CN": "会员", "zh_TW": "會員"}


@pytest.fixture
def demo_app(app):
    """The console over a small, deterministic demo chain."""
    with app.app_context():
        app.extensions["zhanggui"].plugins.demo_data(DemoContext(seed=7, members=40, quiet=True))
    return app


@pytest.mark.parametrize("lang", ["en", "zh_CN", "zh_TW"])
def test_the_main_pages_in_each_language(demo_app, live_server, page, create_user, sign_in,
                                         screenshot, lang):
    create_user("admin", "Head-office admin")
    sign_in(page, live_server, "admin", ADMIN_PASSWORD)
    page.goto(f"{live_server}/lang/{lang}")
    for path in MAIN_PAGES:
        response = page.goto(live_server + path)
        assert response.status == 200, path
        assert MEMBERS_MENU[lang] in page.locator(".navbar").inner_text(), path
        screenshot(page, f"{lang}-{path.strip('/').replace('/', '-') or 'dashboard'}")
    page.goto(f"{live_server}/memberview/list/")
    page.locator("a[href*='/memberview/show/']").first.click()
    page.wait_for_load_state("networkidle")
    screenshot(page, f"{lang}-member-360")


def test_a_store_is_created_found_edited_and_deleted(live_server, page, create_user, sign_in,
                                                     screenshot):
    create_user("admin", "Head-office admin")
    sign_in(page, live_server, "admin", ADMIN_PASSWORD)
    page.goto(f"{live_server}/storeview/add?lang=en")
    page.fill("#code", "WH01")
    page.fill("#name", "武汉楚河汉街店")
    page.fill("#city", "武汉")
    page.fill("#region", "华中")
    page.select_option("#currency", "CNY")
    page.fill("#timezone", "Asia/Shanghai")
    screenshot(page, "store-add-form")
    page.click("form#model_form button[type=submit], form#model_form input[type=submit]")
    page.wait_for_load_state("networkidle")

    page.goto(f"{live_server}/storeview/list/?_flt_0_code=WH01")
    rows = page.locator("table tr", has_text="WH01")
    assert rows.count() == 1 and "武汉" in rows.first.inner_text()
    screenshot(page, "store-search")

    page.locator("a[href*='/storeview/edit/']").first.click()
    page.fill("#name", "武汉楚河汉街旗舰店")
    page.click("form#model_form button[type=submit], form#model_form input[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/storeview/list/?_flt_0_code=WH01")
    assert "武汉楚河汉街旗舰店" in page.content()

    page.goto(f"{live_server}/storeview/list/?_flt_0_code=WH01")
    page.locator("a[id^='btn-delete-']").first.click()   # delete is a POST behind a dialog
    page.locator("#modal-confirm-ok").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/storeview/list/?_flt_0_code=WH01")
    screenshot(page, "store-deleted")
    assert "武汉楚河汉街旗舰店" not in page.content()


def test_store_staff_cannot_open_another_stores_member(demo_app, live_server, page,
                                                        create_user, sign_in, screenshot):
    from zhanggui.console.scope import UserStore
    from zhanggui_members.profile.models import Member, Store

    create_user("clerk", "Store staff")
    with demo_app.app_context():
        own, other = list(Store.select().order_by(Store.code))[:2]
        user = demo_app.extensions["zhanggui"].appbuilder.sm.find_user("clerk")
        UserStore.create(user_id=user.id, store_code=own.code)
        foreign = Member.select().where(Member.home_store == other).first()
        mine = Member.select().where(Member.home_store == own).first()
    sign_in(page, live_server, "clerk", ADMIN_PASSWORD)
    assert page.goto(f"{live_server}/memberview/show/{mine.id}").status == 200
    response = page.goto(f"{live_server}/memberview/show/{foreign.id}")
    screenshot(page, "other-store-member-refused")
    assert response.status in (403, 404)
    assert (foreign.name or "") not in page.content()
