"""Monthly settlement statements (结算单): one per counter and month."""
from __future__ import annotations

import peewee

from zhanggui import FixedDecimalField, Model, MoneyField, UTCDateTimeField, _l, utcnow

from ..contracts.models import Contract
from ..counters.models import Counter
from ..directory.models import Supplier

STATEMENT_STATUSES = (("draft", _l("Draft")), ("reviewed", _l("Reviewed")),
                      ("pending", _l("Awaiting approval")), ("approved", _l("Approved")),
                      ("rejected", _l("Rejected")))
LINE_KINDS = (("sales", _l("Sales")), ("refunds", _l("Refunds")),
              ("deduction", _l("Deduction (扣点)")), ("margin", _l("Margin")),
              ("guarantee_topup", _l("Minimum guarantee top-up")), ("rent", _l("Rent")),
              ("fee", _l("Fixed fee")), ("cost_share", _l("Promotion cost share")))


class Statement(Model):
    counter = peewee.ForeignKeyField(Counter, backref="statements", verbose_name=_l("Counter"))
    month = peewee.DateField(verbose_name=_l("Month"))
    store_code = peewee.CharField(max_length=20, index=True, verbose_name=_l("Store code"))
    supplier = peewee.ForeignKeyField(Supplier, null=True, backref="statements",
                                      verbose_name=_l("Supplier"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Currency"))
    status = peewee.CharField(max_length=20, choices=STATEMENT_STATUSES, default="draft",
                              verbose_name=_l("Statement status"))
    gross_sales = MoneyField(default=0, verbose_name=_l("Gross sales"))
    refunds = MoneyField(default=0, verbose_name=_l("Refunds"))
    net_sales = MoneyField(default=0, verbose_name=_l("Net sales"))
    mall_income = MoneyField(default=0, verbose_name=_l("Store income"))
    payable = MoneyField(default=0, verbose_name=_l("Payable to supplier"))
    generated_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Generated at"))
    reviewed_by = peewee.IntegerField(null=True, verbose_name=_l("Reviewed by"))
    approved_by = peewee.IntegerField(null=True, verbose_name=_l("Approved by"))
    approved_at = UTCDateTimeField(null=True, verbose_name=_l("Approved at"))
    approval_reference = peewee.CharField(max_length=64, null=True, index=True,
                                          verbose_name=_l("Approval request"))

    class Meta:
        table_name = "suppliers_statement"
        indexes = ((("counter", "month"), True),)

    def __str__(self):
        return f"{self.counter.code} {self.month:%Y-%m}"


class StatementLine(Model):
    statement = peewee.ForeignKeyField(Statement, backref="lines", on_delete="CASCADE",
                                       verbose_name=_l("Statement"))
    position = peewee.IntegerField(verbose_name=_l("Line"))
    contract = peewee.ForeignKeyField(Contract, null=True, verbose_name=_l("Contract"))
    kind = peewee.CharField(max_length=20, choices=LINE_KINDS, verbose_name=_l("Line kind"))
    category = peewee.CharField(max_length=40, default="", verbose_name=_l("Category"))
    detail = peewee.CharField(max_length=100, default="", verbose_name=_l("Detail"))
    base = MoneyField(null=True, verbose_name=_l("Base amount"))
    rate = FixedDecimalField(max_digits=5, decimal_places=2, null=True,
                             verbose_name=_l("Rate (%)"))
    amount = MoneyField(verbose_name=_l("Amount"))

    class Meta:
        table_name = "suppliers_statement_line"


SETTLEMENT_MODELS = [Statement, StatementLine]
