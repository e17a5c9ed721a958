"""Synchronise Flask-AppBuilder's permissions in one transaction.

Flask-AppBuilder's own ``add_permissions(update_perms=True)`` commits row by row (a
few hundred commits for the seven plugins: seconds per ``migrate``).  This does the
same work — every view's and API's permissions, ``menu_access`` on every menu entry,
the plugins' own permissions, the default roles' grants, and everything for the
head-office admin — with three reads and one commit.
"""
from __future__ import annotations

from typing import Iterable

from sqlalchemy.orm import joinedload


def wanted_pairs(appbuilder) -> dict[str, set[str]]:
    """``{view or menu name: {permission, ...}}`` the views and menus declare."""
    wanted: dict[str, set[str]] = {}
    for view in appbuilder.baseviews:
        perms = getattr(view, "base_permissions", None) or []
        if perms:
            wanted.setdefault(view.class_permission_name, set()).update(perms)
    if appbuilder.menu is not None:
        for category in appbuilder.menu.get_list():
            wanted.setdefault(category.name, set()).add("menu_access")
            for item in category.childs:
                if item.name != "-":
                    wanted.setdefault(item.name, set()).add("menu_access")
    return wanted


def sync(appbuilder, extra: Iterable[tuple[str, str]],
         grants: dict[str, set[tuple[str, str]]], admin_role: str) -> None:
    """Create missing permissions, drop views' stale ones, grant roles; one commit.

    ``extra`` are ``(permission, view)`` pairs beyond the views' own (plugin
    permissions); ``grants`` maps role names to the pairs they hold.
    """
    sm = appbuilder.sm
    session = sm.session
    Perm, View, PV, Role = (sm.permission_model, sm.viewmenu_model,
                            sm.permissionview_model, sm.role_model)
    declared = wanted_pairs(appbuilder)
    wanted = {(perm, view) for view, perms in declared.items() for perm in perms}
    wanted |= set(extra)
    for pairs in grants.values():
        wanted |= pairs

    perms = {p.name: p for p in session.query(Perm)}
    views = {v.name: v for v in session.query(View)}
    pvs = {(pv.permission.name, pv.view_menu.name): pv
           for pv in session.query(PV).options(joinedload(PV.permission),
                                                joinedload(PV.view_menu))
           if pv.permission is not None and pv.view_menu is not None}
    for perm_name, view_name in sorted(wanted):
        if (perm_name, view_name) in pvs:
            continue
        perm = perms.get(perm_name)
        if perm is None:
            perm = perms[perm_name] = Perm(name=perm_name)
            session.add(perm)
        view = views.get(view_name)
        if view is None:
            view = views[view_name] = View(name=view_name)
            session.add(view)
        pv = PV(permission=perm, view_menu=view)
        session.add(pv)
        pvs[(perm_name, view_name)] = pv

    roles = {r.name: r for r in session.query(Role).options(joinedload(Role.permissions))}
    # a view that no longer exposes a method loses that permission everywhere
    stale = [pv for (perm, view), pv in pvs.items()
             if view in declared and perm not in declared[view]]
    for pv in stale:
        for role in roles.values():
            if pv in role.permissions:
                role.permissions.remove(pv)
        session.delete(pv)
    stale_ids = {id(pv) for pv in stale}

    for role_name, pairs in grants.items():
        role = roles.get(role_name)
        if role is None:
            role = roles[role_name] = Role(name=role_name)
            session.add(role)
        held = set(map(id, role.permissions))
        for pair in sorted(pairs):
            pv = pvs[pair]
            if id(pv) not in held:
                role.permissions.append(pv)
    admin = roles.get(admin_role)
    if admin is None:
        admin = roles[admin_role] = Role(name=admin_role)
        session.add(admin)
    held = set(map(id, admin.permissions))
    for pv in pvs.values():
        if id(pv) not in held and id(pv) not in stale_ids:
            admin.permissions.append(pv)
    session.commit()
