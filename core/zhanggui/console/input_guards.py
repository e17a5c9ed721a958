"""Request guards that turn malformed input into a 4xx before any view runs.

* Bodies larger than ``MAX_CONTENT_LENGTH`` (setting ``ZHANGGUI_MAX_CONTENT_LENGTH``)
  are refused with 413 before they are read; a view that takes larger files (an
  import screen) declares its own limit with :func:`upload_limit`, applied before
  anything reads the body (the CSRF check does).  An API request gets a JSON body.
* ``?q=`` (Flask-AppBuilder's rison arguments) that the rison parser cannot read
  answers 400 with a JSON message: the parser raises ``ValueError`` for numbers like
  ``-3.0e+16``, which Flask-AppBuilder does not catch.
* A sign-in through the API with a NUL or a lone surrogate in the username or the
  password answers 401, as wrong credentials do.
* Console list page arguments (``page_<View>=``, ``psize_<View>=``) must be whole
  numbers; anything else answers 400 instead of failing inside the list.
"""
from __future__ import annotations

import re

from flask import Flask, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

_PAGE_ARG = re.compile(r"^(page|psize)_.+")
_UPLOAD_LIMITS = "zhanggui.upload_limits"


def upload_limit(max_bytes: int):
    """Decorate a console view method that takes bodies up to ``max_bytes`` (an import
    screen), instead of ``MAX_CONTENT_LENGTH``."""

    def mark(view_method):
        view_method._zg_upload_limit = max_bytes
        return view_method

    return mark


def _is_api_request() -> bool:
    return request.path.startswith("/api/")


def _upload_limits(app: Flask) -> dict[str, int]:
    limits = app.extensions.get(_UPLOAD_LIMITS)
    if limits is None:
        limits = {endpoint: func._zg_upload_limit for endpoint, func in app.view_functions.items()
                  if getattr(func, "_zg_upload_limit", None)}
        app.extensions[_UPLOAD_LIMITS] = limits
    return limits


def _apply_upload_limit() -> None:
    """The route's own limit, then the body's size checked before any view reads it
    (Flask-AppBuilder's API views would turn the 413 raised inside them into 500)."""
    limit = _upload_limits(current_app).get(request.endpoint)
    if limit:
        request.max_content_length = limit
    limit = request.max_content_length
    if not limit or request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
    elif _is_api_request():
        request.get_data(cache=True)  # a body without a length is cut at the limit


def _rison_readable():
    value = request.args.get("q")
    if not value or not _is_api_request():
        return None
    import prison

    try:
        prison.loads(value)
    except prison.decoder.ParserException:
        return None  # Flask-AppBuilder answers these itself (and tries JSON first)
    except Exception:  # noqa: BLE001 - the parser's ValueError, IndexError, ...
        from ..i18n import _

        return jsonify(message=_("The q argument is not valid rison.")), 400
    return None


def _sign_in_text_readable():
    """``POST /api/v1/security/login`` with a NUL or a lone surrogate in the username
    or password is refused like wrong credentials (401): Flask-AppBuilder's own check
    of the password cannot encode a lone surrogate, and no account has either."""
    if request.endpoint != "SecurityApi.login" or request.method != "POST":
        return None
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None
    from .datamodel.safe_fields import text_problem

    if any(isinstance(data.get(k), str) and text_problem(data[k])
           for k in ("username", "password")):
        from .audit import record

        record("login-failed", "User", fields=["username"])
        return jsonify(message="Not authorized"), 401
    return None


def _page_args_readable():
    if _is_api_request():
        return None
    for name, value in request.args.items():
        if _PAGE_ARG.match(name) and not re.fullmatch(r"\s*-?\d{1,18}\s*", value):
            from ..i18n import _

            return _("Page numbers and sizes must be whole numbers."), 400
    return None


def install(app: Flask) -> None:
    """Install the guards (see module doc); call once the views are registered and
    before the CSRF check is installed (it reads the body)."""
    app.before_request(_apply_upload_limit)
    app.before_request(_rison_readable)
    app.before_request(_page_args_readable)
    app.before_request(_sign_in_text_readable)

    @app.errorhandler(HTTPException)
    def _api_http_error(exc: HTTPException):
        """A URL no API route matches (``/api/v1/audit_log/-1``) or a method it does
        not take answers JSON, as every API answer does; console pages are unchanged."""
        if isinstance(exc, RequestEntityTooLarge):
            return _too_large(exc)
        if not _is_api_request() or exc.code is None:
            return exc
        answer = jsonify(message=exc.name)
        answer.status_code = exc.code
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                answer.headers[name] = value
        return answer

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        from ..i18n import _

        limit = request.max_content_length or app.config.get("MAX_CONTENT_LENGTH")
        message = _("The request is larger than the %(size)s MB this server accepts.",
                    size=round((limit or 0) / 1_000_000, 1))
        if _is_api_request():
            return jsonify(message=message), 413
        return message, 413
