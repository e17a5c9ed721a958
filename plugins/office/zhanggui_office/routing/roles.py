"""The routing menu and default grants: staff roles send and sign documents of their
stores; the auditor reads them."""
from __future__ import annotations

from zhanggui import AdminView, RoleGrant, _l

WORK = ("can_list on RoutedDocumentView", "can_show on RoutedDocumentView",
        "can_route on RoutedDocumentView", "menu_access on Document routing",
        "menu_access on Office")


def default_grants() -> list[RoleGrant]:
    return [*(RoleGrant(role, WORK) for role in ("Store manager", "Store staff", "Marketing",
                                                 "Buyer", "Call-center agent")),
            RoleGrant("Auditor", ("can_list on RoutedDocumentView",
                                  "can_show on RoutedDocumentView",
                                  "menu_access on Document routing", "menu_access on Office"))]


def admin_views() -> list[AdminView]:
    from .views import RoutedDocumentView

    return [AdminView(name="Document routing", view=RoutedDocumentView,
                      label=_l("Document routing"), icon="fa-random", category="Office",
                      category_label=_l("Office"), category_icon="fa-briefcase")]
