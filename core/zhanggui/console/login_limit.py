"""One sign-in limit for every door: the console form and ``POST /api/v1/security/login``.

Counted per client address and per account, in the limiter's storage (the queue's
Redis when ``ZHANGGUI_QUEUE_URL`` is ``redis://…``, so every worker and host shares
the counts; else this process's memory):

* **per client address**: ``LOGIN_RATE_LIMIT`` attempts (default 10 per minute),
  the console form and the API together;
* **per account** (the username tried, case-insensitive): ``LOGIN_ACCOUNT_RATE_LIMIT``
  attempts (default 10 per minute) from all addresses together;
* **back-off per account**: after :data:`BACKOFF_AFTER` failed sign-ins in a row
  (counted for :data:`FAILURE_MEMORY` from the first), every further attempt waits: 30 seconds after the
  5th failure, doubling with each failure after it, at most 15 minutes.  A
  successful sign-in clears the account's failures.

A refused attempt answers 429 (the API with ``{"message": ...}`` and ``Retry-After``)
and writes a ``login-failed`` audit entry with the field ``throttled``; a wrong
password or an unknown account writes one as before (see ``auth.py``).
"""
from __future__ import annotations

from flask import Flask, current_app, jsonify, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

BACKOFF_AFTER = 5
BACKOFF_FIRST = 30          # seconds of waiting after the BACKOFF_AFTER-th failure
BACKOFF_MAX = 15 * 60       # seconds
FAILURE_MEMORY = 60 * 60    # seconds after the first failure that the failures are kept

_KEY = "zhanggui.login_limit"
LOGIN_ENDPOINTS = ("AuthDBView.login", "SecurityApi.login")


class LoginLimit:
    """The counts of one app (``app.extensions["zhanggui.login_limit"]``)."""

    def __init__(self, app: Flask, per_address: str, per_account: str):
        self.storage = storage_from_string(app.config.get("RATELIMIT_STORAGE_URI",
                                                          "memory://"))
        self.window = MovingWindowRateLimiter(self.storage)
        self.per_address = parse(per_address)
        self.per_account = parse(per_account)

    @staticmethod
    def _account(username: str) -> str:
        return str(username or "").strip().lower()[:256]

    def backoff_seconds(self, failures: int) -> int:
        """How long an account waits after ``failures`` failed sign-ins in a row."""
        if failures < BACKOFF_AFTER:
            return 0
        return min(BACKOFF_FIRST * 2 ** (failures - BACKOFF_AFTER), BACKOFF_MAX)

    def refuse(self, address: str, username: str) -> int | None:
        """Count one attempt; the seconds to wait when it is refused, else ``None``."""
        account = self._account(username)
        if account:
            locked = self.storage.get(f"zg-login-lock/{account}")
            if locked:
                return max(int(self.storage.get_expiry(f"zg-login-lock/{account}")
                               - _now()), 1)
        if not self.window.hit(self.per_address, "zg-login-address", address):
            return self.per_address.get_expiry()
        if account and not self.window.hit(self.per_account, "zg-login-account", account):
            return self.per_account.get_expiry()
        return None

    def failed(self, username: str) -> None:
        account = self._account(username)
        if not account:
            return
        failures = self.storage.incr(f"zg-login-fail/{account}", FAILURE_MEMORY)
        wait = self.backoff_seconds(failures)
        if wait:
            self.storage.clear(f"zg-login-lock/{account}")
            self.storage.incr(f"zg-login-lock/{account}", wait)

    def succeeded(self, username: str) -> None:
        account = self._account(username)
        if account:
            self.storage.clear(f"zg-login-fail/{account}")
            self.storage.clear(f"zg-login-lock/{account}")


def _now() -> float:
    import time

    return time.time()


def login_limit(app: Flask | None = None) -> LoginLimit | None:
    """The app's sign-in limit, or ``None`` when rate limiting is off (tests)."""
    app = app or current_app
    return app.extensions.get(_KEY)


def _attempted_username() -> str:
    if request.is_json:
        data = request.get_json(silent=True)
        return str(data.get("username") or "") if isinstance(data, dict) else ""
    return request.form.get("username", "")


def _client_address() -> str:
    return request.remote_addr or "unknown"


def install(app: Flask, per_address: str, per_account: str) -> None:
    """Count sign-in attempts at both doors (see module doc)."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    app.extensions[_KEY] = LoginLimit(app, per_address, per_account)

    @app.before_request
    def _limit_sign_in():
        if request.method != "POST" or request.endpoint not in LOGIN_ENDPOINTS:
            return None
        username = _attempted_username()
        wait = app.extensions[_KEY].refuse(_client_address(), username)
        if wait is None:
            return None
        from ..i18n import _
        from .audit import record

        from .datamodel.safe_fields import text_problem

        target = app.appbuilder.sm.find_user(username=username) \
            if username and not text_problem(username) else None
        record("login-failed", "User", pk=getattr(target, "id", None),
               fields=["throttled"])
        message = _("Too many sign-in attempts. Try again in %(seconds)s seconds.",
                    seconds=wait)
        if request.path.startswith("/api/"):
            answer = jsonify(message=message)
        else:
            answer = current_app.response_class(message, mimetype="text/plain")
        answer.status_code = 429
        answer.headers["Retry-After"] = str(wait)
        return answer
