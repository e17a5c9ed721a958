"""Flask-AppBuilder's access checks answered from the worker's security cache.

:class:`CachedAccessMixin` goes in front of FAB's security manager and answers, from
:mod:`zhanggui.console.seccache`, what FAB would otherwise read on every request:

* ``is_item_public`` — the Public role's permissions;
* ``has_access`` / ``_has_view_access`` — a user's permissions through their roles
  and groups' roles, as one set per user;
* ``get_user_menu_access`` — the menu entries a user sees (one set look-up per entry
  instead of a query per menu);
* ``validate_api_key`` — the key's row and the user it acts as.  The request's
  ``g.user`` is then a :class:`CachedUser` (id, names, roles; no ORM object, so the
  request needs no security session at all); ``last_used_on`` is written at most
  once a minute per key and worker, in its own statement, outside the request's
  transaction.

Console sessions and JWTs still load their user (one statement); their rights come
from the same cache.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from flask import g, has_request_context, request
from flask_login import current_user
from werkzeug.security import check_password_hash

from ..db import database
from .seccache import security_cache

KEY_TOUCH_SECONDS = 60


@dataclass(frozen=True)
class CachedRole:
    id: int
    name: str


@dataclass(frozen=True)
class UserAccess:
    """A user's identity and rights as the cache keeps them."""

    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    active: bool
    roles: tuple[CachedRole, ...]
    permissions: frozenset[tuple[str, str]]


class CachedUser:
    """The user an API key acts as, for the request (``g.user``)."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, access: UserAccess):
        self._access = access
        self.id = access.id
        self.username = access.username
        self.first_name = access.first_name
        self.last_name = access.last_name
        self.email = access.email
        self.active = access.active
        self.roles = list(access.roles)
        self.groups: list = []

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return str(self.id)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def __repr__(self) -> str:
        return self.username


@dataclass(frozen=True)
class CachedKey:
    id: int
    key_hash: str
    user_id: int
    active: bool
    revoked: bool
    expires_on: dt.datetime | None

    @property
    def usable(self) -> bool:
        # FAB stores and compares expiry on its own naive local clock
        return self.active and not self.revoked and \
            (self.expires_on is None or self.expires_on > dt.datetime.now())


class CachedAccessMixin:
    """See the module doc; mixed in before FAB's ``SecurityManager``."""

    _key_touched: dict[int, float]

    # ------------------------------------------------------------ loading
    def _cached(self, key, load, keep_none=True):
        cache = security_cache()
        return load() if cache is None else cache.get(key, load, keep_none)

    def _load_access(self, user_id: int) -> UserAccess | None:
        user = self.get_user_by_id(user_id)
        if user is None:
            return None
        roles = list(user.roles) + [r for group in user.groups for r in group.roles]
        permissions = set()
        for role in roles:
            permissions |= self.get_role_permissions(role)
        return UserAccess(id=user.id, username=user.username, first_name=user.first_name or "",
                          last_name=user.last_name or "", email=user.email or "",
                          active=bool(user.active),
                          roles=tuple(CachedRole(r.id, r.name) for r in roles),
                          permissions=frozenset(permissions))

    def user_access(self, user_id: int) -> UserAccess | None:
        """The cached identity and rights of the user ``user_id``."""
        return self._cached(("user", int(user_id)), lambda: self._load_access(int(user_id)))

    def _public_permissions(self) -> frozenset[tuple[str, str]]:
        def load():
            return frozenset((pv.permission.name, pv.view_menu.name)
                             for pv in self.get_public_permissions())
        return self._cached(("public",), load)

    # ------------------------------------------------------------ FAB's checks
    def is_item_public(self, permission_name, view_name):
        return (permission_name, view_name) in self._public_permissions()

    def _builtin(self, access: UserAccess, permission_name: str, view_name: str) -> bool:
        return any(role.name in self.builtin_roles and
                   self._has_access_builtin_roles(role, permission_name, view_name)
                   for role in access.roles)

    def _has_view_access(self, user, permission_name, view_name) -> bool:
        if not getattr(user, "is_authenticated", False):
            return self.is_item_public(permission_name, view_name)
        access = self.user_access(user.id)
        if access is None or not access.active:
            return False
        return (permission_name, view_name) in access.permissions or \
            self._builtin(access, permission_name, view_name)

    def _request_user(self):
        """The user FAB authenticated for this request (API key, session, JWT), or None."""
        if getattr(g, "_api_key_user", False) and hasattr(g, "user"):
            return g.user
        if current_user.is_authenticated:
            return current_user
        from flask_jwt_extended import current_user as current_user_jwt

        try:
            return current_user_jwt or None
        except RuntimeError:  # no JWT verified in this request
            return None

    def has_access(self, permission_name, view_name) -> bool:
        # answered once per request and permission: the menu asks for every entry
        # (by user: a request may ask before its JWT is verified, then after)
        asked = request.environ.setdefault("zhanggui.has_access", {}) \
            if has_request_context() else {}
        user = self._request_user()
        key = (getattr(user, "id", None), permission_name, view_name)
        if key not in asked:
            asked[key] = self.is_item_public(permission_name, view_name) if user is None \
                else self._has_view_access(user, permission_name, view_name)
        return asked[key]

    def get_user_menu_access(self, menu_names=None):
        user = self._request_user()
        names = menu_names or []
        if user is None:
            allowed = self._public_permissions()
            return {name for name in names if ("menu_access", name) in allowed}
        access = self.user_access(user.id)
        if access is None or not access.active:
            return set()
        return {name for name in names if ("menu_access", name) in access.permissions or
                self._builtin(access, "menu_access", name)}

    # ------------------------------------------------------------ API keys
    def _load_key(self, lookup: str) -> CachedKey | None:
        model = self.api_key_model
        key = self.session.query(model).filter(model.lookup_hash == lookup).one_or_none()
        if key is None:
            return None
        return CachedKey(id=key.id, key_hash=key.key_hash, user_id=key.user_id,
                         active=bool(key.active), revoked=key.revoked_on is not None,
                         expires_on=key.expires_on)

    def validate_api_key(self, api_key_string: str):
        lookup = self._compute_lookup_hash(api_key_string)
        # unknown keys are not kept: a stream of made-up keys must not fill the cache
        key = self._cached(("key", lookup), lambda: self._load_key(lookup), keep_none=False)
        if key is None or not check_password_hash(key.key_hash, api_key_string):
            return None
        if not key.usable:
            return None
        access = self.user_access(key.user_id)
        if access is None or not access.active:
            return None
        self._touch_key(key.id)
        user = CachedUser(access)
        g.user = user
        g._api_key_user = True
        return user

    def _touch_key(self, key_id: int) -> None:
        """``last_used_on`` at most once a minute per key (and worker), autocommitted
        on its own before the request's work starts."""
        touched = self.__dict__.setdefault("_key_touched", {})
        now = time.monotonic()
        if now - touched.get(key_id, -KEY_TOUCH_SECONDS) < KEY_TOUCH_SECONDS:
            return
        touched[key_id] = now
        table = self.api_key_model.__table__.name
        param = database.param
        database.execute_sql(f"UPDATE {table} SET last_used_on = {param} WHERE id = {param}",
                             (dt.datetime.now(), key_id))
