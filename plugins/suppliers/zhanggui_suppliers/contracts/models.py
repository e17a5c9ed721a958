"""Contracts: 联营 concession (tiered 扣点), 租赁 lease (fixed rent), 经销/购销
distribution (margin), with the monthly guarantee, scheduled fees and renewals."""
from __future__ import annotations

import peewee

from zhanggui import FixedDecimalField, Model, MoneyField, UTCDateTimeField, _l, utcnow

from ..counters.models import Counter
from ..directory.models import Supplier

CONTRACT_KINDS = (("concession", _l("Concession (联营, deduction rate)")),
                  ("lease", _l("Lease (租赁, fixed rent)")),
                  ("distribution", _l("Distribution (经销/购销, margin)")))
CONTRACT_STATUSES = (("draft", _l("Draft")), ("pending", _l("Awaiting approval")),
                     ("approved", _l("Approved")), ("rejected", _l("Rejected")),
                     ("active", _l("Signed")), ("terminated", _l("Ended early")))
TIER_MODES = (("marginal", _l("Each band at its own rate")),
              ("whole", _l("All sales at the rate of the band reached")))
FEE_KINDS = (("management", _l("Management fee")), ("promotion", _l("Promotion fee")),
             ("utilities", _l("Utilities")), ("other", _l("Other fee")))
FEE_FREQUENCIES = (("monthly", _l("Monthly")), ("quarterly", _l("Quarterly")),
                   ("annual", _l("Annual")), ("once", _l("Once")))


class Contract(Model):
    """One contract for one counter.  ``store_code`` is copied from the counter so the
    store rule needs no join."""

    code = peewee.CharField(max_length=30, unique=True, verbose_name=_l("Contract number"))
    supplier = peewee.ForeignKeyField(Supplier, backref="contracts",
                                      verbose_name=_l("Supplier"))
    counter = peewee.ForeignKeyField(Counter, backref="contracts", verbose_name=_l("Counter"))
    store_code = peewee.CharField(max_length=20, index=True, default="",
                                  verbose_name=_l("Store code"))
    kind = peewee.CharField(max_length=20, choices=CONTRACT_KINDS,
                            verbose_name=_l("Contract type"))
    status = peewee.CharField(max_length=20, choices=CONTRACT_STATUSES, default="draft",
                              verbose_name=_l("Contract status"))
    starts_on = peewee.DateField(verbose_name=_l("Valid from"))
    ends_on = peewee.DateField(verbose_name=_l("Valid until"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Currency"))
    tier_mode = peewee.CharField(max_length=10, choices=TIER_MODES, default="marginal",
                                 verbose_name=_l("How tiers apply"))
    monthly_guarantee = MoneyField(default=0, verbose_name=_l("Monthly minimum guarantee"))
    monthly_rent = MoneyField(default=0, verbose_name=_l("Monthly rent"))
    renewed_from = peewee.ForeignKeyField("self", null=True, backref="renewals",
                                          verbose_name=_l("Renewal of"))
    approval_reference = peewee.CharField(max_length=64, null=True, index=True,
                                          verbose_name=_l("Approval request"))
    submitted_by = peewee.IntegerField(null=True, verbose_name=_l("Submitted by"))
    decided_by = peewee.IntegerField(null=True, verbose_name=_l("Decided by"))
    decided_at = UTCDateTimeField(null=True, verbose_name=_l("Decided at"))
    decision_comment = peewee.CharField(max_length=200, default="",
                                        verbose_name=_l("Decision comment"))
    signed_on = peewee.DateField(null=True, verbose_name=_l("Signed on"))
    notes = peewee.TextField(default="", verbose_name=_l("Contract notes"))
    created_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Created at"))

    class Meta:
        table_name = "suppliers_contract"

    def __str__(self):
        return self.code


class DeductionTier(Model):
    """From ``sales_from`` of monthly net sales on, ``rate`` percent (扣点 or margin).
    A blank category applies to every category without tiers of its own."""

    contract = peewee.ForeignKeyField(Contract, backref="tiers", on_delete="CASCADE",
                                      verbose_name=_l("Contract"))
    category = peewee.CharField(max_length=40, default="", verbose_name=_l("Category"))
    sales_from = MoneyField(default=0, verbose_name=_l("Monthly sales from"))
    rate = FixedDecimalField(max_digits=5, decimal_places=2,
                             verbose_name=_l("Rate (%)"))

    class Meta:
        table_name = "suppliers_deduction_tier"
        indexes = ((("contract", "category", "sales_from"), True),)


class ContractFee(Model):
    contract = peewee.ForeignKeyField(Contract, backref="fees", on_delete="CASCADE",
                                      verbose_name=_l("Contract"))
    kind = peewee.CharField(max_length=20, choices=FEE_KINDS, verbose_name=_l("Fee"))
    amount = MoneyField(verbose_name=_l("Fee amount"))
    frequency = peewee.CharField(max_length=10, choices=FEE_FREQUENCIES, default="monthly",
                                 verbose_name=_l("Charged"))
    first_month = peewee.DateField(null=True, verbose_name=_l("First charged in"))

    class Meta:
        table_name = "suppliers_contract_fee"


CONTRACT_MODELS = [Contract, DeductionTier, ContractFee]
