"""Schema steps of the suppliers plugin (frozen copies of the models as each step
left them: editing the models never changes what a step creates)."""
from __future__ import annotations

from decimal import Decimal

import peewee

from zhanggui import FixedDecimalField, Migration, Model, MoneyField, UTCDateTimeField, utcnow


def initial(ctx):
    class Supplier(Model):
        code = peewee.CharField(max_length=20, unique=True)
        name = peewee.CharField(max_length=100)
        status = peewee.CharField(max_length=20, default="prospect")
        tax_id = peewee.CharField(max_length=30, null=True)
        phone = peewee.CharField(max_length=30, null=True)
        email = peewee.CharField(max_length=120, null=True)
        address = peewee.CharField(max_length=200, null=True)
        owner_role = peewee.CharField(max_length=64, default="Buyer")
        notes = peewee.TextField(null=True)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "suppliers_supplier"


    class SupplierMove(Model):
        supplier = peewee.ForeignKeyField(Supplier, backref="moves", on_delete="CASCADE")
        from_status = peewee.CharField(max_length=20, null=True)
        to_status = peewee.CharField(max_length=20)
        reason = peewee.CharField(max_length=200, default="")
        moved_by = peewee.IntegerField(null=True)
        moved_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "suppliers_supplier_move"

    class Brand(Model):
        code = peewee.CharField(max_length=20, unique=True)
        name = peewee.CharField(max_length=100)
        supplier = peewee.ForeignKeyField(Supplier, backref="brands", null=True)
        category = peewee.CharField(max_length=40, default="")

        class Meta:
            table_name = "suppliers_brand"


    class Contact(Model):
        supplier = peewee.ForeignKeyField(Supplier, backref="contacts", on_delete="CASCADE")
        name = peewee.CharField(max_length=60)
        title = peewee.CharField(max_length=60, default="")
        phone = peewee.CharField(max_length=30, default="")
        email = peewee.CharField(max_length=120, default="")
        primary = peewee.BooleanField(default=False)

        class Meta:
            table_name = "suppliers_contact"


    class Communication(Model):
        supplier = peewee.ForeignKeyField(Supplier, backref="communications",
                                          on_delete="CASCADE")
        kind = peewee.CharField(max_length=20)
        occurred_at = UTCDateTimeField(default=utcnow)
        subject = peewee.CharField(max_length=120)
        notes = peewee.TextField(default="")
        follow_up_on = peewee.DateField(null=True)
        follow_up_done = peewee.BooleanField(default=False)

        class Meta:
            table_name = "suppliers_communication"

    class Licence(Model):
        supplier = peewee.ForeignKeyField(Supplier, backref="licences", on_delete="CASCADE")
        brand = peewee.ForeignKeyField(Brand, null=True, backref="licences")
        kind = peewee.CharField(max_length=30)
        number = peewee.CharField(max_length=60)
        issued_on = peewee.DateField(null=True)
        expires_on = peewee.DateField()
        scan = peewee.CharField(max_length=200, null=True)

        class Meta:
            table_name = "suppliers_licence"


    class Counter(Model):
        code = peewee.CharField(max_length=20, unique=True)
        name = peewee.CharField(max_length=100)
        store_code = peewee.CharField(max_length=20, index=True)
        floor = peewee.CharField(max_length=10, default="")
        area = peewee.CharField(max_length=40, default="")
        category = peewee.CharField(max_length=40, default="")
        brand = peewee.ForeignKeyField(Brand, null=True, backref="counters")
        supplier = peewee.ForeignKeyField(Supplier, null=True, backref="counters")
        opened_on = peewee.DateField(null=True)
        closed_on = peewee.DateField(null=True)
        monthly_target = MoneyField(null=True)
        currency = peewee.CharField(max_length=3, default="CNY")

        class Meta:
            table_name = "suppliers_counter"


    class Promoter(Model):
        counter = peewee.ForeignKeyField(Counter, backref="promoters", on_delete="CASCADE")
        name = peewee.CharField(max_length=60)
        phone = peewee.CharField(max_length=30, default="")
        started_on = peewee.DateField()
        left_on = peewee.DateField(null=True)

        class Meta:
            table_name = "suppliers_promoter"


    class Contract(Model):
        code = peewee.CharField(max_length=30, unique=True)
        supplier = peewee.ForeignKeyField(Supplier, backref="contracts")
        counter = peewee.ForeignKeyField(Counter, backref="contracts")
        store_code = peewee.CharField(max_length=20, index=True, default="")
        kind = peewee.CharField(max_length=20)
        status = peewee.CharField(max_length=20, default="draft")
        starts_on = peewee.DateField()
        ends_on = peewee.DateField()
        currency = peewee.CharField(max_length=3, default="CNY")
        tier_mode = peewee.CharField(max_length=10, default="marginal")
        monthly_guarantee = MoneyField(default=0)
        monthly_rent = MoneyField(default=0)
        renewed_from = peewee.ForeignKeyField("self", null=True, backref="renewals")
        approval_reference = peewee.CharField(max_length=64, null=True, index=True)
        submitted_by = peewee.IntegerField(null=True)
        decided_by = peewee.IntegerField(null=True)
        decided_at = UTCDateTimeField(null=True)
        decision_comment = peewee.CharField(max_length=200, default="")
        signed_on = peewee.DateField(null=True)
        notes = peewee.TextField(default="")
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "suppliers_contract"


    class DeductionTier(Model):
        contract = peewee.ForeignKeyField(Contract, backref="tiers", on_delete="CASCADE")
        category = peewee.CharField(max_length=40, default="")
        sales_from = MoneyField(default=0)
        rate = FixedDecimalField(max_digits=5, decimal_places=2)

        class Meta:
            table_name = "suppliers_deduction_tier"
            indexes = ((("contract", "category", "sales_from"), True),)

    class ContractFee(Model):
        contract = peewee.ForeignKeyField(Contract, backref="fees", on_delete="CASCADE")
        kind = peewee.CharField(max_length=20)
        amount = MoneyField()
        frequency = peewee.CharField(max_length=10, default="monthly")
        first_month = peewee.DateField(null=True)

        class Meta:
            table_name = "suppliers_contract_fee"

    class Statement(Model):
        counter = peewee.ForeignKeyField(Counter, backref="statements")
        month = peewee.DateField()
        store_code = peewee.CharField(max_length=20, index=True)
        supplier = peewee.ForeignKeyField(Supplier, null=True, backref="statements")
        currency = peewee.CharField(max_length=3, default="CNY")
        status = peewee.CharField(max_length=20, default="draft")
        gross_sales = MoneyField(default=0)
        refunds = MoneyField(default=0)
        net_sales = MoneyField(default=0)
        mall_income = MoneyField(default=0)
        payable = MoneyField(default=0)
        generated_at = UTCDateTimeField(default=utcnow)
        reviewed_by = peewee.IntegerField(null=True)
        approved_by = peewee.IntegerField(null=True)
        approved_at = UTCDateTimeField(null=True)
        approval_reference = peewee.CharField(max_length=64, null=True, index=True)

        class Meta:
            table_name = "suppliers_statement"
            indexes = ((("counter", "month"), True),)


    class StatementLine(Model):
        statement = peewee.ForeignKeyField(Statement, backref="lines", on_delete="CASCADE")
        position = peewee.IntegerField()
        contract = peewee.ForeignKeyField(Contract, null=True)
        kind = peewee.CharField(max_length=20)
        category = peewee.CharField(max_length=40, default="")
        detail = peewee.CharField(max_length=100, default="")
        base = MoneyField(null=True)
        rate = FixedDecimalField(max_digits=5, decimal_places=2, null=True)
        amount = MoneyField()

        class Meta:
            table_name = "suppliers_statement_line"

    class Criterion(Model):
        code = peewee.CharField(max_length=40, unique=True)
        name = peewee.CharField(max_length=100)
        formula = peewee.CharField(max_length=500)
        max_score = FixedDecimalField(max_digits=7, decimal_places=2, default=100)
        weight = FixedDecimalField(max_digits=5, decimal_places=2)
        active = peewee.BooleanField(default=True)

        class Meta:
            table_name = "suppliers_criterion"


    class Standing(Model):
        grade = peewee.CharField(max_length=10, unique=True)
        min_score = FixedDecimalField(max_digits=5, decimal_places=2)
        max_score = FixedDecimalField(max_digits=5, decimal_places=2)
        colour = peewee.CharField(max_length=7, default="#5cb85c")
        consequence = peewee.CharField(max_length=20, default="none")

        class Meta:
            table_name = "suppliers_standing"


    class CounterScore(Model):
        counter = peewee.ForeignKeyField(Counter, backref="scores", on_delete="CASCADE")
        supplier = peewee.ForeignKeyField(Supplier, null=True, backref="scores")
        store_code = peewee.CharField(max_length=20, index=True)
        period_start = peewee.DateField()
        period_end = peewee.DateField()
        score = FixedDecimalField(max_digits=5, decimal_places=2, null=True)
        grade = peewee.CharField(max_length=10, null=True)
        colour = peewee.CharField(max_length=7, null=True)
        consequence = peewee.CharField(max_length=20, default="none")
        variables = peewee.TextField(default="{}")
        details = peewee.TextField(default="[]")
        graded_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "suppliers_counter_score"
            indexes = ((("counter", "period_start"), True),)

    class Reminder(Model):
        kind = peewee.CharField(max_length=20)
        item_id = peewee.IntegerField()
        threshold = peewee.IntegerField()
        role = peewee.CharField(max_length=64)
        store_code = peewee.CharField(max_length=20, null=True, index=True)
        subject = peewee.CharField(max_length=200)
        due_on = peewee.DateField()
        emailed_to = peewee.IntegerField(default=0)
        done = peewee.BooleanField(default=False)
        created_at = UTCDateTimeField(default=utcnow)

        class Meta:
            table_name = "suppliers_reminder"
            indexes = ((("kind", "item_id", "threshold"), True),)
    ctx.create_tables([Supplier, SupplierMove, Brand, Contact, Communication, Licence, Counter, Promoter, Contract, DeductionTier, ContractFee, Statement, StatementLine, Criterion, Standing, CounterScore, Reminder])


DEFAULT_CRITERIA = [
    # code, formula, weight
    ("sales_vs_target", "sales / target * 100", 40),
    ("returns", "100 - return_rate * 1000", 20),
    ("complaints", "100 - complaints * 20", 15),
    ("staff_stability", "100 - staff_turnover * 200", 10),
    ("statements_on_time", "statements_on_time * 100", 10),
    ("promotions", "min(promotions_joined, 2) * 50", 5),
]
DEFAULT_STANDINGS = [("A", 85, 100, "#3c9a3c", "none"), ("B", 70, 85, "#337ab7", "none"),
                     ("C", 55, 70, "#f0ad4e", "warn"), ("D", 0, 55, "#d9534f", "block_renewal")]


def default_scorecard(ctx):
    """A starting scorecard (criteria names are shown translated by their code)."""
    for code, formula, weight in DEFAULT_CRITERIA:
        ctx.execute_sql("INSERT INTO suppliers_criterion (code, name, formula, max_score, "
                        "weight, active) VALUES (%s, %s, %s, %s, %s, %s)"
                        if ctx.backend != "sqlite" else
                        "INSERT INTO suppliers_criterion (code, name, formula, max_score, "
                        "weight, active) VALUES (?, ?, ?, ?, ?, ?)",
                        (code, code, formula, Decimal(100), Decimal(weight), True))
    for grade, low, high, colour, consequence in DEFAULT_STANDINGS:
        ctx.execute_sql("INSERT INTO suppliers_standing (grade, min_score, max_score, colour, "
                        "consequence) VALUES (%s, %s, %s, %s, %s)"
                        if ctx.backend != "sqlite" else
                        "INSERT INTO suppliers_standing (grade, min_score, max_score, colour, "
                        "consequence) VALUES (?, ?, ?, ?, ?)",
                        (grade, Decimal(low), Decimal(high), colour, consequence))


MIGRATIONS = [
    Migration(name="0001_initial", apply=initial,
              description="suppliers, counters, contracts, statements, scoring, reminders"),
    Migration(name="0002_default_scorecard", apply=default_scorecard,
              description="a starting counter scorecard (six criteria, grades A-D)"),
]
