"""JSON answers of the call-center API, one shape for all."""
from __future__ import annotations

import json
from typing import Any

from flask import Response


def json_answer(status: int, body: Any) -> Response:
    # a lone surrogate echoed from the request stays a JSON escape, not a 500
    return Response(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace"),
                    status=status,
                    mimetype="application/json")
