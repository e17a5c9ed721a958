"""The console works offline: Flask-AppBuilder's bundled files that would reach the
internet are not served.

FAB ships Google's chart loader (``js/google_charts.js``, which fetches the charts
library from gstatic.com) and the Bootswatch themes (``css/themes/*``, which
``@import`` Google Fonts).  The console uses neither (charts are the vendored
Chart.js, ``APP_THEME`` is empty), so both answer 404 and no page can pull them in.
``tests/console/security/test_no_foreign_hosts.py`` fails when FAB bundles another
such file.
"""
from __future__ import annotations

import posixpath

from flask import Flask, abort, request

BLOCKED_STATIC = ("js/google_charts.js", "css/themes/")


def is_blocked(filename: str) -> bool:
    """Whether FAB's static file ``filename`` (as in the URL) is withheld."""
    normal = posixpath.normpath("/" + (filename or "")).lstrip("/")
    return any(normal == b or (b.endswith("/") and normal.startswith(b))
               for b in BLOCKED_STATIC)


def install(app: Flask) -> None:
    @app.before_request
    def _zhanggui_offline_static():
        if request.endpoint == "appbuilder.static" and \
                is_blocked((request.view_args or {}).get("filename", "")):
            abort(404)
