"""Importing a file of members or purchases: the one entry point the CLI and the
console call (:func:`import_file`), and the run kept for the console (:func:`save_run`)."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from zhanggui import _, utcnow, write_transaction

from .importing import KINDS, ImportReport, MemberImport, ProgressFactory, _no_progress, _zone
from .models import ImportRun
from .purchase_import import PurchaseImport
from .reading import ImportFileError, map_columns, read_rows


def import_file(path: str | os.PathLike, kind: str = "members", *,
                mapping: dict[str, str] | None = None, dry_run: bool = False,
                skip_bad_rows: bool = False, progress: ProgressFactory | None = None,
                timezone: str | None = None) -> ImportReport:
    """Import ``path`` (the policy is :mod:`.importing`'s) and return the report.

    Raises :class:`ImportFileError` when the file cannot be read at all (wrong
    format, no usable header); nothing is written then.
    """
    if kind not in KINDS:
        raise ImportFileError(_("Choose what the file holds: members or purchases."))
    path = Path(path)
    progress = progress or _no_progress
    header, rows = read_rows(path)
    by_column, named, ignored = map_columns(kind, header, mapping or {})
    report = ImportReport(kind=kind, dry_run=dry_run, skip_bad_rows=skip_bad_rows,
                          headers=named, ignored_columns=ignored)
    labels = {f: h for h, f in named.items()}
    importer = MemberImport if kind == "members" else PurchaseImport
    importer(report, labels, _zone(timezone), progress).run(
        path, by_column, rows, commit=not dry_run)
    return report


def save_run(report: ImportReport, file_name: str, user_name: str = "",
             started_at: dt.datetime | None = None) -> ImportRun:
    """Keep the outcome of an import (the console shows it as a page)."""
    with write_transaction():
        return ImportRun.create(
            kind=report.kind, file_name=file_name[:255], started_at=started_at or utcnow(),
            finished_at=utcnow(), user_name=user_name[:150], dry_run=report.dry_run,
            skip_bad_rows=report.skip_bad_rows, committed=report.committed,
            rows=report.rows, created=report.created, matched=report.matched,
            bad=report.bad, report=json.dumps([p.as_dict() for p in report.problems],
                                              ensure_ascii=False))

