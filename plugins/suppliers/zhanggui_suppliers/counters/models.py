"""Counters (专柜): a brand's selling space in a store, and its promoters."""
from __future__ import annotations

import peewee

from zhanggui import Model, MoneyField, _l

from ..directory.models import Brand, Supplier


class Counter(Model):
    """``code`` is the counter code the tills put on each sales line (``SH01-COS01``)."""

    code = peewee.CharField(max_length=20, unique=True, verbose_name=_l("Counter code"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Counter name"))
    store_code = peewee.CharField(max_length=20, index=True, verbose_name=_l("Store code"))
    floor = peewee.CharField(max_length=10, default="", verbose_name=_l("Floor"))
    area = peewee.CharField(max_length=40, default="", verbose_name=_l("Area"))
    category = peewee.CharField(max_length=40, default="", verbose_name=_l("Category"))
    brand = peewee.ForeignKeyField(Brand, null=True, backref="counters",
                                   verbose_name=_l("Brand"))
    supplier = peewee.ForeignKeyField(Supplier, null=True, backref="counters",
                                      verbose_name=_l("Supplier"))
    opened_on = peewee.DateField(null=True, verbose_name=_l("Opened on"))
    closed_on = peewee.DateField(null=True, verbose_name=_l("Closed on"))
    monthly_target = MoneyField(null=True, verbose_name=_l("Monthly sales target"))
    currency = peewee.CharField(max_length=3, default="CNY", verbose_name=_l("Currency"))

    class Meta:
        table_name = "suppliers_counter"

    def __str__(self):
        return f"{self.code} {self.name}"


class Promoter(Model):
    """A supplier's sales person (促销员) working at a counter."""

    counter = peewee.ForeignKeyField(Counter, backref="promoters", on_delete="CASCADE",
                                     verbose_name=_l("Counter"))
    name = peewee.CharField(max_length=60, verbose_name=_l("Promoter name"))
    phone = peewee.CharField(max_length=30, default="", verbose_name=_l("Promoter phone"))
    started_on = peewee.DateField(verbose_name=_l("Started on"))
    left_on = peewee.DateField(null=True, verbose_name=_l("Left on"))

    class Meta:
        table_name = "suppliers_promoter"

    def __str__(self):
        return self.name


COUNTER_MODELS = [Counter, Promoter]
