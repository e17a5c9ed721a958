"""The expenses menu and default grants.

* Store manager: claims of their stores (new, submit, receipts, export), their
  stores' recurring expenses (add and edit; switched off, never deleted, so the
  claims they made keep their origin).
* Store staff: claims of their stores (new, submit, receipts).
* Auditor: reads claims, recurring expenses, categories and budgets; exports.
* Head-office admin: everything (categories, budgets).
"""
from __future__ import annotations

from zhanggui import AdminView, RoleGrant, _l

_READ = ("can_list", "can_show")


def _on(view, perms):
    return tuple(f"{p} on {view}" for p in perms)


MENU = ("menu_access on Office",)
CLAIMS = _on("ExpenseClaimView", _READ + ("can_claim",)) + \
    ("menu_access on Expense claims", "can_claim on ExpenseApi", "can_get on ExpenseApi")


def default_grants() -> list[RoleGrant]:
    manager = MENU + CLAIMS + ("can_export on ExpenseClaimView",) \
        + _on("RecurringExpenseView", _READ + ("can_add", "can_edit")) \
        + ("menu_access on Recurring expenses",)
    auditor = MENU + _on("ExpenseClaimView", _READ + ("can_export",)) \
        + _on("RecurringExpenseView", _READ) + _on("ExpenseCategoryView", _READ) \
        + _on("DepartmentBudgetView", _READ) + ("can_get on ExpenseApi",) \
        + tuple(f"menu_access on {n}" for n in ("Expense claims", "Recurring expenses",
                                                "Expense categories", "Department budgets"))
    return [RoleGrant("Store manager", manager), RoleGrant("Store staff", MENU + CLAIMS),
            RoleGrant("Auditor", auditor)]


def admin_views() -> list[AdminView]:
    from .views import (DepartmentBudgetView, ExpenseCategoryView, ExpenseClaimView,
                        RecurringExpenseView)

    menu = {"category": "Office", "category_label": _l("Office"),
            "category_icon": "fa-briefcase"}
    return [AdminView(name="Expense claims", view=ExpenseClaimView,
                      label=_l("Expense claims"), icon="fa-money", **menu),
            AdminView(name="Recurring expenses", view=RecurringExpenseView,
                      label=_l("Recurring expenses"), icon="fa-repeat", **menu),
            AdminView(name="Expense categories", view=ExpenseCategoryView,
                      label=_l("Expense categories"), icon="fa-tags", **menu),
            AdminView(name="Department budgets", view=DepartmentBudgetView,
                      label=_l("Department budgets"), icon="fa-pie-chart", **menu)]
