"""Plugin discovery, enable lists, requirement order and the errors people see."""
import logging

import pytest

from zhanggui import AdminView, Permission, PluginError, create_app
from zhanggui.plugins import order_by_requirements

SEVEN = ["members", "loyalty", "campaigns", "callcenter", "suppliers", "office", "search"]


def test_all_seven_plugins_are_installed_and_enabled_by_default(app):
    infos = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    for name in SEVEN:
        assert infos[name].enabled, name
        assert infos[name].version == "0.1.0"
        assert infos[name].distribution == f"zhanggui-{name}"
    assert infos["loyalty"].requires == ("members",)


def test_plugins_come_after_what_they_require_and_the_core_first(app):
    order = app.extensions["zhanggui"].plugins.order
    assert order[0] == "core"
    for name in ("loyalty", "campaigns", "callcenter"):
        assert order.index("members") < order.index(name)


def test_enabling_a_plugin_whose_requirement_is_disabled_names_both(make_app):
    with pytest.raises(PluginError, match="plugin 'loyalty' requires plugin 'members', "
                                         "which is disabled"):
        make_app(plugins=["loyalty"])
    with pytest.raises(PluginError, match="plugin 'loyalty' requires plugin 'members'"):
        make_app(config={"DISABLED_PLUGINS": ["members"], "PLUGINS": ["loyalty", "office"]})


def test_a_requirement_that_is_not_installed_is_named(make_app, make_plugin):
    extra = make_plugin("gift_cards", requires=["payments"])
    with pytest.raises(PluginError, match="plugin 'gift_cards' requires plugin 'payments', "
                                         "which is not installed"):
        make_app(plugins=[], extra_plugins=[extra])


def test_enabling_an_unknown_plugin_is_refused(make_app):
    with pytest.raises(PluginError, match="plugin 'memebers' is not installed"):
        make_app(plugins=["memebers"])


def test_a_requirement_cycle_is_refused_with_the_cycle():
    with pytest.raises(PluginError, match="cycle: a -> b -> a"):
        order_by_requirements({"a": ("b",), "b": ("a",)})


def test_a_misspelled_hook_fails_at_start_up(make_app, make_plugin):
    typo = make_plugin("typo", zhanggui_purchse_recorded=lambda purchase: None)
    with pytest.raises(PluginError, match="plugin 'typo'.*zhanggui_purchse_recorded"):
        make_app(plugins=[], extra_plugins=[typo])


def test_an_undecorated_function_with_the_hook_prefix_is_checked_too(make_app):
    import types

    plugin = types.ModuleType("loose")
    plugin.name, plugin.requires, plugin.title = "loose", (), "Loose"
    plugin.zhanggui_admin_view = lambda: []
    with pytest.raises(PluginError, match="zhanggui_admin_view"):
        make_app(plugins=[], extra_plugins=[plugin])


def test_two_plugins_registering_the_same_name_are_both_named(make_app, make_plugin):
    a = make_plugin("alpha", zhanggui_permissions=lambda: [Permission("shared.view")])
    b = make_plugin("beta", zhanggui_permissions=lambda: [Permission("shared.view")])
    with pytest.raises(PluginError, match="'shared.view' is registered by plugin 'alpha' "
                                         "and again by plugin 'beta'"):
        make_app(plugins=[], extra_plugins=[a, b])


def test_a_registration_hook_must_return_a_list(make_app, make_plugin):
    bad = make_plugin("bad", zhanggui_permissions=lambda: Permission("x"))
    with pytest.raises(PluginError, match="plugin 'bad': zhanggui_permissions must return a list"):
        make_app(plugins=[], extra_plugins=[bad])


def test_disabling_a_plugin_removes_its_screens(make_app, make_plugin, create_user, login):
    from flask_appbuilder import BaseView, expose, has_access

    class ShelfView(BaseView):
        route_base = "/shelf"

        @expose("/")
        @has_access
        def list(self):
            return "shelf talkers"

    shelf = make_plugin("shelf", zhanggui_admin_views=lambda: [
        AdminView("shelf", ShelfView, label="Shelf talkers", category="Shelf")])
    app = make_app(plugins=[], extra_plugins=[shelf])
    assert "/shelf/" in {r.rule for r in app.url_map.iter_rules()}

    app2 = make_app(plugins=[], extra_plugins=[shelf], config={"DISABLED_PLUGINS": ["shelf"]},
                    migrate=False)
    assert "/shelf/" not in {r.rule for r in app2.url_map.iter_rules()}
    info = {p.name: p for p in app2.extensions["zhanggui"].plugins.plugin_list()}
    assert info["shelf"].enabled is False


def test_hook_calls_are_traced_when_asked(make_app, caplog):
    with caplog.at_level(logging.WARNING, logger="zhanggui.plugins"):
        app = make_app(plugins=[], config={"TRACE_HOOKS": True}, migrate=False)
        with app.app_context():
            app.extensions["zhanggui"].plugins.emit("ticket_escalated", ticket="T-1", level=2)
    assert "hook zhanggui_ticket_escalated(ticket='T-1', level=2)" in caplog.text
