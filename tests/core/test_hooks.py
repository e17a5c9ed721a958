"""Every hook of zhanggui.hookspecs, exercised through a throwaway plugin."""
import click
import peewee
import pytest
from flask_appbuilder.api import BaseApi, expose

from zhanggui import (ApiEndpoint, DashboardWidget, ExportSection, MemberPanel, Model,
                      Permission, PluginError, RoleGrant, SearchDocument, SearchSource,
                      TranslationDir, WidgetData)


def host(app):
    return app.extensions["zhanggui"].plugins


def test_zhanggui_models_are_listed_and_duplicate_tables_refused(make_app, make_plugin):
    class Shelf(Model):
        code = peewee.CharField()

        class Meta:
            table_name = "hooktest_shelf"

    app = make_app(plugins=[], extra_plugins=[make_plugin("a", zhanggui_models=lambda: [Shelf])],
                   migrate=False)
    assert Shelf in host(app).models()
    app2 = make_app(plugins=[], migrate=False, extra_plugins=[
        make_plugin("a", zhanggui_models=lambda: [Shelf]),
        make_plugin("b", zhanggui_models=lambda: [Shelf])])
    with pytest.raises(PluginError, match="'hooktest_shelf' is registered by plugin 'a' and "
                                          "again by plugin 'b'"):
        host(app2).models()


def test_zhanggui_cli_commands_join_the_cli(make_app, make_plugin):
    @click.command("shelf-report")
    def shelf_report():
        click.echo("3 shelves")

    app = make_app(plugins=[], migrate=False,
                   extra_plugins=[make_plugin("a", zhanggui_cli_commands=lambda: [shelf_report])])
    assert app.test_cli_runner().invoke(args=["shelf-report"]).output == "3 shelves\n"


def test_a_plugin_command_may_not_take_a_core_name(make_app, make_plugin):
    @click.command("migrate")
    def fake_migrate():
        pass

    with pytest.raises(PluginError, match="CLI command 'migrate' of a plugin clashes"):
        make_app(plugins=[], migrate=False,
                 extra_plugins=[make_plugin("a", zhanggui_cli_commands=lambda: [fake_migrate])])


class ShelfApi(BaseApi):
    resource_name = "shelf"

    @expose("/count", methods=["GET"])
    def count(self):
        return self.response(200, count=3)


def test_zhanggui_api_endpoints_are_served_under_api_v1(make_app, make_plugin):
    app = make_app(plugins=[], extra_plugins=[
        make_plugin("a", zhanggui_api_endpoints=lambda: [ApiEndpoint("shelf", ShelfApi)])])
    assert app.test_client().get("/api/v1/shelf/count").get_json() == {"count": 3}


def test_zhanggui_permissions_and_default_roles_reach_the_security_tables(make_app, make_plugin):
    plugin = make_plugin(
        "a", zhanggui_permissions=lambda: [Permission("shelf.reprice", "Change shelf prices")],
        zhanggui_default_roles=lambda: [RoleGrant("Store manager", ("shelf.reprice",)),
                                        RoleGrant("Shelf auditor", ("shelf.reprice",))])
    app = make_app(plugins=[], extra_plugins=[plugin])
    with app.app_context():
        sm = app.extensions["zhanggui"].appbuilder.sm
        for role in ("Store manager", "Shelf auditor", "Head-office admin"):
            names = {(p.permission.name, p.view_menu.name) for p in sm.find_role(role).permissions}
            assert ("shelf.reprice", "Zhanggui") in names, role
        staff = {(p.permission.name) for p in sm.find_role("Store staff").permissions}
        assert "shelf.reprice" not in staff


def test_zhanggui_translation_dirs_feed_the_console(make_app, make_plugin, tmp_path):
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from flask_babel import force_locale, gettext

    folder = tmp_path / "translations" / "zh_TW" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="zh_TW")
    catalog.add("Shelf talker", "貨架吊牌")
    with (folder / "shelf.mo").open("wb") as fh:
        write_mo(fh, catalog)
    app = make_app(plugins=[], migrate=False, extra_plugins=[make_plugin(
        "a", zhanggui_translation_dirs=lambda: [TranslationDir("shelf", tmp_path / "translations")])])
    with app.test_request_context("/"), force_locale("zh_TW"):
        assert gettext("Shelf talker") == "貨架吊牌"


def test_zhanggui_dashboard_widgets_show_for_permitted_users_only(make_app, make_plugin,
                                                                  create_user, login):
    widgets = [DashboardWidget("a.sales", "Sales today", lambda: WidgetData(value="¥12,300",
               chart={"type": "bar", "labels": ["Mon"], "datasets": [{"data": [1]}]})),
               DashboardWidget("a.secret", "Margins", lambda: WidgetData(value="41%"),
                               permission="a.margins")]
    app = make_app(plugins=[], extra_plugins=[make_plugin(
        "a", zhanggui_dashboard_widgets=lambda: widgets,
        zhanggui_permissions=lambda: [Permission("a.margins")])])
    with app.app_context():
        from zhanggui.users import create_user as make_user
        make_user("boss", "a-long-password-1", role="Head-office admin")
        make_user("clerk", "a-long-password-1", role="Store staff")
    boss, clerk = app.test_client(), app.test_client()
    login(boss, "boss", "a-long-password-1")
    login(clerk, "clerk", "a-long-password-1")
    boss_page = boss.get("/").get_data(as_text=True)
    clerk_page = clerk.get("/").get_data(as_text=True)
    assert "¥12,300" in boss_page and "41%" in boss_page and "chart.umd.min.js" in boss_page
    assert "¥12,300" in clerk_page and "41%" not in clerk_page


def test_zhanggui_search_sources_are_collected(make_app, make_plugin):
    source = SearchSource("a.shelves", "Shelves",
                          lambda since: [SearchDocument("A1", "Shelf A1", "coffee aisle")])
    app = make_app(plugins=[], migrate=False,
                   extra_plugins=[make_plugin("a", zhanggui_search_sources=lambda: [source])])
    [found] = host(app).search_sources()
    assert [d.title for d in found.documents(None)] == ["Shelf A1"]


def test_zhanggui_app_ready_sees_the_finished_app(make_app, make_plugin):
    seen = []
    app = make_app(plugins=[], migrate=False, extra_plugins=[make_plugin(
        "a", zhanggui_app_ready=lambda app: seen.append(sorted(app.extensions)))])
    assert seen and "zhanggui" in seen[0] and "appbuilder" in seen[0]


def test_zhanggui_demo_data_runs_in_plugin_order_with_a_seeded_rng(make_app, make_plugin):
    from zhanggui.demo import DemoContext

    calls = []
    first = make_plugin("first", zhanggui_demo_data=lambda ctx: calls.append(("first", ctx.rng.random())))
    second = make_plugin("second", requires=["first"],
                         zhanggui_demo_data=lambda ctx: calls.append(("second", ctx.rng.random())))
    app = make_app(plugins=[], extra_plugins=[second, first])
    with app.app_context():
        host(app).demo_data(DemoContext(seed=7, members=10, quiet=True))
        host(app).demo_data(DemoContext(seed=7, members=10, quiet=True))
    assert [c[0] for c in calls] == ["first", "second", "first", "second"]
    assert calls[:2] == calls[2:]


def test_zhanggui_find_member_stops_at_the_first_answer(make_app, make_plugin):
    asked = []
    a = make_plugin("a", zhanggui_find_member=lambda phone, card: asked.append("a") or None)
    b = make_plugin("b", zhanggui_find_member=lambda phone, card: 42 if phone == "13800138000" else None)
    app = make_app(plugins=[], migrate=False, extra_plugins=[a, b])
    assert host(app).call_first("zhanggui_find_member", phone="13800138000", card=None) == 42
    assert host(app).call_first("zhanggui_find_member", phone="13900000000", card=None) is None


def test_member_hooks_collect_panels_exports_erasures_and_merges(make_app, make_plugin):
    merged = []
    plugin = make_plugin(
        "a",
        zhanggui_member_panels=lambda member_id: [
            MemberPanel("a.points", "Points", f"<b>{member_id}</b>", order=2),
            MemberPanel("a.tier", "Tier", "Gold", order=1)],
        zhanggui_export_member=lambda member_id: [ExportSection("a.visits", "Visits",
                                                                [{"member": member_id}])],
        zhanggui_erase_member=lambda member_id: ["visit notes"],
        zhanggui_merge_members=lambda source_id, target_id: merged.append((source_id, target_id)))
    app = make_app(plugins=[], migrate=False, extra_plugins=[plugin])
    assert [p.name for p in host(app).member_panels(7)] == ["a.tier", "a.points"]
    assert host(app).export_member(7)[0].rows == [{"member": 7}]
    assert host(app).erase_member(7) == ["a: visit notes"]
    host(app).emit("merge_members", source_id=7, target_id=8)
    assert merged == [(7, 8)]


def test_zhanggui_pos_response_merges_and_refuses_two_answers_to_one_key(make_app, make_plugin):
    a = make_plugin("a", zhanggui_pos_response=lambda transaction: {"loyalty": {"earned": 12}})
    b = make_plugin("b", zhanggui_pos_response=lambda transaction: {"coupons": []})
    app = make_app(plugins=[], migrate=False, extra_plugins=[a, b])
    assert host(app).pos_response("T1") == {"loyalty": {"earned": 12}, "coupons": []}
    c = make_plugin("c", zhanggui_pos_response=lambda transaction: {"loyalty": {}})
    app2 = make_app(plugins=[], migrate=False, extra_plugins=[a, c])
    with pytest.raises(PluginError, match="key 'loyalty' is answered by plugin 'a' and again "
                                          "by plugin 'c'"):
        host(app2).pos_response("T1")


EVENTS = {
    "purchase_recorded": {"purchase": "P1"},
    "purchase_refunded": {"refund": "R1"},
    "points_changed": {"entry": "E1"},
    "points_expiring": {"member_id": 1, "points": 300, "expires_on": "2026-12-31"},
    "member_stage_changed": {"member_id": 1, "old": "active", "new": "dormant"},
    "ticket_escalated": {"ticket": "T1", "level": 2},
    "approval_decided": {"kind": "contract", "reference": 9, "approved": True,
                         "decided_by": "boss", "comment": "ok"},
}


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_domain_events_reach_plugins_in_requirement_order(make_app, make_plugin, event):
    # zhanggui_purchase_recorded, zhanggui_purchase_refunded, zhanggui_points_changed,
    # zhanggui_points_expiring, zhanggui_member_stage_changed, zhanggui_ticket_escalated,
    # zhanggui_approval_decided
    heard = []

    def listener(name):
        def hear(**kwargs):
            heard.append((name, kwargs))
        return hear

    base = make_plugin("base", **{f"zhanggui_{event}": _with_args(listener("base"), EVENTS[event])})
    top = make_plugin("top", requires=["base"],
                      **{f"zhanggui_{event}": _with_args(listener("top"), EVENTS[event])})
    app = make_app(plugins=[], migrate=False, extra_plugins=[top, base])
    host(app).emit(event, **EVENTS[event])
    assert heard == [("base", EVENTS[event]), ("top", EVENTS[event])]


def _with_args(func, kwargs):
    """A hook implementation with exactly the spec's parameter names."""
    params = ", ".join(kwargs)
    namespace = {"func": func}
    exec(f"def impl({params}):\n    func(**{{k: v for k, v in locals().items()}})", namespace)
    return namespace["impl"]


def test_an_event_raising_rolls_back_the_callers_transaction(make_app, make_plugin):
    from zhanggui import Migration, write_transaction

    class Sale(Model):
        total = peewee.DecimalField()

        class Meta:
            table_name = "hooktest_sale"

    def refuse(purchase):
        raise ValueError("counter closed")

    plugin = make_plugin("a", zhanggui_purchase_recorded=refuse, zhanggui_migrations=lambda: [
        Migration("0001", lambda ctx: ctx.create_tables([Sale]))])
    app = make_app(plugins=[], extra_plugins=[plugin])
    with app.app_context():
        with pytest.raises(ValueError, match="counter closed"):
            with write_transaction():
                sale = Sale.create(total="88.00")
                host(app).emit("purchase_recorded", purchase=sale)
        assert Sale.select().count() == 0


def test_zhanggui_request_approval_is_answered_once(make_app, make_plugin):
    office = make_plugin("office_like", zhanggui_request_approval=lambda kind, subject, requested_by,
                         payload: f"APR-{kind}")
    app = make_app(plugins=[], migrate=False, extra_plugins=[office])
    assert host(app).call_first("zhanggui_request_approval", kind="contract", subject="Counter B2",
                                requested_by="buyer", payload={}) == "APR-contract"
    nobody = make_app(plugins=[], migrate=False)
    assert host(nobody).call_first("zhanggui_request_approval", kind="contract", subject="x",
                                   requested_by="buyer", payload={}) is None
