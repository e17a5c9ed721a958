"""Users, roles and groups screens that refuse privilege escalation (FAB #2466).

Only the Head-office admin role is granted these screens by default.  Whoever else
is given them (a regional admin, say) cannot grant what they do not hold:

* a user may be given a role (directly or through a group) only if every permission
  of that role is one the acting user holds — so nobody can raise their own rights or
  anyone else's beyond their own;
* a role may be given only permissions the acting user holds.

A refused change is rolled back and shown on the form; nothing is written.  Every
accepted change writes a ``permission-change`` audit entry naming the fields changed.
"""
from __future__ import annotations

from typing import Any, Iterable

from flask import g, request
from flask_appbuilder.security.views import RoleModelView as FABRoleModelView
from flask_appbuilder.security.views import UserDBModelView as FABUserDBModelView
from flask_appbuilder.security.views import UserGroupModelView as FABUserGroupModelView

from ..i18n import _
from .downloads import SafeDownloadMixin

class EscalationRefused(Exception):
    """The acting user tried to grant more than they hold; the message says what."""


def _value(item: Any, name: str) -> Any:
    value = getattr(item, name, None)
    if isinstance(value, (list, tuple, set)):
        return frozenset(getattr(v, "id", v) for v in value)
    return getattr(value, "id", value)


def _new(items: Iterable[Any], before: frozenset | None) -> list:
    return [i for i in items if before is None or i.id not in before]


class _Guard(SafeDownloadMixin):
    """Shared by the three screens: who is acting, what they held and what the record
    looked like before the form was applied.

    Both are read before FAB fills the record from the form: filling it triggers
    SQLAlchemy autoflushes, after which the session already shows the new state (and
    an actor editing their own role would seem to hold what they are granting).
    """

    audit_resource = ""

    def _init_forms(self):
        """Flask-AppBuilder's forms, with every text field refusing text no database
        stores (NUL, lone surrogates) with a form message."""
        super()._init_forms()
        from wtforms import StringField, TextAreaField

        from .datamodel.forms import StorableText

        for form in (self.add_form, self.edit_form):
            for name in dir(form):
                unbound = getattr(form, name, None)
                if getattr(unbound, "field_class", None) is not None and \
                        issubclass(unbound.field_class, (StringField, TextAreaField)):
                    checks = list(unbound.kwargs.get("validators") or [])
                    if not any(isinstance(v, StorableText) for v in checks):
                        unbound.kwargs["validators"] = [StorableText(), *checks]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        from .display import formatters_for

        # FAB shows True/None and raw server times; these read in the user's language
        self.formatters_columns = formatters_for(self)

    def _actor_permission_ids(self) -> set[int]:
        cached = g.get("_zg_actor_permissions")
        if cached is not None:
            return cached
        actor = self.appbuilder.sm.get_user_by_id(g.user.id)
        roles = list(actor.roles) + [r for group in actor.groups for r in group.roles]
        held = {pv.id for role in roles for pv in role.permissions}
        g._zg_actor_permissions = held
        return held

    def _remember(self, pk: Any = None) -> None:
        with self.datamodel.session.no_autoflush:
            self._actor_permission_ids()
            item = self.datamodel.get(pk) if pk is not None else None
            columns = self.edit_columns if item is not None else self.add_columns
            g._zg_before = {c: _value(item, c) for c in columns} if item is not None else {}
            g._zg_columns = list(columns)

    def _add(self):
        if request.method == "POST":
            self._remember()
        return super()._add()

    def _edit(self, pk):
        if request.method == "POST":
            self._remember(pk)
        return super()._edit(pk)

    def _before(self, name: str) -> frozenset | None:
        return g.get("_zg_before", {}).get(name)

    def _check_roles(self, roles: Iterable[Any]) -> None:
        held = self._actor_permission_ids()
        for role in roles:
            if not {pv.id for pv in role.permissions} <= held:
                raise EscalationRefused(_("You cannot grant the role %(role)s: it carries "
                                          "permissions you do not hold.", role=role.name))

    def _check_permissions(self, permissions: Iterable[Any]) -> None:
        held = self._actor_permission_ids()
        missing = [pv for pv in permissions if pv.id not in held]
        if missing:
            raise EscalationRefused(_("You cannot give a role permissions you do not hold: "
                                      "%(permissions)s.",
                                      permissions=", ".join(str(pv) for pv in missing[:5])))

    def _guard(self, item: Any, check) -> None:
        session = self.datamodel.session
        with session.no_autoflush:
            try:
                check(item)
            except EscalationRefused:
                session.rollback()
                raise
            before = g.get("_zg_before", {})
            g._zg_permission_fields = [c for c in g.get("_zg_columns", [])
                                       if c not in ("password", "conf_password")
                                       and (c not in before or before[c] != _value(item, c))]

    def _audit(self, item: Any, fields: Iterable[str] | None = None) -> None:
        from .audit import record

        names = fields if fields is not None else g.pop("_zg_permission_fields", [])
        record("permission-change", self.audit_resource, pk=getattr(item, "id", None),
               fields=names)

    def post_add(self, item):
        self._audit(item)

    def post_update(self, item):
        self._audit(item)

    def post_delete(self, item):
        self._audit(item, ["deleted"])


class UserDBModelView(_Guard, FABUserDBModelView):
    """FAB's user screen (same name, so its permissions stay) with the guard."""

    audit_resource = "User"

    def _check_user(self, user: Any) -> None:
        roles = _new(user.roles, self._before("roles"))
        roles += [r for grp in _new(user.groups, self._before("groups")) for r in grp.roles]
        self._check_roles(roles)

    def pre_add(self, item):
        self._guard(item, self._check_user)
        super().pre_add(item)

    def pre_update(self, item):
        self._guard(item, self._check_user)
        super().pre_update(item)


class RoleModelView(_Guard, FABRoleModelView):
    """FAB's role screen with the guard."""

    audit_resource = "Role"

    def _check_role(self, role: Any) -> None:
        self._check_permissions(_new(role.permissions, self._before("permissions")))

    def pre_add(self, item):
        self._guard(item, self._check_role)

    def pre_update(self, item):
        self._guard(item, self._check_role)


class UserGroupModelView(_Guard, FABUserGroupModelView):
    """FAB's group screen with the guard: a group's roles reach all its users."""

    audit_resource = "Group"

    def _check_group(self, group: Any) -> None:
        if not g.get("_zg_before") or _new(group.users, self._before("users")):
            self._check_roles(group.roles)  # new group, or new members get every role
        else:
            self._check_roles(_new(group.roles, self._before("roles")))

    def pre_add(self, item):
        self._guard(item, self._check_group)

    def pre_update(self, item):
        self._guard(item, self._check_group)
