"""SLA policies: which tickets they cover, their targets and their working hours."""
from __future__ import annotations

import peewee

from zhanggui import Model, _l

REGIONS = (("CN", _l("Mainland China")), ("TW", _l("Taiwan")), ("HK", _l("Hong Kong")))


class SlaPolicy(Model):
    """Targets for the tickets matching its conditions; the first matching policy by
    ``rank`` applies.  Empty conditions match everything.  Targets are business
    minutes: counted only inside the working hours, outside the region's holidays."""

    name = peewee.CharField(max_length=80, unique=True, verbose_name=_l("Policy name"))
    rank = peewee.IntegerField(default=100, verbose_name=_l("Order of evaluation"))
    kinds = peewee.CharField(max_length=200, default="",
                             verbose_name=_l("Ticket types (comma-separated, empty: all)"))
    priorities = peewee.CharField(max_length=200, default="",
                                  verbose_name=_l("Priorities (comma-separated, empty: all)"))
    tiers = peewee.CharField(max_length=200, default="",
                             verbose_name=_l("Member tiers (comma-separated, empty: all)"))
    first_response_minutes = peewee.IntegerField(verbose_name=_l("First response within "
                                                                 "(business minutes)"))
    resolution_minutes = peewee.IntegerField(verbose_name=_l("Resolution within "
                                                             "(business minutes)"))
    region = peewee.CharField(max_length=2, choices=REGIONS, default="CN",
                              verbose_name=_l("Holiday calendar"))
    timezone = peewee.CharField(max_length=50, default="Asia/Shanghai",
                                verbose_name=_l("Time zone"))
    active = peewee.BooleanField(default=True, verbose_name=_l("Active"))

    class Meta:
        table_name = "callcenter_sla_policy"

    def __str__(self):
        return self.name


class WorkingHours(Model):
    """One working period of a weekday (0 Monday ... 6 Sunday), local time."""

    policy = peewee.ForeignKeyField(SlaPolicy, backref="hours", on_delete="CASCADE",
                                    verbose_name=_l("SLA policy"))
    weekday = peewee.IntegerField(verbose_name=_l("Weekday"))
    starts = peewee.CharField(max_length=5, verbose_name=_l("From"))      # "09:00"
    ends = peewee.CharField(max_length=5, verbose_name=_l("Until"))        # "18:00"

    class Meta:
        table_name = "callcenter_sla_hours"
