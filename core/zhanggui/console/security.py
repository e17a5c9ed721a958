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
    state = app.extensions["zhanggui"]
    sm = state.appbuilder.sm
    for permission in state.plugins.permissions():
        sm.add_permission_view_menu(permission.name, CORE_PERMISSION_VIEW)
    grants = [RoleGrant(role, SELF_SERVICE) for role in DEFAULT_ROLES
              if role != "Head-office admin"]
    grants += state.plugins.default_roles()
    for role_name in DEFAULT_ROLES:
        if sm.find_role(role_name) is None:
            sm.add_role(role_name)
    admin = sm.find_role("Head-office admin")
    for grant in grants:
        role = sm.find_role(grant.role) or sm.add_role(grant.role)
        for permission in grant.permissions:
            pv = sm.add_permission_view_menu(*_split(permission))
            if pv is not None:
                sm.add_permission_role(role, pv)
                sm.add_permission_role(admin, pv)
    # Head-office admins hold every permission that exists
    for pv in sm.session.query(sm.permissionview_model).all():
        if pv not in admin.permissions:
            sm.add_permission_role(admin, pv)


def has_permission(name: str) -> bool:
    """Whether the signed-in user holds the plugin permission ``name``."""
    sm = current_app.extensions["zhanggui"].appbuilder.sm
    user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return sm.has_access(*_split(name))
