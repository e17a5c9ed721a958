"""``zhanggui members import`` and ``zhanggui members export``.

Exit status of ``import``: 0 when every row was imported (or, with ``--dry-run``,
would be); 1 when nothing was imported (bad rows under the default all-or-nothing
policy, an unreadable file); 3 when ``--skip-bad-rows`` imported the good rows and
left bad ones out.  Each bad row is printed as ``row N, <column>: <message>``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from zhanggui import Progress, _

from ..cli import members as members_group  # the plugin's one command group


def _language() -> str:
    from zhanggui.i18n import current_language

    return current_language()


@members_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(["members", "purchases"]), default="members",
              show_default=True)
@click.option("--mapping", default=None,
              help="A JSON file {\"header\": \"field\"} or header=field,... for headers "
                   "the importer does not know.")
@click.option("--dry-run", is_flag=True, help="Check every row; write nothing.")
@click.option("--skip-bad-rows", is_flag=True,
              help="Import the good rows and report the bad ones (default: a file with "
                   "a bad row imports nothing).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def import_command(file: Path, kind: str, mapping: str | None, dry_run: bool,
                   skip_bad_rows: bool, quiet: bool) -> None:
    """Import members or purchases from a CSV or XLSX file."""
    import io

    from .file_import import import_file, save_run
    from .reading import ImportFileError, parse_mapping

    def progress(label: str, total: int):
        return Progress(label, total, stream=io.StringIO() if quiet else sys.stderr)

    settings = current_app.extensions["zhanggui"].settings
    try:
        report = import_file(file, kind, mapping=parse_mapping(mapping), dry_run=dry_run,
                             skip_bad_rows=skip_bad_rows, progress=progress,
                             timezone=settings.get("TIMEZONE"))
    except ImportFileError as exc:
        click.echo(_("Error: %(message)s", message=str(exc)), err=True)
        sys.exit(1)
    save_run(report, file.name, user_name="cli")
    for problem in report.problems:
        click.echo(_("row %(row)s, %(field)s: %(message)s", row=problem.row,
                     field=problem.field, message=problem.message), err=True)
    click.echo(_("%(rows)s row(s) read: %(created)s new, %(matched)s matched existing "
                 "records, %(bad)s bad row(s).", rows=report.rows, created=report.created,
                 matched=report.matched, bad=report.bad))
    if dry_run:
        click.echo(_("Dry run: nothing was written."))
        sys.exit(1 if report.problems else 0)
    if report.problems and not report.committed:
        click.echo(_("Nothing was imported: correct the bad rows and import the file "
                     "again, or use --skip-bad-rows."), err=True)
        sys.exit(1)
    if report.problems:
        sys.exit(3)


@members_group.command("export")
@click.option("--kind", type=click.Choice(["members", "purchases"]), default="members",
              show_default=True)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv",
              show_default=True)
@click.option("--store", "store", default=None, help="Only this store's members/purchases.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="File to write (default: members-<date>.<format>).")
@click.option("--with-phones", is_flag=True,
              help="Write full mobile numbers (default: masked, 138****8000).")
@with_appcontext
def export_command(kind: str, fmt: str, store: str | None, output: Path | None,
                   with_phones: bool) -> None:
    """Export members or purchases as CSV or XLSX (audited)."""
    import datetime as dt

    from .exporting import export
    from ..profile.models import Store

    if store and not Store.select().where(Store.code == store).exists():
        click.echo(_("Error: there is no store with the code %(code)s.", code=store),
                   err=True)
        sys.exit(1)
    output = output or Path(f"{kind}-{dt.date.today().isoformat()}.{fmt}")
    count = export(output, kind, fmt, stores={store} if store else None,
                   clear_phones=with_phones, language=_language())
    click.echo(_("%(count)s row(s) written to %(path)s.", count=count, path=str(output)))
