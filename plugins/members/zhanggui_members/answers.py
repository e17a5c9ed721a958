"""The JSON answers of the members plugin's API endpoints, one shape for all."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, request

from zhanggui import _


def json_answer(status: int, body: Any) -> Response:
    """``body`` (or text already encoded as JSON) as a JSON response; Chinese stays
    readable in the body rather than ``\\uXXXX`` escapes."""
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed from the request: escape it
        data = json.dumps(json.loads(text) if isinstance(body, str) else body).encode()
    return Response(data, status=status, mimetype="application/json")


def json_object_body() -> tuple[dict | None, Response | None]:
    """The request's JSON object, or a 400 answer saying the body is not one."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None, json_answer(400, {"message": _("The request body is not a JSON "
                                                      "object.")})
    return data, None
