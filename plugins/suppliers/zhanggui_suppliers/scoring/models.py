"""Counter scorecard: criteria (formulas over variables, weighted to 100), standings
(A/B/C/D with colours and consequences) and the archive of graded periods."""
from __future__ import annotations

import peewee

from zhanggui import FixedDecimalField, Model, UTCDateTimeField, _l, utcnow

from ..counters.models import Counter
from ..directory.models import Supplier

CONSEQUENCES = (("none", _l("None")), ("warn", _l("Warn the supplier")),
                ("block_renewal", _l("Block contract renewal")))


class Criterion(Model):
    code = peewee.CharField(max_length=40, unique=True, verbose_name=_l("Criterion code"))
    name = peewee.CharField(max_length=100, verbose_name=_l("Criterion name"))
    formula = peewee.CharField(max_length=500, verbose_name=_l("Formula"))
    max_score = FixedDecimalField(max_digits=7, decimal_places=2, default=100,
                                  verbose_name=_l("Maximum score"))
    weight = FixedDecimalField(max_digits=5, decimal_places=2,
                               verbose_name=_l("Weight (%)"))
    active = peewee.BooleanField(default=True, verbose_name=_l("In use"))

    class Meta:
        table_name = "suppliers_criterion"

    def __str__(self):
        return self.name


class Standing(Model):
    """A grade for scores from ``min_score`` (included) to ``max_score`` (excluded,
    except 100)."""

    grade = peewee.CharField(max_length=10, unique=True, verbose_name=_l("Grade"))
    min_score = FixedDecimalField(max_digits=5, decimal_places=2,
                                  verbose_name=_l("From score"))
    max_score = FixedDecimalField(max_digits=5, decimal_places=2,
                                  verbose_name=_l("Up to score"))
    colour = peewee.CharField(max_length=7, default="#5cb85c", verbose_name=_l("Colour"))
    consequence = peewee.CharField(max_length=20, choices=CONSEQUENCES, default="none",
                                   verbose_name=_l("Consequence"))

    class Meta:
        table_name = "suppliers_standing"

    def __str__(self):
        return self.grade


class CounterScore(Model):
    """One counter's grade for one period (a month); the grading job rewrites it."""

    counter = peewee.ForeignKeyField(Counter, backref="scores", on_delete="CASCADE",
                                     verbose_name=_l("Counter"))
    supplier = peewee.ForeignKeyField(Supplier, null=True, backref="scores",
                                      verbose_name=_l("Supplier"))
    store_code = peewee.CharField(max_length=20, index=True, verbose_name=_l("Store code"))
    period_start = peewee.DateField(verbose_name=_l("Period from"))
    period_end = peewee.DateField(verbose_name=_l("Period until"))
    score = FixedDecimalField(max_digits=5, decimal_places=2, null=True,
                              verbose_name=_l("Score"))
    grade = peewee.CharField(max_length=10, null=True, verbose_name=_l("Grade"))
    colour = peewee.CharField(max_length=7, null=True, verbose_name=_l("Colour"))
    consequence = peewee.CharField(max_length=20, choices=CONSEQUENCES, default="none",
                                   verbose_name=_l("Consequence"))
    variables = peewee.TextField(default="{}", verbose_name=_l("Variables"))
    details = peewee.TextField(default="[]", verbose_name=_l("Criteria scored"))
    graded_at = UTCDateTimeField(default=utcnow, verbose_name=_l("Graded at"))

    class Meta:
        table_name = "suppliers_counter_score"
        indexes = ((("counter", "period_start"), True),)


SCORING_MODELS = [Criterion, Standing, CounterScore]
