"""Expense categories, department budgets, recurring expenses, claims, their lines
and receipts.  A claim generated from a recurring expense carries ``(recurring,
period)``, unique, so the generating job can run any number of times."""
from __future__ import annotations

import peewee

from zhanggui import Model, MoneyField, UTCDateTimeField, _l, utcnow

CLAIM_STATES = (("draft", _l("Draft")), ("submitted", _l("Awaiting approval")),
                ("approved", _l("Approved")), ("rejected", _l("Rejected")))
FREQUENCIES = (("weekly", _l("Weekly")), ("monthly", _l("Monthly")))


class ExpenseCategory(Model):
    code = peewee.CharField(max_length=30, unique=True, verbose_name=_l("Category code"))
    name = peewee.CharField(max_length=80, verbose_name=_l("Category name"))
    account = peewee.CharField(max_length=30, default="", verbose_name=_l("Ledger account"))

    class Meta:
        table_name = "office_expense_category"

    def __str__(self):
        return self.name


class DepartmentBudget(Model):
    """What a department may spend in one month (``period`` ``2026-12``)."""

    department = peewee.CharField(max_length=60, verbose_name=_l("Department"))
    period = peewee.CharField(max_length=7, verbose_name=_l("Month"))
    amount = MoneyField(verbose_name=_l("Budget"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Currency"))

    class Meta:
        table_name = "office_department_budget"
        indexes = ((("department", "period"), True),)


class RecurringExpense(Model):
    """A fixed expense of a store's department (rent, cleaning...), claimed every
    week or month by the job ``office.generate_recurring_expenses``."""

    store_code = peewee.CharField(max_length=32, verbose_name=_l("Store"))
    department = peewee.CharField(max_length=60, verbose_name=_l("Department"))
    category = peewee.ForeignKeyField(ExpenseCategory, verbose_name=_l("Category"))
    description = peewee.CharField(max_length=200, verbose_name=_l("Description"))
    amount = MoneyField(verbose_name=_l("Amount"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Currency"))
    frequency = peewee.CharField(max_length=7, choices=FREQUENCIES, default="monthly",
                                 verbose_name=_l("Frequency"))
    owner_id = peewee.IntegerField(verbose_name=_l("Claimant"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))

    class Meta:
        table_name = "office_recurring_expense"

    def __str__(self):
        return self.description


class ExpenseClaim(Model):
    number = peewee.CharField(max_length=40, unique=True, verbose_name=_l("Claim number"))
    store_code = peewee.CharField(max_length=32, index=True, verbose_name=_l("Store"))
    department = peewee.CharField(max_length=60, verbose_name=_l("Department"))
    title = peewee.CharField(max_length=200, verbose_name=_l("Claim title"))
    claimant_id = peewee.IntegerField(index=True, verbose_name=_l("Claimant"))
    claimant_name = peewee.CharField(max_length=120, default="", verbose_name=_l("Claimant"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Currency"))
    total = MoneyField(default=0, verbose_name=_l("Total"))
    status = peewee.CharField(max_length=10, choices=CLAIM_STATES, default="draft",
                              index=True, verbose_name=_l("Status"))
    approval_reference = peewee.CharField(max_length=40, null=True, index=True,
                                          verbose_name=_l("Approval reference"))
    recurring = peewee.ForeignKeyField(RecurringExpense, null=True, on_delete="SET NULL",
                                       verbose_name=_l("Recurring expense"))
    period = peewee.CharField(max_length=8, null=True, verbose_name=_l("Period"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))
    submitted_at = UTCDateTimeField(null=True, verbose_name=_l("Submitted at"))
    decided_at = UTCDateTimeField(null=True, verbose_name=_l("Decided at"))

    class Meta:
        table_name = "office_expense_claim"
        indexes = ((("recurring", "period"), True),)

    def __str__(self):
        return f"{self.number} {self.title}"


class ExpenseLine(Model):
    claim = peewee.ForeignKeyField(ExpenseClaim, backref="lines", on_delete="CASCADE")
    category = peewee.ForeignKeyField(ExpenseCategory, verbose_name=_l("Category"))
    description = peewee.CharField(max_length=200, verbose_name=_l("Description"))
    amount = MoneyField(verbose_name=_l("Amount"))
    spent_on = peewee.DateField(verbose_name=_l("Spent on"))

    class Meta:
        table_name = "office_expense_line"


class Receipt(Model):
    """An uploaded receipt, kept under a random name in the instance folder."""

    claim = peewee.ForeignKeyField(ExpenseClaim, backref="receipts", on_delete="CASCADE")
    stored_name = peewee.CharField(max_length=80, unique=True)
    original_name = peewee.CharField(max_length=200)
    content_type = peewee.CharField(max_length=80)
    size = peewee.IntegerField()
    uploaded_by_id = peewee.IntegerField()
    uploaded_at = UTCDateTimeField(default=utcnow)

    class Meta:
        table_name = "office_receipt"


MODELS = (ExpenseCategory, DepartmentBudget, RecurringExpense, ExpenseClaim, ExpenseLine,
          Receipt)


def migrate_expenses(ctx) -> None:
    """Migration ``office:0002_expenses`` (frozen copies)."""

    class Cat(Model):
        code = peewee.CharField(max_length=30, unique=True)
        name = peewee.CharField(max_length=80)
        account = peewee.CharField(max_length=30, default="")

        class Meta:
            table_name = "office_expense_category"

    class Budget(Model):
        department = peewee.CharField(max_length=60)
        period = peewee.CharField(max_length=7)
        amount = MoneyField()
        currency = peewee.CharField(max_length=3, default="CNY")

        class Meta:
            table_name = "office_department_budget"
            indexes = ((("department", "period"), True),)

    class Rec(Model):
        store_code = peewee.CharField(max_length=32)
        department = peewee.CharField(max_length=60)
        category = peewee.ForeignKeyField(Cat)
        description = peewee.CharField(max_length=200)
        amount = MoneyField()
        currency = peewee.CharField(max_length=3, default="CNY")
        frequency = peewee.CharField(max_length=7, default="monthly")
        owner_id = peewee.IntegerField()
        active = peewee.BooleanField(default=True)

        class Meta:
            table_name = "office_recurring_expense"

    class Claim(Model):
        number = peewee.CharField(max_length=40, unique=True)
        store_code = peewee.CharField(max_length=32, index=True)
        department = peewee.CharField(max_length=60)
        title = peewee.CharField(max_length=200)
        claimant_id = peewee.IntegerField(index=True)
        claimant_name = peewee.CharField(max_length=120, default="")
        currency = peewee.CharField(max_length=3, default="CNY")
        total = MoneyField(default=0)
        status = peewee.CharField(max_length=10, default="draft", index=True)
        approval_reference = peewee.CharField(max_length=40, null=True, index=True)
        recurring = peewee.ForeignKeyField(Rec, null=True, on_delete="SET NULL")
        period = peewee.CharField(max_length=8, null=True)
        created_at = UTCDateTimeField()
        submitted_at = UTCDateTimeField(null=True)
        decided_at = UTCDateTimeField(null=True)

        class Meta:
            table_name = "office_expense_claim"
            indexes = ((("recurring", "period"), True),)

    class Line(Model):
        claim = peewee.ForeignKeyField(Claim, on_delete="CASCADE")
        category = peewee.ForeignKeyField(Cat)
        description = peewee.CharField(max_length=200)
        amount = MoneyField()
        spent_on = peewee.DateField()

        class Meta:
            table_name = "office_expense_line"

    class Rcpt(Model):
        claim = peewee.ForeignKeyField(Claim, on_delete="CASCADE")
        stored_name = peewee.CharField(max_length=80, unique=True)
        original_name = peewee.CharField(max_length=200)
        content_type = peewee.CharField(max_length=80)
        size = peewee.IntegerField()
        uploaded_by_id = peewee.IntegerField()
        uploaded_at = UTCDateTimeField()

        class Meta:
            table_name = "office_receipt"

    ctx.create_tables([Cat, Budget, Rec, Claim, Line, Rcpt])
