"""Per-plugin migrations: ordered, recorded, applied once, rolled back on failure."""
import peewee
import pytest

from zhanggui import Migration, Model
from zhanggui.migrations import AppliedMigration, MigrationError, migrate, plan


class Shelf(Model):
    code = peewee.CharField(unique=True)

    class Meta:
        table_name = "shelf_shelf"


def _create_shelf(ctx):
    ctx.create_tables([Shelf])


def _add_label(ctx):
    ctx.run(ctx.migrator.add_column("shelf_shelf", "label",
                                    peewee.CharField(null=True)))


def test_steps_run_in_name_order_and_only_once(make_app, make_plugin):
    calls = []
    v1 = [Migration("0002_label", lambda ctx: (calls.append("0002"), _add_label(ctx))),
          Migration("0001_initial", lambda ctx: (calls.append("0001"), _create_shelf(ctx)))]
    app = make_app(plugins=[], extra_plugins=[make_plugin("shelf", zhanggui_migrations=lambda: v1)])
    assert calls == ["0001", "0002"]
    with app.app_context():
        state = app.extensions["zhanggui"]
        assert {(m.plugin, m.name) for m in AppliedMigration.select()} >= {
            ("shelf", "0001_initial"), ("shelf", "0002_label")}
        assert migrate(state.plugins.migrations()) == []  # nothing left to do
        assert calls == ["0001", "0002"]
        columns = {c.name for c in state.db.get_columns("shelf_shelf")}
        assert "label" in columns


def test_an_upgrade_applies_only_the_new_steps(make_app, make_plugin):
    steps = [Migration("0001_initial", _create_shelf)]
    app = make_app(plugins=[], extra_plugins=[make_plugin("shelf", zhanggui_migrations=lambda: steps)])
    steps.append(Migration("0002_label", _add_label, description="shelf labels"))
    with app.app_context():
        pending = plan(app.extensions["zhanggui"].plugins.migrations())
        assert [(p.plugin, p.name) for p in pending] == [("shelf", "0002_label")]
        done = migrate(app.extensions["zhanggui"].plugins.migrations())
        assert [s.name for s in done] == ["0002_label"]


def test_a_failed_step_leaves_the_database_as_it_was_and_names_plugin_and_step(
        make_app, make_plugin):
    def broken(ctx):
        _create_shelf(ctx)
        Shelf.create(code="A1")
        raise RuntimeError("disk on fire")

    plugin = make_plugin("shelf", zhanggui_migrations=lambda: [Migration("0001_initial", broken)])
    app = make_app(plugins=[], extra_plugins=[plugin], migrate=False)
    with app.app_context():
        with pytest.raises(MigrationError, match="migration shelf:0001_initial failed: disk "
                                                 "on fire \\(the database is as it was"):
            migrate(app.extensions["zhanggui"].plugins.migrations())
        assert "shelf_shelf" not in app.extensions["zhanggui"].db.get_tables()
        assert not AppliedMigration.select().where(AppliedMigration.plugin == "shelf").exists()


def test_the_cli_reports_a_failed_migration_and_exits_non_zero(make_app, make_plugin):
    from zhanggui.cli import migrate_command

    def broken(ctx):
        raise peewee.OperationalError("no such thing")

    plugin = make_plugin("shelf", zhanggui_migrations=lambda: [Migration("0001_initial", broken)])
    app = make_app(plugins=[], extra_plugins=[plugin], migrate=False)
    result = app.test_cli_runner().invoke(migrate_command)
    assert result.exit_code == 1
    assert "migration shelf:0001_initial failed: no such thing" in result.output


def test_a_disabled_plugin_has_no_steps_in_the_plan(make_app, make_plugin):
    from zhanggui.cli import migrate_command

    plugin = make_plugin("shelf", zhanggui_migrations=lambda: [Migration("0001_initial", _create_shelf)])
    on = make_app(plugins=[], extra_plugins=[plugin], migrate=False)
    assert "shelf:0001_initial" in on.test_cli_runner().invoke(migrate_command, ["--plan"]).output
    off = make_app(plugins=[], extra_plugins=[plugin], migrate=False,
                   config={"DISABLED_PLUGINS": ["shelf"]})
    assert "shelf:" not in off.test_cli_runner().invoke(migrate_command, ["--plan"]).output


def test_two_steps_with_one_name_are_refused(make_app, make_plugin):
    from zhanggui import PluginError

    plugin = make_plugin("shelf", zhanggui_migrations=lambda: [
        Migration("0001_initial", _create_shelf), Migration("0001_initial", _add_label)])
    with pytest.raises(PluginError, match="plugin 'shelf' has two migrations named '0001_initial'"):
        make_app(plugins=[], extra_plugins=[plugin])
