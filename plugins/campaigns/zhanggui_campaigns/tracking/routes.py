"""The public tracking routes (no sign-in: they are followed from a member's mailbox).

``GET /c/o/<token>.gif`` counts an open; ``GET /c/l/<token>/<link>`` counts a click
and redirects to the campaign's own stored link (never to an address in the URL, so
it is no open redirect); ``GET /c/u/<token>`` asks to confirm an unsubscribe and
``POST`` records it — the same POST is RFC 8058's one-click ``List-Unsubscribe-Post``.
Tokens are 128 random bits; an unknown token is a 404 that says nothing more.
"""
from __future__ import annotations

import base64

from flask import Blueprint, Response, abort, redirect, render_template

from .service import record_click, record_open, recipient, unsubscribe

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

blueprint = Blueprint("campaigns_tracking", __name__, template_folder="../templates")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@blueprint.route("/c/o/<token>.gif")
def opened(token):
    record_open(token)
    return _no_store(Response(PIXEL, mimetype="image/gif"))


@blueprint.route("/c/l/<token>/<int:link_id>")
def clicked(token, link_id):
    url = record_click(token, link_id)
    if url is None:
        abort(404)
    return _no_store(redirect(url, code=302))


@blueprint.route("/c/u/<token>", methods=["GET"])
def unsubscribe_page(token):
    row = recipient(token)
    if row is None:
        abort(404)
    return _no_store(Response(render_template("campaigns/unsubscribe.html", row=row,
                                              done=row.unsubscribed_at is not None)))


@blueprint.route("/c/u/<token>", methods=["POST"])
def unsubscribe_post(token):
    row = unsubscribe(token)
    if row is None:
        abort(404)
    return _no_store(Response(render_template("campaigns/unsubscribe.html", row=row,
                                              done=True)))
