"""The plugin author's API: declarations, generated migrations, API actions, MemberRef,
a failing hook named, and the gift-card example staying small."""
import ast
import io
import tokenize
from pathlib import Path

import peewee
import pytest
from click.testing import CliRunner

from zhanggui import Model, MemberRef, MoneyField, PurchaseEvent, hook_failure
from zhanggui.schema import diff, make, recorded_state, state_of_models

ROOT = Path(__file__).resolve().parents[2]
GIFTCARDS = ROOT / "tests" / "example_plugins" / "acme-giftcards" / "acme_giftcards"


def code_lines(path: Path) -> int:
    """Lines holding Python code, counted as cloc does: no blank lines, comments or
    docstrings."""
    source = path.read_text("utf-8")
    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                            tokenize.DEDENT, tokenize.ENDMARKER):
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - docstrings)


def test_the_gift_card_plugin_is_written_in_under_100_lines_of_python():
    # tests, catalogs and the generated migrations/ are not written by hand
    files = [p for p in GIFTCARDS.rglob("*.py") if "migrations" not in p.parts]
    assert {p.name for p in files} >= {"plugin.py", "models.py", "web.py"}
    total = sum(code_lines(p) for p in files)
    assert total < 100, f"the gift-card plugin needs {total} lines of Python"


def test_the_gift_card_migrations_match_its_models():
    from acme_giftcards.models import GiftCard

    assert diff(recorded_state(GIFTCARDS / "migrations", "acme_giftcards"),
                state_of_models([GiftCard])) == []


def test_declared_lists_join_the_hooks_answers_and_duplicates_are_refused(make_app, make_plugin):
    from zhanggui import Permission
    from zhanggui.plugins import PluginError

    declared = make_plugin("shelf")
    declared.permissions = [Permission("shelf.print", "Print shelf talkers")]
    hooked = make_plugin("other", zhanggui_permissions=lambda: [Permission("other.x")])
    app = make_app(plugins=[], extra_plugins=[declared, hooked], migrate=False)
    names = [p.name for p in app.extensions["zhanggui"].plugins.permissions()]
    assert "shelf.print" in names and "other.x" in names
    clash = make_plugin("clash")
    clash.permissions = [Permission("shelf.print")]
    app = make_app(plugins=[], extra_plugins=[declared, clash], migrate=False)
    with pytest.raises(PluginError, match="'shelf.print' is registered by plugin 'clash' and "
                                          "again by plugin 'shelf'|'shelf.print' is registered "
                                          "by plugin 'shelf' and again by plugin 'clash'"):
        app.extensions["zhanggui"].plugins.permissions()


def test_a_declaration_that_is_not_a_list_stops_start_up(make_app, make_plugin):
    from zhanggui.plugins import PluginError

    bad = make_plugin("shelf")
    bad.models = "ShelfTalker"
    with pytest.raises(PluginError, match="plugin 'shelf': models must be a list, not str"):
        make_app(plugins=[], extra_plugins=[bad], migrate=False)


def test_migrations_make_writes_each_change_as_a_reviewed_step(tmp_path, make_app):
    class Talker(Model):
        sku = peewee.CharField(max_length=32, index=True)
        member = MemberRef(null=True)

        class Meta:
            table_name = "mk_talker"

    folder = tmp_path / "migrations"
    first = make(folder, [Talker], "mk")
    assert first.name == "0001_initial.py" and "CreateTable('mk_talker'" in first.read_text()
    assert make(folder, [Talker], "mk") is None  # nothing changed

    class Talker2(Model):
        sku = peewee.CharField(max_length=32, index=True)
        member = MemberRef(null=True)
        price = MoneyField(null=True)

        class Meta:
            table_name = "mk_talker"

    second = make(folder, [Talker2], "mk")
    assert second.name.startswith("0002_") and "AddColumn('mk_talker', 'price', 'MoneyField'" \
        in second.read_text()
    # the steps build the table on a real database, member reference included
    from zhanggui.schema import load_steps

    app = make_app(plugins=["members"], extra_plugins=[_steps_plugin(load_steps(folder))])
    with app.app_context():
        columns = {c.name for c in app.extensions["zhanggui"].db.get_columns("mk_talker")}
        fks = app.extensions["zhanggui"].db.get_foreign_keys("mk_talker")
    assert columns == {"id", "sku", "member_id", "price"}
    assert [(f.column, f.dest_table) for f in fks] == [("member_id", "members_member")]


def _steps_plugin(steps):
    import types

    plugin = types.ModuleType("mk_plugin")
    plugin.name, plugin.requires, plugin.version, plugin.migrations = "mk", ("members",), "0", steps
    return plugin


def test_migrations_make_and_check_on_the_command_line(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["migrations", "check", "acme_giftcards"])
    assert result.exit_code == 0, result.output
    refused = runner.invoke(args=["migrations", "make", "loyalty"])
    assert refused.exit_code != 0 and "loyalty" in refused.output


def test_a_listener_that_raises_rolls_the_sale_back_and_is_named(make_app, make_plugin, caplog):
    def broken(purchase):
        return purchase.store_id  # PurchaseEvent has store_code, not store_id

    app = make_app(plugins=["members", "acme_giftcards"],
                   extra_plugins=[make_plugin("shelf", zhanggui_purchase_recorded=broken)])
    with app.app_context():
        host = app.extensions["zhanggui"].plugins
        event = PurchaseEvent(purchase_id=1, pos_id="T", member_id=None, store_code="SH01",
                              currency="CNY", occurred_at=None, channel="pos", total=0,
                              lines=(), payments=())
        with pytest.raises(AttributeError) as raised:
            host.emit("purchase_recorded", purchase=event)
    assert hook_failure(raised.value) == {"plugin": "shelf", "distribution": None,
                                          "hook": "zhanggui_purchase_recorded"}
    assert "plugin 'shelf' (distribution none) failed in zhanggui_purchase_recorded" \
        in caplog.text


def test_the_pos_answer_names_the_plugin_whose_listener_failed(make_app, make_plugin):
    from zhanggui_members.profile.models import Purchase, Store  # the core's test may look inside

    def broken(purchase):
        raise RuntimeError("printer offline")

    app = make_app(plugins=["members"],
                   extra_plugins=[make_plugin("shelf", zhanggui_purchase_recorded=broken)])
    with app.app_context():
        Store.create(code="SH01", name="上海一店", city="上海", region="East",
                     currency="CNY")
    from zhanggui.users import create_user

    with app.app_context():
        create_user("admin", "admin-Passw0rd-for-tests", role="Head-office admin")
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "admin", "password": "admin-Passw0rd-for-tests", "provider": "db"})
    assert token.status_code == 200
    answer = client.post("/api/v1/pos/transactions", headers={
        "Authorization": f"Bearer {token.get_json()['access_token']}"}, json={
        "id": "T-1", "store": "SH01", "occurred_at": "2026-11-11T10:30:00+08:00",
        "lines": [{"sku": "A", "name": "A", "category": "X", "quantity": "1", "amount": "10.00"}],
        "total": "10.00", "payments": [{"method": "cash", "amount": "10.00"}]})
    assert answer.status_code == 500
    assert answer.get_json()["plugin"] == "shelf"
    assert answer.get_json()["hook"] == "zhanggui_purchase_recorded"
    with app.app_context():
        assert Purchase.select().count() == 0


def test_a_disabled_plugin_is_listed_with_its_title(make_app):
    app = make_app(config={"DISABLED_PLUGINS": ["acme_giftcards"]}, migrate=False)
    info = {p.name: p for p in app.extensions["zhanggui"].plugins.plugin_list()}
    assert not info["acme_giftcards"].enabled
    with app.test_request_context("/"):
        assert str(info["acme_giftcards"].title) == "Gift cards"


def test_the_admin_client_may_ask_for_a_token_with_its_session(admin_client):
    answer = admin_client.post("/api/v1/security/login", json={
        "username": "admin", "password": "admin-Passw0rd-for-tests", "provider": "db"})
    assert answer.status_code == 200 and answer.get_json()["access_token"]


def test_translations_compile_counts_only_the_catalogs_it_compiled(tmp_path):
    import os

    from zhanggui.catalogs import compile_dir
    from zhanggui.scaffold import scaffold

    folder = scaffold("shelf", tmp_path) / "zhanggui_shelf" / "translations"
    assert compile_dir(folder, "zhanggui_shelf") == 0  # the scaffold compiled them
    po = folder / "zh_TW" / "LC_MESSAGES" / "zhanggui_shelf.po"
    later = po.with_suffix(".mo").stat().st_mtime + 10
    os.utime(po, (later, later))
    assert compile_dir(folder, "zhanggui_shelf") == 1
