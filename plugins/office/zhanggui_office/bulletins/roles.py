"""The bulletins menu and default grants: every role reads the bulletins of its
stores (chain-wide ones too); head office publishes (and may grant
``office.publish_bulletins`` with ``can_publish on BulletinView`` to others)."""
from __future__ import annotations

from zhanggui import AdminView, Permission, RoleGrant, _l

from .views import PUBLISH

READ = ("can_list on BulletinView", "can_show on BulletinView", "menu_access on Bulletins",
        "menu_access on Office")


def permissions() -> list[Permission]:
    return [Permission(PUBLISH, _l("Publish bulletins to roles and stores"))]


def default_grants() -> list[RoleGrant]:
    return [RoleGrant(role, READ) for role in ("Store manager", "Store staff", "Marketing",
                                               "Buyer", "Call-center agent", "Auditor")]


def admin_views() -> list[AdminView]:
    from .views import BulletinView

    return [AdminView(name="Bulletins", view=BulletinView, label=_l("Bulletins"),
                      icon="fa-bullhorn", category="Office", category_label=_l("Office"),
                      category_icon="fa-briefcase")]
