"""The ``zhanggui`` command line (a Flask CLI group: ``flask --app zhanggui.app``
works too).

Core commands are attached to every app's ``app.cli`` by :func:`register_commands`;
plugins add theirs through ``zhanggui_cli_commands``.  Errors a user can fix exit
non-zero with one line saying what to fix.
"""
from __future__ import annotations

import json
import os
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from .config import ConfigError
from .i18n import _
from .plugins import PluginError


def _state():
    return current_app.extensions["zhanggui"]


@click.command("migrate")
@click.option("--plan", is_flag=True, help="Only list the steps that would run.")
@with_appcontext
def migrate_command(plan: bool) -> None:
    """Apply pending schema migrations of the core and every enabled plugin."""
    from . import migrations
    from .console import sync_security

    state = _state()
    steps = state.plugins.migrations()
    if plan:
        pending = migrations.plan(steps)
        for step in pending:
            click.echo(f"{step.plugin}:{step.name}  {step.description}".rstrip())
        click.echo(_("%(count)s step(s) pending.", count=len(pending)))
        return
    try:
        done = migrations.migrate(
            steps, progress=lambda s: click.echo(_("applied %(step)s", step=f"{s.plugin}:{s.name}")))
    except migrations.MigrationError as exc:
        raise click.ClickException(str(exc)) from exc
    sync_security(current_app)
    click.echo(_("%(count)s step(s) applied; the database is up to date.", count=len(done)))


@click.command("init")
@click.pass_context
def init_command(ctx: click.Context) -> None:
    """Create the instance folder and the database, and bring it up to date."""
    ctx.invoke(migrate_command)
    click.echo(_("Instance folder: %(path)s", path=current_app.instance_path))


@click.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default=None)
@click.option("--first-name", default="Head office")
@click.option("--last-name", default="Admin")
@with_appcontext
def create_admin_command(username, password, email, first_name, last_name) -> None:
    """Create a head-office admin (non-interactive when both flags are given)."""
    from .users import UserError, create_user

    try:
        create_user(username, password, role="Head-office admin", email=email,
                    first_name=first_name, last_name=last_name)
    except UserError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Admin %(username)s created.", username=username))


@click.command("demo-data")
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--members", default=2000, show_default=True, type=click.IntRange(0))
@click.option("--purchases", default=None, type=click.IntRange(0),
              help="Purchase lines in all (default: about 12 a member).")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day of the demo history, YYYY-MM-DD (default: yesterday); "
                   "with --seed it gives the same data on any day.")
@click.option("--quiet", is_flag=True)
@with_appcontext
def demo_data_command(seed, members, purchases, as_of, quiet) -> None:
    """Fill the database with a deterministic demo retail chain."""
    from .demo import DemoContext

    ctx = DemoContext(seed=seed, members=members, purchases=purchases, quiet=quiet,
                      as_of=as_of.date() if as_of else None)
    _state().plugins.demo_data(ctx)
    for what, n in ctx.created.items():
        click.echo(f"{what}: {n:,}")


@click.command("worker")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1))
@click.option("--periodic/--no-periodic", default=True, show_default=True)
@with_appcontext
def worker_command(workers: int, periodic: bool) -> None:
    """Run the background-job consumer."""
    queue = _state().queue
    click.echo(_("Worker started: %(count)s job(s) known.", count=len(queue.tasks)))
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread",
                                          periodic=periodic)
    consumer.run()


@click.group("plugins")
def plugins_group() -> None:
    """Installed plugins."""


@plugins_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def plugins_list_command(as_json: bool) -> None:
    """List installed plugins with version, state and requirements."""
    infos = _state().plugins.plugin_list()
    if as_json:
        click.echo(json.dumps([{"name": p.name, "version": p.version, "title": str(p.title),
                                "enabled": p.enabled, "requires": list(p.requires),
                                "distribution": p.distribution} for p in infos], indent=2,
                              ensure_ascii=False))
        return
    rows = [(p.name, p.version, _("enabled") if p.enabled else _("disabled"),
             ", ".join(p.requires) or "-", str(p.title)) for p in infos]
    header = (_("name"), _("version"), _("state"), _("requires"), _("title"))
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(5)]
    for row in [header] + rows:
        click.echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip())


@click.group("plugin")
def plugin_group() -> None:
    """Write a new plugin."""


@plugin_group.command("new")
@click.argument("name")
@click.option("--directory", "-d", default=".", type=click.Path(file_okay=False),
              help="Where to create the zhanggui-NAME folder.")
@click.option("--title", default=None, help="Human title (default: NAME capitalised).")
def plugin_new_command(name: str, directory: str, title: str | None) -> None:
    """Scaffold a working third-party plugin distribution."""
    from .scaffold import ScaffoldError, scaffold

    try:
        path = scaffold(name, directory, title=title)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_("Plugin written to %(path)s", path=path))
    click.echo(_("Next: pip install -e %(path)s && zhanggui migrate", path=path))


@click.group("translations")
def translations_group() -> None:
    """Message catalogs of the core and every plugin."""


@translations_group.command("compile")
@with_appcontext
def translations_compile_command() -> None:
    """Compile every registered catalog (.po to .mo)."""
    from .catalogs import compile_dirs

    n = compile_dirs(current_app.extensions["zhanggui.translation_dirs"])
    click.echo(_("%(count)s catalog(s) compiled.", count=n))


@click.group("migrations")
def migrations_group() -> None:
    """Generated schema steps of plugins (zhanggui.schema)."""


def _schema_target(plugin: str):
    from .declarations import package_dir, package_name

    host = _state().plugins
    if plugin not in host.objects:
        raise click.ClickException(_("No enabled plugin is named %(name)s.", name=plugin))
    obj = host.objects[plugin]
    folder = package_dir(obj)
    if folder is None or hasattr(obj, "zhanggui_migrations") or hasattr(obj, "migrations"):
        raise click.ClickException(_(
            "Plugin %(name)s writes its migrations by hand (zhanggui_migrations); "
            "generated steps live in a migrations/ folder beside its plugin module.",
            name=plugin))
    return folder / "migrations", host.models_by_plugin()[plugin], package_name(obj)


@migrations_group.command("make")
@click.argument("plugin")
@click.option("--name", default=None, help="Step name after the number (default: generated).")
@with_appcontext
def migrations_make_command(plugin: str, name: str | None) -> None:
    """Write the plugin's next migration from its models' difference to the steps."""
    from .schema import SchemaError, make

    folder, models, package = _schema_target(plugin)
    try:
        path = make(folder, models, plugin, name=name, package=package)
    except SchemaError as exc:
        raise click.ClickException(str(exc)) from exc
    if path is None:
        click.echo(_("No changes: the models match the migrations."))
    else:
        click.echo(_("Wrote %(path)s: review it, run zhanggui migrate, commit it.", path=path))


@migrations_group.command("check")
@click.argument("plugin")
@with_appcontext
def migrations_check_command(plugin: str) -> None:
    """Exit 1 when the plugin's models differ from its migrations."""
    from .schema import diff, recorded_state, state_of_models

    folder, models, package = _schema_target(plugin)
    ops = diff(recorded_state(folder, package) if folder.is_dir() else {},
               state_of_models(models))
    for op in ops:
        click.echo(repr(op))
    if ops:
        raise click.ClickException(_("The models differ from the migrations: run "
                                     "zhanggui migrations make %(name)s.", name=plugin))
    click.echo(_("The models match the migrations."))


CORE_COMMANDS = [init_command, migrate_command, create_admin_command, demo_data_command,
                 worker_command, plugins_group, plugin_group, translations_group,
                 migrations_group]


def register_commands(app) -> None:
    """Attach the core's and the plugins' commands to ``app.cli``."""
    taken = {c.name for c in CORE_COMMANDS} | {"run", "shell", "routes"}
    for command in CORE_COMMANDS:
        app.cli.add_command(command)
    for command in app.extensions["zhanggui"].plugins.cli_commands():
        if command.name in taken:
            raise PluginError(f"CLI command {command.name!r} of a plugin clashes with an "
                              "existing command")
        app.cli.add_command(command)


def _cli_app():
    from .app import create_app

    try:
        return create_app()
    except (ConfigError, PluginError) as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2)


class ZhangguiGroup(FlaskGroup):
    def __init__(self, **kwargs):
        super().__init__(create_app=_cli_app, add_version_option=False,
                         load_dotenv=False, set_debug_flag=False, **kwargs)

    def list_commands(self, ctx):
        names = set(super().list_commands(ctx))
        names |= {c.name for c in CORE_COMMANDS}
        return sorted(names)

    def get_command(self, ctx, name):
        # `plugin new` must work without a configured database or app
        if name == "plugin":
            return plugin_group
        return super().get_command(ctx, name)


def main() -> None:
    os.environ.setdefault("FLASK_RUN_FROM_CLI", "false")
    ZhangguiGroup(name="zhanggui", help="Zhanggui 掌柜 retail CRM.")()
