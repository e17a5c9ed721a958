"""Console screens: upload a member or purchase file, see its report; export.

Uploads: at most :data:`MAX_UPLOAD_BYTES`, refused before the body is read; only
``.csv`` and ``.xlsx``; stored under ``<instance>/imports/`` with a random name (the
uploaded name is never used as a path, so ``../`` leads nowhere) and deleted once
imported.  The import runs in the request under the file policy of
:mod:`zhanggui_members.io.importing`; its report is kept (``ImportRun``) and shown as a
page.  Exports obey the user's store scope (members by home store, purchases by
store) and show full phone numbers only to ``members.view_phone``; each export is
written to the audit log.
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

from flask import abort, after_this_request, current_app, g, redirect, request, send_file, \
    url_for
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import permission_name
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, validators

from zhanggui import _, _l, has_permission
from zhanggui.console.scope import user_store_codes
from zhanggui.i18n import current_language

from ..profile.models import Store
from .models import ImportRun

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ALLOWED_SUFFIXES = (".csv", ".xlsx")
KIND_CHOICES = [("members", _l("Members")), ("purchases", _l("Purchases"))]


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])
    kind = SelectField(_l("The file holds"), choices=KIND_CHOICES, default="members")
    skip_bad_rows = BooleanField(_l("Import the good rows and skip bad ones"),
                                 description=_l("Without this, a file with any bad row "
                                                "imports nothing."))
    dry_run = BooleanField(_l("Only check the file"))


class ExportForm(FlaskForm):
    kind = SelectField(_l("Export"), choices=KIND_CHOICES, default="members")
    fmt = SelectField(_l("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV")],
                      default="xlsx")
    store = SelectField(_l("Store"), validators=[validators.Optional()], default="")


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _user_name() -> str:
    return str(getattr(getattr(g, "user", None), "username", "") or "")


class MemberImportView(BaseView):
    """Members → Import: the upload form and the report of each run."""

    route_base = "/memberimport"
    default_view = "upload"
    base_permissions = ["can_upload"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("upload")
    def upload(self):
        # a body without Content-Length is cut off at the limit while it is read
        request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024
        if request.method == "POST" and (request.content_length or 0) > MAX_UPLOAD_BYTES:
            form = ImportForm(formdata=None)
            form.file.errors = [_("The file is larger than %(size)s MB.",
                                  size=MAX_UPLOAD_BYTES // (1024 * 1024))]
            return self.render_template("members/import_form.html", form=form,
                                        title=_("Import members and purchases"),
                                        runs=self._runs()), 413
        form = ImportForm()
        if form.validate_on_submit():
            upload = form.file.data
            original = os.path.basename(upload.filename or "")
            suffix = Path(original).suffix.lower()
            if suffix not in ALLOWED_SUFFIXES:
                form.file.errors = [_("Give a .csv or .xlsx file.")]
            else:
                stored = _upload_dir() / f"{secrets.token_hex(16)}{suffix}"
                upload.save(stored)
                try:
                    run = self._import(stored, original, form)
                finally:
                    stored.unlink(missing_ok=True)
                if run is not None:
                    return redirect(url_for(".report", run_id=run.id))
        return self.render_template("members/import_form.html", form=form,
                                    title=_("Import members and purchases"),
                                    runs=self._runs())

    def _import(self, stored: Path, original: str, form: ImportForm):
        from .file_import import import_file, save_run
        from .reading import ImportFileError

        try:
            report = import_file(stored, form.kind.data, dry_run=form.dry_run.data,
                                 skip_bad_rows=form.skip_bad_rows.data,
                                 timezone=current_app.extensions["zhanggui"]
                                 .settings.get("TIMEZONE"))
        except ImportFileError as exc:
            form.file.errors = [str(exc)]
            return None
        return save_run(report, original, user_name=_user_name())

    def _runs(self):
        return list(ImportRun.select().order_by(ImportRun.id.desc()).limit(20))

    @expose("/report/<int:run_id>")
    @has_access
    @permission_name("upload")
    def report(self, run_id):
        run = ImportRun.get_or_none(ImportRun.id == run_id)
        if run is None:
            abort(404)
        return self.render_template("members/import_report.html", run=run,
                                    problems=json.loads(run.report or "[]"),
                                    title=_("Import report"))


class MemberExportView(BaseView):
    """Members → Export: a file of the members or purchases the user may see."""

    route_base = "/memberexport"
    default_view = "download"
    base_permissions = ["can_download"]

    @expose("/", methods=["GET", "POST"])
    @has_access
    @permission_name("download")
    def download(self):
        from .exporting import export

        codes = user_store_codes()
        stores = Store.select().order_by(Store.code)
        if codes is not None:
            stores = stores.where(Store.code.in_(codes or [""]))
        form = ExportForm()
        form.store.choices = ([("", _("All stores I may see"))]
                              + [(s.code, f"{s.code} {s.name}") for s in stores])
        if form.validate_on_submit():
            chosen = {form.store.data} if form.store.data else None
            scope = codes if chosen is None else chosen
            if codes is not None and chosen is not None and not chosen <= codes:
                abort(403)
            handle, name = tempfile.mkstemp(suffix=f".{form.fmt.data}")
            os.close(handle)
            path = Path(name)

            @after_this_request
            def _remove(response):
                path.unlink(missing_ok=True)
                return response

            export(path, form.kind.data, form.fmt.data, stores=scope,
                   clear_phones=has_permission("members.view_phone"),
                   language=current_language())
            mimetype = ("text/csv" if form.fmt.data == "csv" else
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            return send_file(path, mimetype=mimetype, as_attachment=True,
                             download_name=f"{form.kind.data}.{form.fmt.data}",
                             max_age=0)
        return self.render_template("members/export_form.html", form=form,
                                    title=_("Export members and purchases"))
