"""The approvals menu, permissions and who may do what by default.

* Head-office admin: everything (defines workflows, sees every request).
* Every staff role (store manager and staff, marketing, buyer, call center): the
  inbox, deciding the steps they are an approver of, delegating while away, and the
  request list of their stores (store-scoped roles) or of the chain.
* Auditor: reads workflows and requests; decides nothing.
"""
from __future__ import annotations

from zhanggui import AdminView, Permission, RoleGrant, _l

from .permissions import DECIDE, MANAGE  # noqa: F401  (re-exported)

CATEGORY = "Office"
STAFF = ("Store manager", "Store staff", "Marketing", "Buyer", "Call-center agent")


def permissions() -> list[Permission]:
    return [Permission(DECIDE, _l("Decide approval requests one is an approver of")),
            Permission(MANAGE, _l("Define approval workflows"))]


def _menu(*names: str) -> tuple[str, ...]:
    return ("menu_access on Office",) + tuple(f"menu_access on {n}" for n in names)


READ_REQUESTS = ("can_list on ApprovalRequestView", "can_show on ApprovalRequestView")
STAFF_GRANTS = (DECIDE, "can_inbox on ApprovalInboxView", "can_decide on ApprovalRequestView",
                "can_delegate on ApprovalInboxView", "can_inbox on ApprovalApi",
                "can_get on ApprovalApi", "can_decide on ApprovalApi",
                "can_delegate on ApprovalApi") + READ_REQUESTS \
    + _menu("Approval inbox", "Approval requests")
AUDITOR_GRANTS = READ_REQUESTS + ("can_list on WorkflowView", "can_show on WorkflowView",
                                  "can_get on ApprovalApi") \
    + _menu("Approval requests", "Approval workflows")


def default_grants() -> list[RoleGrant]:
    return [*(RoleGrant(role, STAFF_GRANTS) for role in STAFF),
            RoleGrant("Auditor", AUDITOR_GRANTS)]


def admin_views() -> list[AdminView]:
    from .views import (ApprovalInboxView, ApprovalLinkView, ApprovalRequestView,
                        WorkflowStepView, WorkflowView)

    menu = {"category": CATEGORY, "category_label": _l("Office"),
            "category_icon": "fa-briefcase"}
    return [AdminView(name="Approval inbox", view=ApprovalInboxView,
                      label=_l("Approval inbox"), icon="fa-inbox", **menu),
            AdminView(name="Approval requests", view=ApprovalRequestView,
                      label=_l("Approval requests"), icon="fa-check-square-o", **menu),
            AdminView(name="Approval workflows", view=WorkflowView,
                      label=_l("Approval workflows"), icon="fa-sitemap", **menu),
            AdminView(name="Workflow steps", view=WorkflowStepView, label=None, **menu),
            AdminView(name="Approval links", view=ApprovalLinkView, label=None, **menu)]
