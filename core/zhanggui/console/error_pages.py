"""The console's own error pages: 403, 404 and 405 in the user's language, inside
the console's frame (navbar, language switch), and JSON for the REST API.

Flask's default pages are bare English HTML; a store manager who follows a stale
link should land on a page that reads like the rest of the console and offers the
way back.  API clients (``/api/…``) get ``{"message": …}`` as every other API
error.

Server errors (500) keep Flask's minimal page (drawing the navbar needs the
database, which may be what failed), except when a plugin's hook implementation
raised: then the page, and the API's JSON answer, name the plugin, its distribution
and the hook (:func:`zhanggui.hook_failure`), so whoever reads it knows which
plugin to fix or disable.
"""
from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, jsonify, render_template, request, send_from_directory
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from ..i18n import _, _l

log = logging.getLogger("zhanggui.console")

#: status → (title, explanation) shown to the user
MESSAGES = {
    403: (_l("Not allowed"),
          _l("Your role does not allow you to open this page or change this record.")),
    404: (_l("Page not found"),
          _l("There is no such page, or the record it showed no longer exists or is "
             "outside your stores.")),
    405: (_l("Not possible here"),
          _l("This page cannot be used in that way. Go back and use the buttons on "
             "the page.")),
}


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def install(app: Flask, appbuilder) -> None:
    def handle(exc: HTTPException):
        title, text = MESSAGES[exc.code]
        if is_api_request():
            return jsonify(message=str(text)), exc.code
        page = render_template("zhanggui/error.html", status=exc.code, title=title,
                               text=text, base_template=appbuilder.base_template,
                               appbuilder=appbuilder)
        response = app.make_response((page, exc.code))
        if exc.code == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    for code in MESSAGES:
        app.register_error_handler(code, handle)
    app.register_error_handler(500, lambda exc: server_error(exc, appbuilder))
    install_favicon(app)


def server_error(exc: InternalServerError, appbuilder):
    """A 500: JSON for the API, naming the failed plugin and hook when there is one;
    in the console, a page naming them (Flask's own page otherwise)."""
    from ..hookfailures import hook_failure, log_hook_failure

    cause = getattr(exc, "original_exception", None)
    where = hook_failure(cause) if cause is not None else {}
    if where:
        log_hook_failure(cause)  # one nobody handled (a firstresult hook's): say so
    if not where:
        if is_api_request():
            return jsonify(message=exc.name), 500
        return exc
    text = _("The plugin %(plugin)s (distribution %(distribution)s) failed in %(hook)s, "
             "so this request was not completed. Tell your administrator; the server's "
             "log has the details.", plugin=where["plugin"], hook=where["hook"],
             distribution=where["distribution"] or "-")
    if is_api_request():
        return jsonify(message=text, **where), 500
    title = _("A plugin failed")
    try:
        page = render_template("zhanggui/error.html", status=500, title=title, text=text,
                               base_template=appbuilder.base_template,
                               appbuilder=appbuilder)
    except Exception:  # noqa: BLE001 - the frame needs the database; say it plainly
        log.exception("the error page could not be drawn in the console's frame")
        page = f"<!doctype html><title>{escape(title)}</title><h1>{escape(title)}</h1>" \
               f"<p>{escape(text)}</p>"
    return page, 500


def install_favicon(app: Flask) -> None:
    """Browsers ask for ``/favicon.ico`` on every page; answer with the console's icon
    (an SVG, which every current browser accepts there) instead of a 404."""
    folder = Path(__file__).resolve().parent.parent / "static" / "zhanggui"

    def favicon():
        return send_from_directory(folder, "favicon.svg", mimetype="image/svg+xml",
                                   max_age=86400)

    app.add_url_rule("/favicon.ico", "zhanggui_favicon", favicon)
