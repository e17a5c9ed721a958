"""Sign-in, sessions and API authentication for the console and the REST API.

:class:`ZhangguiSecurityManager` is Flask-AppBuilder's security manager with:

* a login that clears the old session and starts a new one (session rotation),
  follows ``next=`` only to a path on this site (never to another host, whatever
  the ``Host`` header says), is not cacheable, is rate limited together with
  ``POST /api/v1/security/login`` (per address and per account, with a back-off:
  :mod:`zhanggui.console.login_limit`) and writes a ``login`` audit entry, or a
  ``login-failed`` one (the account tried, never the password);
* sessions and JWTs bound to the password: each carries a keyed stamp of the
  user's password hash, so changing a password (by the user or an admin) ends every
  other session and refuses every access and refresh token issued before;
* the guarded user, role and group screens of :mod:`zhanggui.console.user_admin`;
* no "User's Statistics" screen (it loads Google Charts from the internet).

:func:`install` adds CSRF protection to every state-changing console request, and to
every REST API request that relies on a browser session cookie: an API call is
authenticated by ``Authorization: Bearer <JWT or API key>``, or, from the console's
own pages, by the session cookie plus an ``X-CSRFToken`` header.  This holds for
every ``BaseApi`` a plugin registers, with nothing to declare.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, g, jsonify, redirect, request, session
from flask_appbuilder._compat import as_unicode
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.decorators import no_cache
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.views import AuthDBView as FABAuthDBView
from flask_appbuilder.security.views import expose
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from .access import CachedAccessMixin
from .user_admin import RoleModelView, UserDBModelView, UserGroupModelView

SESSION_STAMP = "_zg_pw"
JWT_STAMP = "zg_pw"
# session keys that survive the rotation at login (the language chosen before it)
_KEEP_AT_LOGIN = ("locale",)
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def password_stamp(user: Any) -> str:
    """A keyed digest of the user's password hash: changes whenever the password does.

    The hash itself never leaves the database (the session cookie is signed, not
    encrypted).
    """
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    data = f"{user.id}:{user.password or ''}".encode("utf-8")
    return hmac.new(key, data, hashlib.sha256).hexdigest()[:32]


def safe_next_url(target: str | None) -> str:
    """``target`` if it is a path on this site, else the console's index.

    Absolute URLs are refused even when they name the request's own host, because
    that host comes from the client's ``Host`` header (CVE-2025-32962).
    """
    index = current_app.appbuilder.get_url_for_index
    if not target or not target.startswith("/") or target.startswith("//"):
        return index
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return index
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return index
    return target


def start_session(user: Any) -> None:
    """Sign ``user`` in on a fresh session: nothing of the session before survives
    but the chosen language."""
    from .audit import record

    kept = {key: session[key] for key in _KEEP_AT_LOGIN if key in session}
    session.clear()
    session.update(kept)
    login_user(user, remember=False)
    session[SESSION_STAMP] = password_stamp(user)
    session["_zg_sid"] = secrets.token_urlsafe(16)
    record("login", "session", pk=user.id, user=user)


class AuthDBView(FABAuthDBView):
    """The database login (same name as FAB's, so its permissions and URLs stay)."""

    def _get_safe_next_url(self) -> str:
        return safe_next_url(request.args.get("next"))

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = LoginForm_db()
        if form.validate_on_submit():
            next_url = self._get_safe_next_url()
            user = self.appbuilder.sm.auth_user_db(form.username.data, form.password.data)
            if not user:
                flash(as_unicode(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            start_session(user)
            return redirect(next_url)
        return self.render_template(self.login_template, title=self.title, form=form,
                                    appbuilder=self.appbuilder)


class ZhangguiSecurityManager(CachedAccessMixin, SecurityManager):
    """FAB's SQLAlchemy security manager with Zhanggui's rules (see module doc), its
    access checks answered from the worker's security cache (console/access.py)."""

    authdbview = AuthDBView
    userdbmodelview = UserDBModelView
    rolemodelview = RoleModelView
    groupmodelview = UserGroupModelView
    # FAB's "User's Statistics" draws with Google Charts, fetched from gstatic.com: the
    # console loads nothing from another host (and the view answered 500 to a bad URL)
    userstatschartview = None

    def auth_user_db(self, username, password):
        """FAB's check of a username and password (console and API sign-in alike); a
        refusal writes a ``login-failed`` audit entry naming the account tried when it
        exists — never the password, nor a username that matches no account (it may
        be a password typed in the wrong box)."""
        from .datamodel.safe_fields import text_problem

        if any(isinstance(v, str) and text_problem(v) for v in (username, password)):
            # no account has a NUL or a lone surrogate in its name or password, and the
            # database driver would fail on them: refused like a wrong password
            from .audit import record

            record("login-failed", "User", fields=["username"])
            return None
        user = super().auth_user_db(username, password)
        from .login_limit import login_limit

        limit = login_limit()
        if limit is not None:
            (limit.succeeded if user is not None else limit.failed)(username)
        if user is None:
            from .audit import record

            target = self.find_user(username=username) if username else None
            record("login-failed", "User", pk=getattr(target, "id", None),
                   fields=["username" if target is None else "password"])
        return user

    def reset_password(self, userid: int, password: str) -> bool:
        """Change a password; other sessions of that user end at their next request.
        The user's own session, when they changed it themselves, carries on."""
        done = super().reset_password(userid, password)
        user = getattr(g, "user", None)
        if getattr(user, "is_authenticated", False) and user.id == userid and \
                SESSION_STAMP in session:
            session[SESSION_STAMP] = password_stamp(self.get_user_by_id(userid))
        from .audit import record

        record("permission-change", "User", pk=userid, fields=["password"])
        return done

    def create_jwt_manager(self, app: Flask):
        jwt = super().create_jwt_manager(app)

        @jwt.additional_claims_loader
        def _stamp_claims(identity):
            user = self.get_user_by_id(int(identity))
            return {JWT_STAMP: password_stamp(user)} if user else {}

        @jwt.token_verification_loader
        def _stamp_matches(_header, data) -> bool:
            user = self.get_user_by_id(int(data["sub"]))
            return bool(user and user.is_active and
                        hmac.compare_digest(str(data.get(JWT_STAMP, "")), password_stamp(user)))

        @jwt.token_verification_failed_loader
        def _stale(_header, _data):
            from ..i18n import _

            return jsonify(msg=_("The token is no longer valid; sign in again.")), 401

        return jwt


# ------------------------------------------------------------------ request guards
def _end_stale_session() -> None:
    """A session whose password stamp no longer matches the user's ends here."""
    if "_user_id" not in session or getattr(g, "_api_key_user", False):
        return
    if not current_user.is_authenticated:
        return
    if not hmac.compare_digest(str(session.get(SESSION_STAMP, "")),
                               password_stamp(current_user)):
        logout_user()
        session.clear()
        g.user = current_user


def _api_blueprints(appbuilder) -> set[str]:
    names = current_app.extensions.get("zhanggui.api_blueprints")
    if names is None:
        names = {v.blueprint.name for v in appbuilder.baseviews
                 if isinstance(v, BaseApi) and getattr(v, "blueprint", None)}
        current_app.extensions["zhanggui.api_blueprints"] = names
    return names


def install(app: Flask, appbuilder) -> CSRFProtect:
    """CSRF for every console form and session-authenticated API call, stale-session
    ending; call once every view and API is registered."""
    csrf = CSRFProtect(app)
    for view in appbuilder.baseviews:
        if isinstance(view, BaseApi) and getattr(view, "blueprint", None):
            csrf.exempt(view.blueprint)  # checked below, only when a session is used

    @app.before_request
    def _zhanggui_request_guards():
        _end_stale_session()
        if request.method in _SAFE_METHODS or request.blueprint not in _api_blueprints(appbuilder):
            return None
        if "Authorization" in request.headers or "_user_id" not in session:
            return None  # token auth: a cross-site page cannot set this header
        csrf.protect()
        return None

    @app.errorhandler(CSRFError)
    def _csrf_refused(exc: CSRFError):
        from ..i18n import _

        message = _("The request was refused: its CSRF token is missing or invalid. "
                    "Reload the page and try again.")
        if request.blueprint in _api_blueprints(appbuilder):
            return jsonify(message=message), 400
        return message, 400

    return csrf
