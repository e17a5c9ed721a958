"""Default roles and the grants plugins give them."""
from __future__ import annotations

from flask import Flask, current_app, g

from ..registry import RoleGrant

CORE_PERMISSION_VIEW = "Zhanggui"

DEFAULT_ROLES = ("Head-office admin", "Store manager", "Store staff", "Call-center agent",
                 "Marketing", "Buyer", "Auditor")

# what every signed-in role needs: its own profile, password and language
SELF_SERVICE = ("can_userinfo on UserDBModelView", "resetmypassword on UserDBModelView",
                "can_this_form_get on ResetMyPasswordView",
                "can_this_form_post on ResetMyPasswordView")


def _split(permission: str) -> tuple[str, str]:
    if " on " in permission:
        perm, view = permission.split(" on ", 1)
        return perm.strip(), view.strip()
    return permission, CORE_PERMISSION_VIEW


def sync_roles(app: Flask) -> None:
    """Every view's permissions, the plugins' own, and the default roles' grants."""
    from .permsync import sync

    state = app.extensions["zhanggui"]
    extra = [(p.name, CORE_PERMISSION_VIEW) for p in state.plugins.permissions()]
    grants: dict[str, set[tuple[str, str]]] = {role: set() for role in DEFAULT_ROLES}
    for grant in state.plugins.default_roles():
        grants.setdefault(grant.role, set()).update(_split(p) for p in grant.permissions)
    # every role, a plugin's own too (POS terminal): the user menu links to these
    for role in grants:
        if role != "Head-office admin":
            grants[role].update(_split(p) for p in SELF_SERVICE)
    sync(state.appbuilder, extra, grants, admin_role="Head-office admin")


def has_permission(name: str) -> bool:
    """Whether the signed-in user holds the plugin permission ``name``."""
    sm = current_app.extensions["zhanggui"].appbuilder.sm
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return sm.has_access(*_split(name))
