"""Who is acting: the signed-in user of the request (console, API key or JWT), else
the system (CLI, jobs).  Recorded by name on tag assignments and merge records."""
from __future__ import annotations

from typing import Any

from flask import g, has_request_context


def acting_user(user: Any = None) -> tuple[int | None, str]:
    """``(user id, user name)`` of ``user``, else of the request's user, else
    ``(None, "")``."""
    if user is None and has_request_context():
        user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, ""
    return getattr(user, "id", None), str(getattr(user, "username", "") or "")
