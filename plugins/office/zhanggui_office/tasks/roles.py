"""The tasks menu and default grants: every staff role gives out and works on tasks
of its stores; the auditor reads them."""
from __future__ import annotations

from zhanggui import AdminView, RoleGrant, _l

WORK = ("can_list on TaskView", "can_show on TaskView", "can_work on TaskView",
        "menu_access on Tasks", "menu_access on Office")


def default_grants() -> list[RoleGrant]:
    return [*(RoleGrant(role, WORK) for role in ("Store manager", "Store staff", "Marketing",
                                                 "Buyer", "Call-center agent")),
            RoleGrant("Auditor", ("can_list on TaskView", "can_show on TaskView",
                                  "menu_access on Tasks", "menu_access on Office"))]


def admin_views() -> list[AdminView]:
    from .views import TaskView

    return [AdminView(name="Tasks", view=TaskView, label=_l("Tasks"), icon="fa-tasks",
                      category="Office", category_label=_l("Office"),
                      category_icon="fa-briefcase")]
