"""Store scope: which stores' records a console or API user may reach (record rules).

A user holding the permission ``core.all_stores`` is unrestricted (head-office admin,
auditor, marketing, call center, buyer by default).  Everyone else — the store-scoped
roles Store manager and Store staff, and any role an admin creates without that
permission (deny by default) — reaches only the stores assigned to them in
``zhanggui_user_store`` (Security → Store assignments), and nothing when they have
no assignment.  The same holds for API-key and JWT users: a POS terminal's key is
bound to a user, and that user's stores apply.

A screen or API applies the rule by mixing in :class:`StoreScopedMixin`::

    from zhanggui.console.datamodel import ModelView, PeeweeInterface
    from zhanggui.console.scope import StoreScopedMixin

    class MemberView(StoreScopedMixin, ModelView):
        datamodel = PeeweeInterface(Member)
        store_field = "home_store"        # a foreign key to a model with a ``code``

Because it works through ``scope_query``, the rule applies to list, show, edit,
delete, the REST API and exports alike; an out-of-scope record answers 404 and an
add or edit that would leave the user's stores is refused.
"""
from __future__ import annotations

from typing import Any, Callable

import peewee
from flask import current_app, g, has_request_context
from wtforms import SelectField

from ..db import Model
from ..i18n import _l
from ..registry import Permission
from .datamodel import ModelView, PeeweeInterface

ALL_STORES = "core.all_stores"
ALL_STORES_PERMISSION = Permission(ALL_STORES, _l("See and change the records of every store"))


class UserStore(Model):
    """A console user's assignment to one store, by store code."""

    user_id = peewee.IntegerField(index=True)
    store_code = peewee.CharField(max_length=32)

    class Meta:
        table_name = "zhanggui_user_store"
        indexes = ((("user_id", "store_code"), True),)

    def __str__(self):
        return f"{self.user_id}@{self.store_code}"


def migrate_user_store(ctx) -> None:
    """Migration ``core:0003_user_store``."""

    class UserStore0003(Model):
        user_id = peewee.IntegerField(index=True)
        store_code = peewee.CharField(max_length=32)

        class Meta:
            table_name = "zhanggui_user_store"
            indexes = ((("user_id", "store_code"), True),)

    ctx.create_tables([UserStore0003])


def store_codes_of(user_id: int) -> set[str]:
    """The store codes assigned to the user ``user_id``."""
    return {row.store_code for row in UserStore.select(UserStore.store_code)
            .where(UserStore.user_id == user_id)}


def user_store_codes() -> set[str] | None:
    """The stores the signed-in user may reach: ``None`` means every store.

    Works for console sessions, API keys and JWT alike (the user Flask-AppBuilder
    authenticated for this request).  No signed-in user: an empty set.  Cached for
    the request.
    """
    if not has_request_context():
        return None  # CLI and jobs act for the system
    if "_zg_store_codes" in g:
        return g._zg_store_codes
    from .security import CORE_PERMISSION_VIEW

    user = getattr(g, "user", None)
    sm = current_app.appbuilder.sm
    if user is None or not getattr(user, "is_authenticated", False):
        codes: set[str] | None = set()
    elif sm._has_view_access(user, ALL_STORES, CORE_PERMISSION_VIEW):
        codes = None
    else:
        codes = set(_cached_store_codes(user.id))
    g._zg_store_codes = codes
    return codes


def known_stores() -> dict[str, str]:
    """The chain's stores, ``{code: name}`` sorted by code, as the plugins know them
    (``zhanggui_stores``)."""
    host = current_app.extensions["zhanggui"].plugins
    pairs = host.collect("zhanggui_stores", key=lambda pair: pair[0])
    return {code: name for code, name in sorted(pairs)}


_SIGNED_IN: Any = object()
MAX_ID = 2 ** 63 - 1


def member_reachable(member_id: Any, codes: Any = _SIGNED_IN) -> bool:
    """Whether member ``member_id`` exists and is within the stores ``codes``.

    ``codes``: a set of store codes, ``None`` for every store, by default the
    signed-in user's stores (:func:`user_store_codes`).  A member is within them when its home store
    (``zhanggui_member_store``) is one of them; a member without a home store is
    reachable only by users who see every store.  APIs answer 404 both for a member
    that does not exist and for one out of reach, so a store's staff cannot learn
    which ids exist elsewhere.
    """
    if codes is _SIGNED_IN:
        codes = user_store_codes()
    if isinstance(member_id, bool) or not isinstance(member_id, int) \
            or not 0 < member_id <= MAX_ID:
        return False
    host = current_app.extensions["zhanggui"].plugins
    home = host.call_first("zhanggui_member_store", member_id=member_id)
    if home is None:
        return False
    return codes is None or home in codes
def _cached_store_codes(user_id: int) -> frozenset[str]:
    """The user's stores from the worker's security cache (console/seccache.py)."""
    from .seccache import security_cache

    cache = security_cache()
    if cache is None:
        return frozenset(store_codes_of(user_id))
    return cache.get(("stores", user_id), lambda: frozenset(store_codes_of(user_id)))


StoreRule = Callable[[peewee.ModelSelect, set], peewee.ModelSelect]


def restrict_to_stores(query: peewee.ModelSelect, model: type, store_field: str | StoreRule,
                       codes: set[str], code_column: str = "code") -> peewee.ModelSelect:
    """``query`` narrowed to rows of ``model`` belonging to one of the stores ``codes``.

    ``store_field`` is a field holding the store code itself (a ``CharField``), a
    foreign key to a store model whose ``code_column`` holds the code, a dotted path
    ``"fk.column"``, or a callable ``(query, codes) -> query``.
    """
    if callable(store_field):
        return store_field(query, codes)
    if not codes:
        return query.where(peewee.SQL("1 = 0"))
    name, _, column = store_field.partition(".")
    field = model._meta.fields[name]
    if isinstance(field, peewee.ForeignKeyField):
        store = field.rel_model
        code = store._meta.fields[column or code_column]
        # a subquery, so the view's own joins stay untouched
        return query.where(field.in_(store.select(field.rel_field).where(code.in_(codes))))
    return query.where(field.in_(codes))


class StoreScopedMixin:
    """Record rule by store for a ``ModelView`` / ``ModelRestApi`` (see module doc).

    ``store_field``: see :func:`restrict_to_stores`; ``store_code_column``: the code
    column of the related store model (default ``"code"``).
    """

    store_field: str | StoreRule | None = None
    store_code_column = "code"

    def scope_query(self, query):
        query = super().scope_query(query)
        codes = user_store_codes()
        if codes is None:
            return query
        if self.store_field is None:
            raise TypeError(f"{type(self).__name__} uses StoreScopedMixin without store_field")
        # looked up on the class: a function declared in the class body stays unbound
        rule = getattr(type(self), "store_field")
        return restrict_to_stores(query, self.datamodel.obj, rule, codes,
                                  self.store_code_column)


# ------------------------------------------------------------------ console
def _user_choices() -> list[tuple[str, str]]:
    sm = current_app.appbuilder.sm
    users = sm.session.query(sm.user_model).order_by(sm.user_model.username).all()
    return [(str(u.id), f"{u.username} ({u.first_name} {u.last_name})") for u in users]


def _store_choices() -> list[tuple[str, str]]:
    return [(code, f"{code} {name}") for code, name in known_stores().items()]


def _username(user_id: Any) -> str:
    sm = current_app.appbuilder.sm
    user = sm.get_user_by_id(user_id) if user_id is not None else None
    return user.username if user else str(user_id)


class UserStoreView(ModelView):
    """Security → Store assignments: which users work for which stores.

    The store is a choice among the chain's stores (``zhanggui_stores``): a code no
    store has (a typo such as ``TP99``) is refused with a form message.
    """

    route_base = "/userstores"
    audit_exempt = True  # audited as permission changes instead
    datamodel = PeeweeInterface(UserStore)
    list_title = _l("Store assignments")
    add_title = _l("Assign a user to a store")
    edit_title = _l("Change a store assignment")
    show_title = _l("Store assignment")
    label_columns = {"user_id": _l("User"), "store_code": _l("Store code")}
    description_columns = {
        "store_code": _l("Users without the permission to see every store see only "
                         "the records of their assigned stores."),
    }
    list_columns = show_columns = ["user_id", "store_code"]
    add_columns = edit_columns = ["user_id", "store_code"]
    search_columns = ["user_id", "store_code"]
    formatters_columns = {"user_id": _username}
    add_form_extra_fields = edit_form_extra_fields = {
        "user_id": SelectField(_l("User"), choices=_user_choices, coerce=int),
        "store_code": SelectField(_l("Store"), choices=_store_choices,
                                  validate_choice=True),
    }

    def post_add(self, item):
        _audit_assignment(item, "store_code")

    def post_update(self, item):
        _audit_assignment(item, "store_code")

    def post_delete(self, item):
        _audit_assignment(item, "store_code")


def _audit_assignment(item, *fields) -> None:
    from .audit import record

    record("permission-change", UserStore._meta.table_name, pk=item.user_id, fields=fields)
