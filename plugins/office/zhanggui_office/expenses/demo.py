"""Demo expenses: categories, budgets, recurring expenses and claims in every state
(draft, awaiting approval, approved, rejected) in three stores, decided through the
approvals service by the demo store manager."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from zhanggui import write_transaction

from .models import (DepartmentBudget, ExpenseCategory, ExpenseClaim, ExpenseLine,
                     RecurringExpense)

CATEGORIES = (("supplies", "办公用品", "6602.01"), ("cleaning", "保洁费", "6602.05"),
              ("rent", "场地租金", "6602.10"), ("travel", "差旅费", "6602.20"),
              ("display", "陈列物料", "6601.30"))
# store, amount, what happens: None (draft), "submit" (waiting), "approve", "reject"
# (each state in two stores at least: a store's staff never see a state only another
# store's claims are in)
CLAIMS = (("SH01", "860.00", "approve"), ("SH01", "9200.00", "approve"),
          ("SH01", "420.00", "submit"), ("SH01", "150.00", None),
          ("SH01", "230.00", "reject"),
          ("BJ01", "1250.00", "reject"), ("BJ01", "300.00", "submit"),
          ("HZ01", "640.00", "approve"), ("HZ01", "95.50", None))


def build_demo_expenses(ctx) -> None:
    from ..approvals.demo import DEMO_REQUESTER, decide_as_demo_manager, \
        open_as_demo_requester
    from .service import approval_payload

    if ExpenseCategory.select().exists():
        return
    today = ctx.as_of or dt.date.today() - dt.timedelta(days=1)
    with write_transaction():
        cats = {code: ExpenseCategory.create(code=code, name=name, account=account)
                for code, name, account in CATEGORIES}
        for department in ("门店运营", "市场部"):
            DepartmentBudget.create(department=department, period=f"{today:%Y-%m}",
                                    amount=Decimal("50000.00"))
        recurring = [("SH01", "cleaning", "门店保洁", "3000.00", "monthly"),
                     ("SH01", "rent", "仓库租金", "12000.00", "monthly"),
                     ("SH01", "supplies", "饮用水", "80.00", "weekly"),
                     ("BJ01", "cleaning", "门店保洁", "2800.00", "monthly"),
                     ("BJ01", "supplies", "饮用水", "60.00", "weekly"),
                     ("HZ01", "cleaning", "门店保洁", "2200.00", "monthly")]
        # inactive until a head-office admin names a console user as the claimant
        for store, code, description, amount, frequency in recurring:
            RecurringExpense.create(store_code=store, department="门店运营",
                                    category=cats[code], description=description,
                                    amount=Decimal(amount), frequency=frequency,
                                    owner_id=DEMO_REQUESTER[0], active=False)
        for number, (store, amount, fate) in enumerate(CLAIMS, 1):
            category = cats[ctx.rng.choice(sorted(cats))]
            claim = ExpenseClaim.create(
                number=f"EX{today:%Y%m%d}-D{number:03d}", store_code=store,
                department="门店运营", title=f"{category.name} {store}",
                claimant_id=DEMO_REQUESTER[0], claimant_name=DEMO_REQUESTER[1],
                total=Decimal(amount))
            ExpenseLine.create(claim=claim, category=category, description=category.name,
                               amount=Decimal(amount), spent_on=today)
            if fate is None:
                continue
            request = open_as_demo_requester("office.expense",
                                             f"{claim.number} {claim.title}",
                                             approval_payload(claim))
            ExpenseClaim.update(status="submitted", submitted_at=request.created_at,
                                approval_reference=request.reference) \
                .where(ExpenseClaim.id == claim.id).execute()
            if fate in ("approve", "reject"):
                decide_as_demo_manager(request, fate)
        ctx.count("expense claims", len(CLAIMS))
