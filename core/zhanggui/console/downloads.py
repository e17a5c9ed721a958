"""Flask-AppBuilder's ``/download/<filename>`` for file columns, made safe.

FAB's own answers a 500 (``KeyError: UPLOAD_FOLDER``, or a missing file) to anyone
holding ``can_download``; here a file that is not in ``UPLOAD_FOLDER`` is a 404, and
the name cannot leave that folder (``send_from_directory``).
"""
from __future__ import annotations

from flask import abort, current_app, send_from_directory
from flask_appbuilder import expose, has_access
from flask_appbuilder.filemanager import uuid_originalname


class SafeDownloadMixin:
    """Mixed into every ``ModelView`` of the console (peewee and security screens)."""

    @expose("/download/<string:filename>")
    @has_access
    def download(self, filename):
        folder = current_app.config.get("UPLOAD_FOLDER")
        if not folder:
            abort(404)
        return send_from_directory(folder, filename, as_attachment=True,
                                   download_name=uuid_originalname(filename))
