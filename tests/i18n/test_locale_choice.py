"""Which language a reader gets: saved preference, ?lang=, browser, default."""
from __future__ import annotations

import types

import pytest
from flask import g

# words of the sign-in form, one per language
SIGN_IN = {"zh_CN": "用户名", "zh_TW": "帳號", "en": "Username"}


def _language_of(html: str) -> str:
    found = [lang for lang, word in SIGN_IN.items() if word in html]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("header, expected", [
    ("zh-CN,zh;q=0.9", "zh_CN"), ("zh-TW,zh;q=0.9,en;q=0.8", "zh_TW"),
    ("zh-HK", "zh_TW"), ("zh-Hant-TW", "zh_TW"), ("zh-MO,en;q=0.5", "zh_TW"),
    ("zh-Hans-SG", "zh_CN"), ("zh", "zh_CN"), ("en-US,en;q=0.9", "en"),
    ("fr-FR,en;q=0.5", "en"), ("ja", "zh_CN")])
def test_the_browser_language_picks_the_script_not_just_chinese(client, header, expected):
    page = client.get("/login/", headers={"Accept-Language": header})
    assert _language_of(page.get_data(as_text=True)) == expected


def test_lang_in_the_address_beats_the_browser_and_sticks_for_the_visit(client):
    first = client.get("/login/?lang=zh_TW", headers={"Accept-Language": "en"})
    assert _language_of(first.get_data(as_text=True)) == "zh_TW"
    later = client.get("/login/", headers={"Accept-Language": "en"})
    assert _language_of(later.get_data(as_text=True)) == "zh_TW"


def test_the_configured_default_applies_when_nothing_else_decides(make_app):
    app = make_app(plugins=[], config={"DEFAULT_LANGUAGE": "en"})
    page = app.test_client().get("/login/")
    assert _language_of(page.get_data(as_text=True)) == "en"


def test_a_signed_in_users_choice_is_saved_and_follows_them_to_a_new_session(
        app, admin_client, login):
    from zhanggui.preferences import UserPreference
    from zhanggui.testing import ADMIN_PASSWORD

    assert admin_client.get("/lang/zh_TW").status_code == 302
    with app.app_context():
        assert [p.locale for p in UserPreference.select()] == ["zh_TW"]
    other_browser = app.test_client()
    login(other_browser, "admin", ADMIN_PASSWORD)
    page = other_browser.get("/users/userinfo/", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert "使用者資訊" in html and "User info" not in html
    # the saved choice comes first, before ?lang=
    assert "使用者資訊" in other_browser.get("/users/userinfo/?lang=en").get_data(as_text=True)
    # switching again replaces it
    other_browser.get("/lang/zh_CN")
    with app.app_context():
        assert [p.locale for p in UserPreference.select()] == ["zh_CN"]


def test_the_navbar_offers_every_language_and_marks_the_one_in_use(admin_client):
    admin_client.get("/lang/zh_TW")
    html = admin_client.get("/").get_data(as_text=True)
    for name in ("简体中文", "繁體中文", "English"):
        assert name in html
    assert 'class="active">\n      <a tabindex="-1" href="/lang/zh_TW"' in html
    assert "登出" in html and "個人檔案" in html


def test_a_visitor_switching_language_saves_nothing(app, client):
    from zhanggui.preferences import UserPreference

    client.get("/lang/en")
    assert _language_of(client.get("/login/").get_data(as_text=True)) == "en"
    with app.app_context():
        assert UserPreference.select().count() == 0
    assert client.get("/lang/xx").status_code == 404


def _echo_plugin(make_plugin):
    from flask_appbuilder.api import BaseApi, expose

    from zhanggui import ApiEndpoint, _

    class LookupApi(BaseApi):
        resource_name = "i18n_lookup"

        @expose("/missing", methods=["GET"])
        def missing(self):
            return self.response(404, message=_("Record not found"))

    return make_plugin("lookup", zhanggui_api_endpoints=lambda: [ApiEndpoint("lookup", LookupApi)])


def test_the_api_answers_in_the_requests_language_only(make_app, make_plugin, login,
                                                        create_user):
    app = make_app(extra_plugins=[_echo_plugin(make_plugin)])
    url = "/api/v1/i18n_lookup/missing"
    client = app.test_client()
    assert client.get(url, headers={"Accept-Language": "zh-TW"}).json["message"] == "紀錄不存在"
    assert client.get(url, headers={"Accept-Language": "zh-CN"}).json["message"] == "记录不存在"
    assert client.get(url + "?lang=en", headers={"Accept-Language": "zh-CN"}).json[
        "message"] == "Record not found"
    # neither a console session's language nor a saved preference leaks into the API
    with app.app_context():
        from zhanggui.users import create_user as make_user
        from zhanggui.testing import ADMIN_PASSWORD

        make_user("clerk", ADMIN_PASSWORD, role="Store staff")
    login(client, "clerk", ADMIN_PASSWORD)
    client.get("/lang/zh_TW")
    answer = client.get(url, headers={"Accept-Language": "en"})
    assert answer.json["message"] == "Record not found"
    assert "Set-Cookie" not in answer.headers or "session" not in answer.headers["Set-Cookie"]


def test_a_users_saved_time_zone_is_used_for_times(app):
    import datetime as dt

    from zhanggui import format_local_datetime
    from zhanggui.preferences import save_preference

    with app.app_context():
        save_preference(7, timezone="America/New_York")
        save_preference(7, locale="en")   # keeps the zone
    instant = dt.datetime(2026, 11, 23, 9, 5, tzinfo=dt.timezone.utc)
    with app.test_request_context("/"):
        g.user = types.SimpleNamespace(id=7, is_authenticated=True)
        assert format_local_datetime(instant) == "Nov 23, 2026, 4:05\u202fAM"
    with app.test_request_context("/?lang=zh_CN"):   # nobody signed in: the settings
        assert format_local_datetime(instant) == "2026年11月23日 17:05"


def test_traditional_chinese_never_falls_back_to_simplified_catalogs(app):
    from zhanggui.i18n import catalog_tags

    assert "zh" not in catalog_tags("zh_Hant_TW")
    assert catalog_tags("zh_Hans_CN")[0] == "zh_CN"
    with app.test_request_context("/?lang=zh_TW"):
        app.preprocess_request()
        from flask import request

        # WTForms' own messages: its zh_TW catalog, not its Simplified zh one
        assert request.wtforms_translations.ugettext("This field is required.") == \
            "此欄位是必需的。"


def test_a_plugins_catalog_cannot_reword_the_cores_screens(make_app, make_plugin, tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from zhanggui import TranslationDir, _

    folder = tmp_path / "translations"
    catalog = Catalog(locale="zh_TW", domain="zhanggui_shelf")
    catalog.add("Search", "找貨架")
    catalog.add("Shelf talker", "貨架標籤")
    (folder / "zh_TW" / "LC_MESSAGES").mkdir(parents=True)
    with (folder / "zh_TW" / "LC_MESSAGES" / "zhanggui_shelf.mo").open("wb") as fh:
        write_mo(fh, catalog)
    shelf = make_plugin("shelf", zhanggui_translation_dirs=lambda: [
        TranslationDir(domain="zhanggui_shelf", path=folder)])
    app = make_app(plugins=[], extra_plugins=[shelf])
    with app.test_request_context("/?lang=zh_TW"):
        assert _("Shelf talker") == "貨架標籤"
        assert _("Search") == "搜尋"


@pytest.mark.parametrize("env, expected", [
    ({"LANG": "zh_TW.UTF-8"}, "zh_TW"), ({"LANG": "zh_HK.UTF-8"}, "zh_TW"),
    ({"LANG": "zh_MO.UTF-8"}, "zh_TW"), ({"LC_ALL": "zh_SG.UTF-8"}, "zh_CN"),
    ({"LANG": "en_GB.UTF-8"}, "en"), ({"LANG": "C.UTF-8"}, "zh_CN"), ({}, "zh_CN")])
def test_the_cli_follows_the_terminal_language(monkeypatch, env, expected):
    from zhanggui.i18n import cli_locale

    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert cli_locale(["zh_CN", "zh_TW", "en"], "zh_CN") == expected
