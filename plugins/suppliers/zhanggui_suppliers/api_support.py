"""JSON answers and body checking shared by the plugin's REST endpoints: a marshmallow
schema checks the body; refusals are 422 with ``{"message": {field: [messages]}}``."""
from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from marshmallow import Schema, ValidationError

from zhanggui import _

from .errors import SupplierError


def answer(status: int, body: Any) -> Response:
    # a lone surrogate echoed from the request stays a JSON escape, not a 500
    return Response(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace"),
                    status=status,
                    mimetype="application/json")


def load_body(schema: Schema) -> tuple[dict | None, Response | None]:
    data = request.get_json(silent=True)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, answer(400, {"message": _("The request body is not a JSON object.")})
    try:
        return schema.load(data), None
    except ValidationError as exc:
        return None, answer(422, {"message": exc.messages})


def run_command(command, to_json) -> Response:
    try:
        result = command()
    except SupplierError as exc:
        return answer(422, {"message": exc.messages})
    return answer(200, {"result": to_json(result)})
