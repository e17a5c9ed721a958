"""The console's own error pages: 403, 404 and 405 in the user's language, inside
the console's frame (navbar, language switch), and JSON for the REST API.

Flask's default pages are bare English HTML; a store manager who follows a stale
link should land on a page that reads like the rest of the console and offers the
way back.  API clients (``/api/…``) get ``{"message": …}`` as every other API
error.  Server errors (500) keep Flask's minimal page: drawing the navbar needs the
database, which may be what failed.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template, request, send_from_directory
from werkzeug.exceptions import HTTPException

from ..i18n import _l

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
    install_favicon(app)


def install_favicon(app: Flask) -> None:
    """Browsers ask for ``/favicon.ico`` on every page; answer with the console's icon
    (an SVG, which every current browser accepts there) instead of a 404."""
    folder = Path(__file__).resolve().parent.parent / "static" / "zhanggui"

    def favicon():
        return send_from_directory(folder, "favicon.svg", mimetype="image/svg+xml",
                                   max_age=86400)

    app.add_url_rule("/favicon.ico", "zhanggui_favicon", favicon)
